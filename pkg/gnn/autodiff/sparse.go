package autodiff

import (
	"fmt"
	"sync"

	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Sparse is a sparse aggregation operand: a CSR whose rows are target nodes
// and whose columns are source nodes (a graph's CSC matrix), plus what the
// backward passes and layers derive from it, computed once and cached: the
// transpose, the row of every entry, the segment matrix, and derived
// adjacencies (GCN-normalised, with self loops) keyed by name.
//
// Rectangular matrices are allowed: Rows targets, Cols >= Rows sources,
// where target i is source i (PyG's bipartite x = (x_src, x_dst) with
// x_dst = x_src[:Rows]). A Sparse must not be modified after creation; it is
// safe for concurrent use.
type Sparse struct {
	m tensor.CSR
	// edgeList marks the COO form: layers materialise one message per edge
	// and scatter them to targets (PyG's edge_index path) instead of using
	// fused SpMM kernels (PyG's SparseTensor path).
	edgeList bool
	segment  bool // a Segments matrix: Indices = 0..NNZ-1

	once    sync.Once
	tr      tensor.CSR // transpose (Cols x Rows), values permuted
	perm    []int64    // tr entry j is m entry perm[j]
	base    *Sparse    // same structure, transpose structure already computed
	rowOnce sync.Once
	rowOf   []int32
	segOnce sync.Once
	seg     *Sparse
	cntOnce sync.Once
	invCnt  []float32 // 1 / entries per row (0 for empty rows)

	mu      sync.Mutex
	derived map[string]*Sparse
}

// NewSparse validates m and wraps it. The matrix is not copied and must not
// be modified afterwards.
func NewSparse(m tensor.CSR) (*Sparse, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("autodiff: %w", err)
	}
	if m.Cols < m.Rows {
		return nil, fmt.Errorf("autodiff: adjacency is %dx%d: targets must be the first rows of the sources (cols >= rows)", m.Rows, m.Cols)
	}
	return &Sparse{m: m}, nil
}

// MustSparse is NewSparse for matrices built by the program itself; it
// panics on an invalid matrix.
func MustSparse(m tensor.CSR) *Sparse {
	s, err := NewSparse(m)
	if err != nil {
		panic(err)
	}
	return s
}

// Matrix returns the CSR (shared, not a copy).
func (s *Sparse) Matrix() tensor.CSR { return s.m }

// Rows returns the number of targets.
func (s *Sparse) Rows() int { return s.m.Rows }

// Cols returns the number of sources.
func (s *Sparse) Cols() int { return s.m.Cols }

// NNZ returns the number of entries (edges).
func (s *Sparse) NNZ() int { return int(s.m.NNZ()) }

// Square reports whether targets and sources are the same node set.
func (s *Sparse) Square() bool { return s.m.Rows == s.m.Cols }

// EdgeList reports whether s is in COO form (see [Sparse.AsEdgeList]).
func (s *Sparse) EdgeList() bool { return s.edgeList }

// AsEdgeList returns s in COO form: the same edges, but layers compute a
// message per edge and scatter it, the way PyG handles an edge_index. The
// result must agree with s's fused path; gnntest checks that it does.
func (s *Sparse) AsEdgeList() *Sparse {
	return &Sparse{m: s.m, edgeList: true}
}

// WithValues returns a Sparse with s's structure and the given values (len
// NNZ, nil for all ones). Its caches start empty.
func (s *Sparse) WithValues(vals []float32) *Sparse {
	if vals != nil && len(vals) != s.NNZ() {
		panic(fmt.Sprintf("autodiff: WithValues: %d values for %d entries", len(vals), s.NNZ()))
	}
	m := s.m
	m.Values = vals
	return &Sparse{m: m, edgeList: s.edgeList}
}

// Revalue returns a Sparse with s's structure and new values (len NNZ):
// unlike WithValues it shares s's transpose structure, so a matrix whose
// values change every step (dropped-out features) transposes in O(NNZ)
// without re-sorting.
func (s *Sparse) Revalue(vals []float32) *Sparse {
	if len(vals) != s.NNZ() {
		panic(fmt.Sprintf("autodiff: Revalue: %d values for %d entries", len(vals), s.NNZ()))
	}
	m := s.m
	m.Values = vals
	return &Sparse{m: m, edgeList: s.edgeList, base: s}
}

// NewFeatureSparse validates m and wraps it as the sparse form of a feature
// matrix (any shape, unlike an adjacency), as [FeatureCSR] builds from a
// dense one. The matrix is not copied and must not be modified afterwards.
func NewFeatureSparse(m tensor.CSR) (*Sparse, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("autodiff: features: %w", err)
	}
	return &Sparse{m: m}, nil
}

// FeatureCSR returns the non-zero entries of x as a Sparse (rows x cols,
// any shape): the sparse form of bag-of-words node features, which
// Linear multiplies with SpMM instead of a dense GEMM.
func FeatureCSR(x *tensor.Dense) *Sparse {
	m := tensor.CSR{Rows: x.Rows, Cols: x.Cols, Indptr: make([]int64, x.Rows+1)}
	for i := 0; i < x.Rows; i++ {
		for j, v := range x.Row(i) {
			if v != 0 {
				m.Indices = append(m.Indices, int32(j))
				m.Values = append(m.Values, v)
			}
		}
		m.Indptr[i+1] = int64(len(m.Indices))
	}
	if m.Indices == nil {
		m.Indices, m.Values = []int32{}, []float32{}
	}
	return &Sparse{m: m}
}

// Transpose returns the Cols x Rows transpose with values in transposed
// order, and perm mapping its entries to s's entries.
func (s *Sparse) Transpose() (tensor.CSR, []int64) {
	s.once.Do(func() {
		if s.base == nil {
			s.tr, s.perm = kernels.Transpose(s.m)
			return
		}
		btr, perm := s.base.Transpose()
		s.tr, s.perm = btr, perm
		s.tr.Values = nil
		if s.m.Values != nil {
			s.tr.Values = make([]float32, len(perm))
			kernels.PermuteValues(s.tr.Values, s.m.Values, perm)
		}
	})
	return s.tr, s.perm
}

// RowOf returns, for every entry, its row (target).
func (s *Sparse) RowOf() []int32 {
	s.rowOnce.Do(func() {
		s.rowOf = make([]int32, s.NNZ())
		for i := 0; i < s.m.Rows; i++ {
			for k := s.m.Indptr[i]; k < s.m.Indptr[i+1]; k++ {
				s.rowOf[k] = int32(i)
			}
		}
	})
	return s.rowOf
}

// Segments returns the Rows x NNZ matrix whose row i selects entries
// [Indptr[i], Indptr[i+1]) of a per-edge tensor: SpMM with it reduces the
// messages of every target.
func (s *Sparse) Segments() *Sparse {
	s.segOnce.Do(func() {
		s.seg = &Sparse{segment: true, m: tensor.CSR{
			Rows: s.m.Rows, Cols: s.NNZ(), Indptr: s.m.Indptr,
			Indices: tensor.Arange(0, s.NNZ()),
		}}
		// The segment matrix's row of entry k is s's row of entry k.
		s.seg.rowOnce.Do(func() { s.seg.rowOf = s.RowOf() })
	})
	return s.seg
}

// InvCount returns 1 / (entries of row i), 0 for empty rows: the scale of
// Mean aggregation.
func (s *Sparse) InvCount() []float32 {
	s.cntOnce.Do(func() {
		s.invCnt = make([]float32, s.m.Rows)
		for i := range s.invCnt {
			if n := s.m.Indptr[i+1] - s.m.Indptr[i]; n > 0 {
				s.invCnt[i] = 1 / float32(n)
			}
		}
	})
	return s.invCnt
}

// Derived returns the adjacency cached under key, building it with build on
// first use (PyG's cached=True). Derived adjacencies inherit the COO flag.
func (s *Sparse) Derived(key string, build func(*Sparse) *Sparse) *Sparse {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.derived[key]; ok {
		return d
	}
	d := build(s)
	d.edgeList = s.edgeList
	if s.derived == nil {
		s.derived = make(map[string]*Sparse)
	}
	s.derived[key] = d
	return d
}
