package gas

import (
	"context"
	"fmt"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/history"
	"github.com/gnnscale/gnnscale/pkg/sampling"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// SparseBelow is the feature density under which a batch's features get
// a sparse form too (bag-of-words features multiply faster through SpMM).
const SparseBelow = 0.1

// FeatureBuffer is the reusable destination of a batch's features: pass
// the same buffer to [Assemble] every step to reuse its storage. The
// features of a batch stay valid until the buffer's next use.
type FeatureBuffer struct {
	x  *tensor.Dense
	nz *tensor.CSR // the pattern of the last sparse fill: x is zero elsewhere
}

// Assemble turns a sampling.GASBatch into a Batch: the adjacency (which
// keeps referring to gb's arrays), the in-batch ranges and, when buf is
// not nil, the features of every node of the batch read from src into
// buf. A [SparseSource] hands over the batch's rows in sparse form; the
// dense form is then filled from the nonzeros alone.
func Assemble(ctx context.Context, src Source, t *ad.Tape, gb *sampling.GASBatch, buf *FeatureBuffer) (*Batch, error) {
	adj, err := ad.NewSparse(gb.Adj)
	if err != nil {
		return nil, fmt.Errorf("gas: batch %v: %w", gb.Parts, err)
	}
	b := &Batch{Adj: adj, NID: gb.NID, BatchSize: gb.BatchSize, Ranges: make([]history.Range, len(gb.Offset))}
	for i := range gb.Offset {
		b.Ranges[i] = history.Range{Offset: gb.Offset[i], Count: gb.Count[i]}
	}
	if buf == nil {
		return b, nil
	}
	rows, cols := len(gb.NID), src.NumFeatures()
	if ss, ok := src.(SparseSource); ok {
		m, err := ss.SparseFeatures(ctx, b.Ranges, b.Halo())
		if err != nil {
			return nil, err
		}
		if m != nil {
			if m.Rows != rows || m.Cols != cols {
				return nil, fmt.Errorf("gas: batch %v: sparse features %dx%d, want %dx%d", gb.Parts, m.Rows, m.Cols, rows, cols)
			}
			sp, err := ad.NewFeatureSparse(*m)
			if err != nil {
				return nil, fmt.Errorf("gas: batch %v: %w", gb.Parts, err)
			}
			b.X = t.ConstSparse(buf.fill(m), sp)
			return b, nil
		}
	}
	buf.nz = nil
	buf.x = reuse(buf.x, rows, cols)
	if err := src.Features(ctx, b.Ranges, b.Halo(), buf.x); err != nil {
		return nil, err
	}
	b.X = Input(t, buf.x)
	return b, nil
}

// fill sets the buffer to the dense form of m and returns it. When the
// buffer last held a sparse fill, only that fill's nonzeros are cleared
// (O(nnz), not O(rows x cols)); a fresh buffer is zero already.
func (buf *FeatureBuffer) fill(m *tensor.CSR) *tensor.Dense {
	n := m.Rows * m.Cols
	switch {
	case buf.x == nil || cap(buf.x.Data) < n:
		buf.x = tensor.New(m.Rows, m.Cols)
	case buf.nz != nil && buf.x.Cols == m.Cols:
		p := buf.nz
		for i := 0; i < p.Rows; i++ {
			row := buf.x.Data[i*p.Cols : (i+1)*p.Cols]
			for k := p.Indptr[i]; k < p.Indptr[i+1]; k++ {
				row[p.Indices[k]] = 0
			}
		}
		buf.x = tensor.FromSlice(m.Rows, m.Cols, buf.x.Data[:n])
	default:
		buf.x = tensor.FromSlice(m.Rows, m.Cols, buf.x.Data[:n])
		clear(buf.x.Data)
	}
	for i := 0; i < m.Rows; i++ {
		row := buf.x.Data[i*m.Cols : (i+1)*m.Cols]
		for k := m.Indptr[i]; k < m.Indptr[i+1]; k++ {
			row[m.Indices[k]] = m.Values[k]
		}
	}
	buf.nz = m
	return buf.x
}

// sparse reports whether x's density is below SparseBelow.
func sparse(x *tensor.Dense) bool {
	nz := 0
	for i := 0; i < x.Rows; i++ {
		for _, v := range x.Row(i) {
			if v != 0 {
				nz++
			}
		}
	}
	return float64(nz) < SparseBelow*float64(max(x.Rows*x.Cols, 1))
}

// Input wraps features as a tape constant, with a sparse form when they
// are mostly zeros.
func Input(t *ad.Tape, x *tensor.Dense) *ad.Var {
	if sparse(x) {
		return t.ConstSparse(x, ad.FeatureCSR(x))
	}
	return t.Const(x)
}

// reuse returns a rows x cols matrix backed by d's storage when it is
// large enough.
func reuse(d *tensor.Dense, rows, cols int) *tensor.Dense {
	if d != nil && cap(d.Data) >= rows*cols {
		return tensor.FromSlice(rows, cols, d.Data[:rows*cols])
	}
	return tensor.New(rows, cols)
}

// GroupSet is the [EvalSet] of fixed contiguous partition groups (PyGAS's
// EvalSubgraphLoader): batch j holds partitions [j*per, (j+1)*per).
// With Cache the batches' structure (not their features, unless
// CacheFeatures) is built once and kept, up to CacheBytes; otherwise every
// Get builds the batch again from the graph source, so memory stays at one
// batch.
type GroupSet struct {
	src     Source
	batcher *sampling.GASBatcher
	groups  [][]int
	tape    *ad.Tape
	cache   []*sampling.GASBatch
	feats   []*ad.Var // cached features (value and sparse form)
	cached  int64     // bytes held by cache and feats
	opts    GroupSetOptions
}

// GroupSetOptions configure a GroupSet.
type GroupSetOptions struct {
	PartsPerBatch int
	GAS           sampling.GASOptions
	// Cache keeps every batch's structure after it is first built;
	// CacheFeatures keeps its features too.
	Cache, CacheFeatures bool
	// CacheBytes bounds what the cache holds (0 = no bound): once full,
	// further batches are built afresh on every use.
	CacheBytes int64
}

// NewGroupSet returns the evaluation batches over the partition book ptr.
// The tape t wraps the features of the batches it returns.
func NewGroupSet(src Source, g sampling.NeighborSource, ptr []int64, t *ad.Tape, o GroupSetOptions) (*GroupSet, error) {
	if o.PartsPerBatch < 1 {
		return nil, fmt.Errorf("gas: eval batches: %d partitions per batch", o.PartsPerBatch)
	}
	b, err := sampling.NewGASBatcher(g, ptr, o.GAS)
	if err != nil {
		return nil, fmt.Errorf("gas: eval batches: %w", err)
	}
	groups := sampling.GASGroups(len(ptr)-1, o.PartsPerBatch, false, 0, 0)
	s := &GroupSet{src: src, batcher: b, groups: groups, tape: t, opts: o}
	s.cache = make([]*sampling.GASBatch, len(groups))
	s.feats = make([]*ad.Var, len(groups))
	return s, nil
}

func (s *GroupSet) Len() int { return len(s.groups) }

// fits reports whether n more bytes stay within the cache's bound.
func (s *GroupSet) fits(n int64) bool {
	return s.opts.CacheBytes <= 0 || s.cached+n <= s.opts.CacheBytes
}

// CachedBytes returns the bytes the cache holds.
func (s *GroupSet) CachedBytes() int64 { return s.cached }

func (s *GroupSet) Get(ctx context.Context, j int, withX bool) (*Batch, error) {
	if j < 0 || j >= len(s.groups) {
		return nil, fmt.Errorf("gas: eval batch %d of %d", j, len(s.groups))
	}
	gb := s.cache[j]
	if gb == nil {
		gb = new(sampling.GASBatch)
		if err := s.batcher.Build(ctx, s.groups[j], gb); err != nil {
			return nil, err
		}
		if n := gb.Bytes(); s.opts.Cache && s.fits(n) {
			s.cache[j], s.cached = gb, s.cached+n
		}
	}
	if !withX {
		return Assemble(ctx, s.src, s.tape, gb, nil)
	}
	if x := s.feats[j]; x != nil {
		b, err := Assemble(ctx, s.src, s.tape, gb, nil)
		if err == nil {
			if sp := x.SparseForm(); sp != nil {
				b.X = s.tape.ConstSparse(x.Value, sp)
			} else {
				b.X = s.tape.Const(x.Value)
			}
		}
		return b, err
	}
	b, err := Assemble(ctx, s.src, s.tape, gb, new(FeatureBuffer))
	if err == nil && s.opts.CacheFeatures {
		if n := b.X.Bytes(); s.fits(n) {
			s.feats[j], s.cached = b.X, s.cached+n
		}
	}
	return b, err
}
