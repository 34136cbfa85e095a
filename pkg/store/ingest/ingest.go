package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/partition"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Store is what ingest writes to.
type Store interface {
	store.FeatureStore
	store.GraphStore
}

// Attribute names written by Run, in Options.Group.
const (
	AttrFeatures = "x"     // Nodes x F features
	AttrLabels   = "y"     // Nodes x 1 class ids (exact as float32 below 2^24)
	AttrSplit    = "split" // Nodes x 1: 0 train, 1 valid, 2 test, -1 none
)

// Options configures Run.
type Options struct {
	// Dataset is an OGB raw-layout folder; "" ingests only Features.
	Dataset string
	// Features is a .npy or .parquet file whose rows replace
	// raw/node-feat.csv.gz; "" uses the folder's feature file if present.
	Features string
	// Column selects the Parquet column (see OpenParquet).
	Column string
	// Split names the split folder under split/ ("" picks the first).
	Split string
	// Group is the node type of the attributes; default "node".
	Group string
	// EdgeType is where the edges go; default store.DefaultEdgeType.
	EdgeType store.EdgeType
	// Parts > 1 partitions the graph into that many parts and renumbers the
	// nodes so that every part is one contiguous id range.
	Parts int
	// Seed makes the partition reproducible.
	Seed uint64
	// BatchRows is the number of rows per write; default 65536.
	BatchRows int
	// Resume continues an interrupted ingest into the same store: existing
	// attributes of the same shape are kept and only rows after the last
	// acknowledged batch are written.
	Resume bool
	// Progress shows each phase; nil shows nothing.
	Progress *Progress
	// Logger receives one line per phase; default slog.Default().
	Logger *slog.Logger
	// OnAck, if set, is called after each write is acknowledged (durable):
	// what names the attribute or edge type, [lo, hi) the rows written.
	OnAck func(what string, lo, hi int64)
}

// Result describes what Run wrote.
type Result struct {
	Nodes        int
	Edges        int64
	FeatureCols  int
	FeatureRows  int64
	FeatureFrom  string
	Labels       bool
	Classes      int
	Split        map[string]int // nodes per split part
	SplitName    string
	Parts        int
	Ptr          []int64 // part p owns the new ids [Ptr[p], Ptr[p+1])
	Perm         []int32 // Perm[new] = old; nil without partitioning
	Cut          int64
	Imbalance    float64
	SkippedRows  int64 // rows already present when resuming
	SkippedEdges bool
}

func (o *Options) defaults() {
	if o.Group == "" {
		o.Group = "node"
	}
	if o.EdgeType == (store.EdgeType{}) {
		o.EdgeType = store.DefaultEdgeType
	}
	if o.BatchRows <= 0 {
		o.BatchRows = 1 << 16
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Run ingests according to o. Each write is atomic; on error the store
// holds every batch acknowledged before it.
func Run(ctx context.Context, s Store, o Options) (*Result, error) {
	o.defaults()
	if o.Dataset == "" && o.Features == "" {
		return nil, errors.New("ingest: nothing to ingest: give a dataset folder or a features file")
	}
	res := &Result{Split: map[string]int{}}
	var inv []int32 // old id -> new id; nil without partitioning
	n := -1
	if o.Dataset != "" {
		nodes, err := readCount(filepath.Join(o.Dataset, dataset.NumNodesFile), "node count")
		if err != nil {
			return nil, err
		}
		n = int(nodes)
		res.Nodes = n
		coo, err := readEdges(ctx, o, n)
		if err != nil {
			return nil, err
		}
		res.Edges = coo.NumEdges()
		if o.Parts > 1 {
			if inv, err = partitionGraph(ctx, o, &coo, res); err != nil {
				return nil, err
			}
		}
		if err := putEdges(ctx, s, o, coo, res); err != nil {
			return nil, err
		}
	}
	src, from, err := openFeatures(ctx, o)
	if err != nil {
		return nil, err
	}
	if src != nil {
		defer src.Close()
		rows, cols := src.Shape()
		if n >= 0 && rows != int64(n) {
			return nil, fmt.Errorf("ingest: %s has %d rows, the data set has %d nodes", from, rows, n)
		}
		if n < 0 {
			res.Nodes = int(rows)
		}
		res.FeatureFrom, res.FeatureCols, res.FeatureRows = from, cols, rows
		if err := putRows(ctx, s, o, store.Key{Group: o.Group, Name: AttrFeatures}, src, rows, cols, inv, res); err != nil {
			return nil, err
		}
	}
	if o.Dataset != "" {
		if err := putLabels(ctx, s, o, n, inv, res); err != nil {
			return nil, err
		}
		if err := putSplit(ctx, s, o, n, inv, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// partitionGraph partitions the graph, renumbers coo in place and returns
// old -> new ids.
func partitionGraph(ctx context.Context, o Options, coo *graph.COO, res *Result) ([]int32, error) {
	o.Progress.Start("partition", 0, "")
	g, err := partition.FromCOO(coo)
	if err != nil {
		return nil, fmt.Errorf("ingest: partition: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := partition.Partition(g, o.Parts, &partition.Options{Seed: o.Seed})
	if err != nil {
		return nil, fmt.Errorf("ingest: partition: %w", err)
	}
	perm, ptr, err := partition.Renumber(p.Part, o.Parts)
	if err != nil {
		return nil, fmt.Errorf("ingest: partition: %w", err)
	}
	inv := partition.Inverse(perm)
	for e := range coo.Src {
		coo.Src[e], coo.Dst[e] = inv[coo.Src[e]], inv[coo.Dst[e]]
	}
	res.Parts, res.Ptr, res.Perm, res.Cut, res.Imbalance = o.Parts, ptr, perm, p.Cut, p.Imbalance
	o.Progress.Done()
	o.Logger.Info("ingest: partitioned", "parts", o.Parts, "cut", p.Cut, "imbalance", p.Imbalance)
	return inv, nil
}

// putEdges stores the edge index (one atomic put), or keeps an identical
// one when resuming.
func putEdges(ctx context.Context, s Store, o Options, coo graph.COO, res *Result) error {
	if o.Resume {
		if info, err := s.EdgeInfo(ctx, o.EdgeType); err == nil && info.NumNodes == coo.NumNodes && info.NumEdges == coo.NumEdges() {
			res.SkippedEdges = true
			return nil
		}
	}
	o.Progress.Start("store edges", coo.NumEdges(), "edges")
	if err := s.PutEdges(ctx, o.EdgeType, store.FromCOO(coo)); err != nil {
		return err
	}
	o.Progress.Add(coo.NumEdges())
	o.Progress.Done()
	if o.OnAck != nil {
		o.OnAck(o.EdgeType.String(), 0, coo.NumEdges())
	}
	return nil
}

// ensureAttr creates key, or with Resume keeps an existing attribute of the
// same shape and returns the first row to write (the rows before it, a
// prefix of whole batches, are present).
func ensureAttr(ctx context.Context, s Store, o Options, key store.Key, rows int64, cols int) (int64, error) {
	info := store.AttrInfo{Key: key, Rows: rows, Cols: cols}
	err := s.Create(ctx, info)
	if err == nil {
		return 0, nil
	}
	if !o.Resume || !errors.Is(err, store.ErrExists) {
		return 0, err
	}
	got, err := s.Info(ctx, key)
	if err != nil {
		return 0, err
	}
	if got != info {
		return 0, fmt.Errorf("ingest: resume: %v is %dx%d in the store, the input is %dx%d", key, got.Rows, got.Cols, rows, cols)
	}
	// Batches are written in order, so the present ones are a prefix: find
	// the first batch whose last row is absent.
	batch := int64(o.BatchRows)
	nb := (rows + batch - 1) / batch
	lo, hi := int64(0), nb
	one := tensor.New(1, cols)
	for lo < hi {
		mid := (lo + hi) / 2
		last := min((mid+1)*batch, rows) - 1
		err := s.Get(ctx, key, []int64{last}, one)
		switch {
		case err == nil:
			lo = mid + 1
		case errors.Is(err, store.ErrNotFound):
			hi = mid
		default:
			return 0, err
		}
	}
	return lo * batch, nil
}

// putRows copies rows x cols from src into key in batches (renumbered
// through inv when set).
func putRows(ctx context.Context, s Store, o Options, key store.Key, src rowSource, rows int64, cols int, inv []int32, res *Result) error {
	start, err := ensureAttr(ctx, s, o, key, rows, cols)
	if err != nil {
		return err
	}
	res.SkippedRows = start
	o.Progress.Start("features", rows, "rows")
	buf := tensor.New(o.BatchRows, cols)
	ids := make([]int64, o.BatchRows)
	for lo := int64(0); lo < rows; {
		want := int(min(int64(o.BatchRows), rows-lo))
		b := buf.RowView(0, want)
		got := 0
		for got < want {
			k, err := src.Read(b.RowView(got, want))
			got += k
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
		}
		if got != want {
			return fmt.Errorf("ingest: features end after %d of %d rows", lo+int64(got), rows)
		}
		hi := lo + int64(want)
		if lo >= start { // rows before start are present (resume)
			var err error
			if inv == nil {
				err = store.PutRange(ctx, s, key, lo, b)
			} else {
				for i := range want {
					ids[i] = int64(inv[lo+int64(i)])
				}
				err = s.Put(ctx, key, ids[:want], b)
			}
			if err != nil {
				return err
			}
			if o.OnAck != nil {
				o.OnAck(key.String(), lo, hi)
			}
		}
		o.Progress.Add(int64(want))
		lo = hi
	}
	o.Progress.Done()
	return nil
}

// putLabels writes raw/node-label.csv.gz (if present) as Group/y.
func putLabels(ctx context.Context, s Store, o Options, n int, inv []int32, res *Result) error {
	path := filepath.Join(o.Dataset, dataset.LabelFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	r, err := dataset.OpenIntReader(path, -1, "label") // -1: any int32
	if err != nil {
		return err
	}
	defer r.Close()
	labels := make([]int32, n+1)
	k, err := r.Read(labels)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if k != n {
		return fmt.Errorf("ingest: %s: %d labels for %d nodes", path, k, n)
	}
	col := tensor.New(n, 1)
	for old, y := range labels[:n] {
		if y >= 1<<24 {
			return fmt.Errorf("ingest: %s: line %d: class %d is not exact as float32", path, old+1, y)
		}
		res.Classes = max(res.Classes, int(y)+1)
		col.Data[newID(inv, old)] = float32(y)
	}
	res.Labels = true
	return writeColumn(ctx, s, o, store.Key{Group: o.Group, Name: AttrLabels}, col)
}

// putSplit writes the split as Group/split codes.
func putSplit(ctx context.Context, s Store, o Options, n int, inv []int32, res *Result) error {
	names, err := dataset.Splits(o.Dataset)
	if err != nil || len(names) == 0 {
		return err
	}
	name := names[0]
	if o.Split != "" {
		name = o.Split
	}
	res.SplitName = name
	col := tensor.New(n, 1)
	col.Fill(-1)
	for code, file := range dataset.SplitFiles {
		path := filepath.Join(o.Dataset, dataset.SplitDir, name, file)
		r, err := dataset.OpenIntReader(path, int64(n), "node id")
		if err != nil {
			return err
		}
		buf := make([]int32, 1<<16)
		for {
			k, err := r.Read(buf)
			for _, v := range buf[:k] {
				if col.Data[newID(inv, int(v))] != -1 {
					r.Close()
					return fmt.Errorf("ingest: %s: node %d is in two split parts", path, v)
				}
				col.Data[newID(inv, int(v))] = float32(code)
			}
			res.Split[strings.TrimSuffix(file, ".csv.gz")] += k
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				r.Close()
				return err
			}
		}
		r.Close()
	}
	return writeColumn(ctx, s, o, store.Key{Group: o.Group, Name: AttrSplit}, col)
}

func newID(inv []int32, old int) int {
	if inv == nil {
		return old
	}
	return int(inv[old])
}

// writeColumn writes an in-memory attribute in batches.
func writeColumn(ctx context.Context, s Store, o Options, key store.Key, col *tensor.Dense) error {
	start, err := ensureAttr(ctx, s, o, key, int64(col.Rows), col.Cols)
	if err != nil {
		return err
	}
	for lo := int(start); lo < col.Rows; lo += o.BatchRows {
		hi := min(lo+o.BatchRows, col.Rows)
		if err := store.PutRange(ctx, s, key, int64(lo), col.RowView(lo, hi)); err != nil {
			return err
		}
		if o.OnAck != nil {
			o.OnAck(key.String(), int64(lo), int64(hi))
		}
	}
	return nil
}
