package train

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/gas"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/partition"
	"github.com/gnnscale/gnnscale/pkg/sampling"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// GASData is what GAS training reads: node data by row, the renumbered
// graph's in-neighbours and the partition book.
type GASData struct {
	Name     string
	Src      gas.Source
	Graph    sampling.NeighborSource
	Ptr      []int64
	NumEdges int64
	InMemory bool
	// Log receives the training's warnings (nil: discarded).
	Log   *slog.Logger
	close func() error
	// graphStores are the stores Graph reads (one per graph shard), when
	// opened from a folder.
	graphStores []store.GraphStore
}

// Close releases the store behind the data, if any.
func (d *GASData) Close() error {
	if d.close == nil {
		return nil
	}
	return d.close()
}

// LoadGAS loads the data for mode gas: from the GAS data folder
// cfg.GAS.Store when set, otherwise the data set (loaded or generated),
// partitioned and renumbered in memory. It fills cfg.GAS's data-dependent
// defaults.
func LoadGAS(ctx context.Context, cfg *Config, log *slog.Logger) (*GASData, error) {
	if cfg.GAS.Store != "" {
		return openGASStore(ctx, cfg, log)
	}
	ds, err := loadDataset(ctx, cfg.Dataset)
	if err != nil {
		return nil, err
	}
	cfg.GAS.sizes(ds.NumNodes())
	ds, ptr, err := partitionDataset(ctx, ds, &cfg.GAS, log)
	if err != nil {
		return nil, err
	}
	csc, x, labels, split, err := gasArrays(ds, cfg.Dataset.NormalizeFeatures)
	if err != nil {
		return nil, err
	}
	g, err := sampling.FromCSC(&csc, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	src, err := gas.NewMemSource(x, labels, split, ds.NumClasses)
	if err != nil {
		return nil, fmt.Errorf("train: dataset %s: %w", ds.Name, err)
	}
	return &GASData{Name: ds.Name, Src: src, Graph: g, Ptr: ptr, NumEdges: int64(len(csc.Indices)), InMemory: true, Log: log}, nil
}

func loadDataset(ctx context.Context, c DatasetConfig) (*dataset.Dataset, error) {
	var ds *dataset.Dataset
	var err error
	switch c.Generator {
	case "sbm":
		ds, err = dataset.SBM(c.SBM.toDataset(c.Name))
	default:
		ds, err = dataset.Load(ctx, filepath.Join(c.Root, c.Name), &dataset.LoadOptions{Split: c.Split})
	}
	if err != nil {
		return nil, fmt.Errorf("train: dataset %s: %w", c.Name, err)
	}
	if err := ds.Validate(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	switch {
	case ds.Features == nil:
		return nil, fmt.Errorf("train: dataset %s has no features", ds.Name)
	case ds.Labels == nil:
		return nil, fmt.Errorf("train: dataset %s has no labels", ds.Name)
	case len(ds.Split.Train) == 0:
		return nil, fmt.Errorf("train: dataset %s: split %q has no training nodes", ds.Name, ds.Split.Name)
	}
	return ds, nil
}

// partitionDataset splits ds into g.NumParts parts and renumbers it so
// that each part is a contiguous id range.
func partitionDataset(ctx context.Context, ds *dataset.Dataset, g *GASConfig, log *slog.Logger) (*dataset.Dataset, []int64, error) {
	n, k := ds.NumNodes(), g.NumParts
	if g.Partitioner == "range" {
		ptr := make([]int64, k+1)
		for p := range ptr {
			ptr[p] = int64(p) * int64(n) / int64(k)
		}
		return ds, ptr, nil
	}
	start := time.Now()
	pg, err := partition.FromCOO(&ds.Graph)
	if err != nil {
		return nil, nil, fmt.Errorf("train: partition %s: %w", ds.Name, err)
	}
	res, err := partition.Partition(pg, k, &partition.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("train: partition %s: %w", ds.Name, err)
	}
	perm, ptr, err := partition.Renumber(res.Part, k)
	if err != nil {
		return nil, nil, fmt.Errorf("train: partition %s: %w", ds.Name, err)
	}
	out, err := partition.PermuteDataset(ds, perm)
	if err != nil {
		return nil, nil, fmt.Errorf("train: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	log.Info("partitioned", "dataset", ds.Name, "parts", k, "cut", res.Cut, "imbalance", res.Imbalance, "seconds", time.Since(start).Seconds())
	return out, ptr, nil
}

// gasArrays returns the coalesced in-neighbour CSC (unweighted), the
// features (row-normalised when asked), labels and split codes.
func gasArrays(ds *dataset.Dataset, normalize bool) (graph.CSC, *tensor.Dense, []int32, []int8, error) {
	coo := graph.Coalesce(ds.Graph)
	coo.Weight = nil
	csc := graph.SortedCSC(coo)
	csc.Weight = nil
	x := ds.Features
	if normalize {
		x = NormalizeFeatures(x)
	}
	split := make([]int8, ds.NumNodes())
	for i := range split {
		split[i] = gas.SplitNone
	}
	for code, ids := range [][]int32{ds.Split.Train, ds.Split.Valid, ds.Split.Test} {
		for _, v := range ids {
			if v < 0 || int(v) >= len(split) {
				return graph.CSC{}, nil, nil, nil, fmt.Errorf("train: dataset %s: split node %d of %d", ds.Name, v, len(split))
			}
			split[v] = int8(code)
		}
	}
	return csc, x, ds.Labels, split, nil
}

// PrepareGASStore writes the data set of cfg, partitioned and renumbered,
// into the GAS data folder cfg.GAS.Store (which must not exist yet), for
// training that reads every row through the store.
func PrepareGASStore(ctx context.Context, cfg *Config, log *slog.Logger) (*gas.Book, error) {
	dir := cfg.GAS.Store
	if dir == "" {
		return nil, fmt.Errorf("%w: gas.store: missing (the folder to write)", ErrConfig)
	}
	if _, err := os.Stat(dir); err == nil {
		return nil, fmt.Errorf("train: prepare: %s already exists", dir)
	}
	ds, err := loadDataset(ctx, cfg.Dataset)
	if err != nil {
		return nil, err
	}
	cfg.GAS.sizes(ds.NumNodes())
	ds, ptr, err := partitionDataset(ctx, ds, &cfg.GAS, log)
	if err != nil {
		return nil, err
	}
	csc, x, labels, split, err := gasArrays(ds, cfg.Dataset.NormalizeFeatures)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("train: prepare: %w", err)
	}
	g, gc, err := discoverServers(ctx, cfg, 0, log)
	if err != nil {
		return nil, fmt.Errorf("train: prepare: %w", err)
	}
	defer gc.close()
	stores, err := openGASStores(ctx, &g, nil, true, log)
	if err != nil {
		return nil, fmt.Errorf("train: prepare: %w", err)
	}
	book := gas.Book{Name: ds.Name, Nodes: ds.NumNodes(), Edges: int64(len(csc.Indices)), Features: x.Cols, Classes: ds.NumClasses, Ptr: ptr}
	start := time.Now()
	werr := gas.WriteStore(ctx, stores.features, stores.graph, dir, book, csc, x, labels, split)
	if err := stores.close(); werr == nil && err != nil {
		werr = fmt.Errorf("train: prepare: %w", err)
	}
	if werr != nil {
		return nil, werr
	}
	gc.writeMap(ctx, &g, &book)
	log.Info("gas store written", "dir", dir, "feature_server", g.FeatureServer, "graph_server", g.GraphServer, "nodes", book.Nodes, "edges", book.Edges, "parts", len(ptr)-1, "seconds", time.Since(start).Seconds())
	return &book, nil
}

func openGASStore(ctx context.Context, cfg *Config, log *slog.Logger) (*GASData, error) {
	dir := cfg.GAS.Store
	book, err := gas.ReadBook(dir)
	if err != nil {
		return nil, fmt.Errorf("train: gas.store %s: %w (write it with trainer --prepare)", dir, err)
	}
	var popts *pebblestore.Options
	if mb := cfg.GAS.StoreCacheMB; mb > 0 {
		popts = &pebblestore.Options{RowCacheBytes: int64(mb) << 20}
	}
	g, gc, err := discoverServers(ctx, cfg, len(book.GraphShards), log)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	stores, err := openGASStores(ctx, &g, popts, false, log)
	if err != nil {
		gc.close()
		return nil, fmt.Errorf("train: %w", err)
	}
	if gc != nil {
		stores.closers = append([]func() error{gc.close}, stores.closers...)
		gc.writeMap(ctx, &g, book)
		gc.follow(stores.featureSet, stores.graphSets)
	}
	fail := func(err error) (*GASData, error) {
		stores.close()
		return nil, fmt.Errorf("train: gas.store %s: %w", dir, err)
	}
	src, err := gas.NewStoreSource(ctx, stores.features, book)
	if err != nil {
		if g.FeatureServer != "" {
			err = fmt.Errorf("feature server %s: %w", g.FeatureServer, err)
		}
		return fail(err)
	}
	view, err := gas.OpenGraph(ctx, book, stores.readers())
	if err != nil {
		if g.GraphServer != "" {
			err = fmt.Errorf("graph server %s: %w", g.GraphServer, err)
		}
		return fail(err)
	}
	if view.NumNodes() != book.Nodes {
		return fail(fmt.Errorf("the graph has %d nodes, the book %d", view.NumNodes(), book.Nodes))
	}
	if cfg.GAS.NumParts != 0 && cfg.GAS.NumParts != len(book.Ptr)-1 {
		return fail(fmt.Errorf("gas.num_parts is %d but the store was partitioned into %d", cfg.GAS.NumParts, len(book.Ptr)-1))
	}
	cfg.GAS.NumParts = len(book.Ptr) - 1
	cfg.GAS.sizes(book.Nodes)
	log.Info("gas store opened", "dir", dir, "feature_server", g.FeatureServer, "graph_server", g.GraphServer, "nodes", book.Nodes, "edges", book.Edges, "parts", cfg.GAS.NumParts)
	return &GASData{Name: book.Name, Src: src, Graph: view, Ptr: book.Ptr, NumEdges: book.Edges, Log: log, close: stores.close,
		graphStores: stores.graph}, nil
}
