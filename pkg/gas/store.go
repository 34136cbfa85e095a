package gas

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/history"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// A GAS data folder holds a store of the renumbered data set (features
// "node/x", labels "node/y", split codes "node/split", the in-neighbour
// topology under store.DefaultEdgeType) in the subfolder "store", and the
// partition book in "book.json".
const (
	StoreSubdir = "store"
	BookFile    = "book.json"
)

// Attribute keys of a GAS data folder's store.
var (
	KeyX     = store.Key{Group: "node", Name: "x"}
	KeyY     = store.Key{Group: "node", Name: "y"}
	KeySplit = store.Key{Group: "node", Name: "split"}
)

// Book describes a GAS data folder: partition p owns the renumbered node
// ids [Ptr[p], Ptr[p+1]).
type Book struct {
	Name     string  `json:"name"`
	Nodes    int     `json:"nodes"`
	Edges    int64   `json:"edges"`
	Features int     `json:"features"`
	Classes  int     `json:"classes"`
	Ptr      []int64 `json:"ptr"`
	// GraphShards, when the topology was cut for several graph stores,
	// holds each one's edge count (see ShardBounds).
	GraphShards []int64 `json:"graph_shards,omitempty"`
}

// ShardBounds returns the node ranges of s graph shards: shard i holds the
// in-neighbours of partitions [i*P/s, (i+1)*P/s) of the book's P, that is
// of nodes [bounds[i], bounds[i+1]).
func (b *Book) ShardBounds(s int) []int64 {
	p := len(b.Ptr) - 1
	bounds := make([]int64, s+1)
	for i := range bounds {
		bounds[i] = b.Ptr[i*p/s]
	}
	return bounds
}

// ErrBook marks a missing or inconsistent book.json.
var ErrBook = errors.New("gas: bad partition book")

// ReadBook reads and checks dir/book.json.
func ReadBook(dir string) (*Book, error) {
	path := filepath.Join(dir, BookFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBook, err)
	}
	var b Book
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBook, path, err)
	}
	switch {
	case b.Nodes < 1 || b.Features < 1 || b.Classes < 1:
		return nil, fmt.Errorf("%w: %s: nodes %d, features %d, classes %d (all must be >= 1)", ErrBook, path, b.Nodes, b.Features, b.Classes)
	case len(b.Ptr) < 2 || b.Ptr[0] != 0 || b.Ptr[len(b.Ptr)-1] != int64(b.Nodes):
		return nil, fmt.Errorf("%w: %s: ptr must run from 0 to nodes %d in >= 2 entries", ErrBook, path, b.Nodes)
	}
	for p := 1; p < len(b.Ptr); p++ {
		if b.Ptr[p] < b.Ptr[p-1] {
			return nil, fmt.Errorf("%w: %s: ptr[%d] = %d < ptr[%d] = %d", ErrBook, path, p, b.Ptr[p], p-1, b.Ptr[p-1])
		}
	}
	var sum int64
	for i, m := range b.GraphShards {
		if m < 0 {
			return nil, fmt.Errorf("%w: %s: graph_shards[%d] = %d", ErrBook, path, i, m)
		}
		sum += m
	}
	if len(b.GraphShards) > 0 && sum != b.Edges {
		return nil, fmt.Errorf("%w: %s: graph_shards add up to %d edges, not %d", ErrBook, path, sum, b.Edges)
	}
	return &b, nil
}

// WriteStore writes a renumbered data set: the features, labels and split
// into fs, the topology into gs (one store may hold both, or be a server),
// and the book into dir/book.json (last, so a folder with a book is
// complete). With several graph stores the topology is cut by
// book.ShardBounds: each holds the in-neighbours of its nodes, and the
// book records their edge counts. csc is the in-neighbour topology, x the
// features, labels and split the targets (split codes SplitTrain...);
// rows are written in batches of at most 16 MiB.
func WriteStore(ctx context.Context, fs store.FeatureStore, gs []store.GraphStore, dir string, book Book, csc graph.CSC, x *tensor.Dense, labels []int32, split []int8) error {
	n := book.Nodes
	if x.Rows != n || len(labels) != n || len(split) != n || csc.NumNodes != n {
		return fmt.Errorf("gas: write store: %d nodes, %d feature rows, %d labels, %d split codes, %d graph nodes", n, x.Rows, len(labels), len(split), csc.NumNodes)
	}
	if len(gs) == 0 || len(gs) > len(book.Ptr)-1 {
		return fmt.Errorf("gas: write store: %d graph stores for %d partitions", len(gs), len(book.Ptr)-1)
	}
	if len(gs) == 1 {
		if err := gs[0].PutEdges(ctx, store.DefaultEdgeType, store.FromCSC(csc)); err != nil {
			return fmt.Errorf("gas: write store: edges: %w", err)
		}
	} else {
		bounds := book.ShardBounds(len(gs))
		book.GraphShards = make([]int64, len(gs))
		for i, g := range gs {
			part := csc.MajorRange(int(bounds[i]), int(bounds[i+1]))
			if err := g.PutEdges(ctx, store.DefaultEdgeType, store.FromCSC(graph.CSC{Compressed: part})); err != nil {
				return fmt.Errorf("gas: write store: edges of shard %d (nodes [%d, %d)): %w", i, bounds[i], bounds[i+1], err)
			}
			book.GraphShards[i] = part.NumEdges()
		}
	}
	if err := putColumn(ctx, fs, KeyX, x); err != nil {
		return err
	}
	col := tensor.New(n, 1)
	for i, l := range labels {
		col.Data[i] = float32(l)
	}
	if err := putColumn(ctx, fs, KeyY, col); err != nil {
		return err
	}
	for i, c := range split {
		col.Data[i] = float32(c)
	}
	if err := putColumn(ctx, fs, KeySplit, col); err != nil {
		return err
	}
	data, err := json.MarshalIndent(book, "", " ")
	if err != nil {
		return fmt.Errorf("gas: write store: %w", err)
	}
	tmp := filepath.Join(dir, BookFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("gas: write store: %w", err)
	}
	return os.Rename(tmp, filepath.Join(dir, BookFile))
}

func putColumn(ctx context.Context, s store.FeatureStore, key store.Key, m *tensor.Dense) error {
	if err := s.Create(ctx, store.AttrInfo{Key: key, Rows: int64(m.Rows), Cols: m.Cols}); err != nil {
		return fmt.Errorf("gas: write store: %s: %w", key, err)
	}
	chunk := max(1, (16<<20)/(4*m.Cols))
	for lo := 0; lo < m.Rows; lo += chunk {
		hi := min(lo+chunk, m.Rows)
		if err := store.PutRange(ctx, s, key, int64(lo), m.RowView(lo, hi)); err != nil {
			return fmt.Errorf("gas: write store: %s rows [%d, %d): %w", key, lo, hi, err)
		}
	}
	return nil
}

// StoreSource is a Source that reads every row through a
// store.FeatureReader: nothing of size N is held in memory.
type StoreSource struct {
	r    store.FeatureReader
	book *Book
	col  *tensor.Dense // scratch for labels and split codes
	ids  []int64
}

// NewStoreSource checks that r holds the attributes book promises.
func NewStoreSource(ctx context.Context, r store.FeatureReader, book *Book) (*StoreSource, error) {
	for _, want := range []store.AttrInfo{
		{Key: KeyX, Rows: int64(book.Nodes), Cols: book.Features},
		{Key: KeyY, Rows: int64(book.Nodes), Cols: 1},
		{Key: KeySplit, Rows: int64(book.Nodes), Cols: 1},
	} {
		got, err := r.Info(ctx, want.Key)
		if err != nil {
			return nil, fmt.Errorf("gas: store source: %w", err)
		}
		if got.Rows != want.Rows || got.Cols != want.Cols {
			return nil, fmt.Errorf("gas: store source: %s is %dx%d, the book says %dx%d", want.Key, got.Rows, got.Cols, want.Rows, want.Cols)
		}
	}
	return &StoreSource{r: r, book: book}, nil
}

func (s *StoreSource) NumNodes() int    { return s.book.Nodes }
func (s *StoreSource) NumFeatures() int { return s.book.Features }
func (s *StoreSource) NumClasses() int  { return s.book.Classes }

func (s *StoreSource) Features(ctx context.Context, ranges []history.Range, ids []int32, dst *tensor.Dense) error {
	at := 0
	for _, r := range ranges {
		if err := store.GetRange(ctx, s.r, KeyX, r.Offset, dst.RowView(at, at+int(r.Count))); err != nil {
			return fmt.Errorf("gas: features: %w", err)
		}
		at += int(r.Count)
	}
	if len(ids) == 0 {
		return nil
	}
	s.ids = s.ids[:0]
	for _, id := range ids {
		s.ids = append(s.ids, int64(id))
	}
	if err := s.r.Get(ctx, KeyX, s.ids, dst.RowView(at, at+len(ids))); err != nil {
		return fmt.Errorf("gas: features: %w", err)
	}
	return nil
}

func (s *StoreSource) Targets(ctx context.Context, ranges []history.Range, labels []int32, split []int8) error {
	at := 0
	for _, r := range ranges {
		n := int(r.Count)
		s.col = reuse(s.col, n, 1)
		if err := store.GetRange(ctx, s.r, KeyY, r.Offset, s.col); err != nil {
			return fmt.Errorf("gas: labels: %w", err)
		}
		for i, v := range s.col.Data[:n] {
			labels[at+i] = int32(v)
		}
		if err := store.GetRange(ctx, s.r, KeySplit, r.Offset, s.col); err != nil {
			return fmt.Errorf("gas: split: %w", err)
		}
		for i, v := range s.col.Data[:n] {
			split[at+i] = int8(v)
		}
		at += n
	}
	return nil
}

// OpenGraph returns the neighbour source of a data set written by
// WriteStore to the graph stores gs, which must be as many, in the same
// order: a shard's edge count that differs from the book's is an error.
func OpenGraph(ctx context.Context, book *Book, gs []store.NeighborReader) (*store.NeighborView, error) {
	shards := max(1, len(book.GraphShards))
	if len(gs) != shards {
		return nil, fmt.Errorf("gas: the topology was written to %d graph stores, %d given", shards, len(gs))
	}
	if len(gs) == 1 {
		return store.View(ctx, gs[0], store.DefaultEdgeType)
	}
	for i, g := range gs {
		info, err := g.EdgeInfo(ctx, store.DefaultEdgeType)
		if err != nil {
			return nil, fmt.Errorf("gas: graph shard %d: %w", i, err)
		}
		if info.NumEdges != book.GraphShards[i] {
			return nil, fmt.Errorf("gas: graph shard %d holds %d edges, the book says %d (graph stores given in another order?)", i, info.NumEdges, book.GraphShards[i])
		}
	}
	r, err := store.NewRanged(gs, book.ShardBounds(len(gs)))
	if err != nil {
		return nil, err
	}
	return store.View(ctx, r, store.DefaultEdgeType)
}
