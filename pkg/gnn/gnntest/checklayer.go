package gnntest

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Layer describes a layer under test.
type Layer struct {
	Module ad.Module
	In     int // input width
	Out    int // expected output width
	// Forward runs the layer on adjacency a (targets x sources) and x (one
	// row per source).
	Forward func(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var
	// Rectangular: the layer accepts rows < cols adjacencies.
	Rectangular bool
	// RowLocal: output row i depends only on row i of the adjacency and on
	// x, so a rectangular batch gives the first rows of the square output
	// (false for layers that normalise by degrees or propagate several
	// hops).
	RowLocal bool
	// Weighted: the layer reads edge values (tests then use a weighted
	// adjacency).
	Weighted bool
	// Grad tunes the gradient check.
	Grad GradOpts
}

// CheckLayer runs every check on backend b with a logged seed.
func CheckLayer(t *testing.T, b kernels.Backend, l Layer, seed uint64) {
	t.Helper()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0x1a7e))
	const n, rows = 13, 6
	a := RandCSR(r, n, n, 3, l.Weighted, false)
	x := RandDense(r, n, l.In)
	run := func(a tensor.CSR, x *tensor.Dense, edgeList bool) *tensor.Dense {
		tp := ad.New(b, ad.WithSeed(seed))
		s := ad.MustSparse(a)
		if edgeList {
			s = s.AsEdgeList()
		}
		out := l.Forward(tp, s, tp.Const(x))
		return out.Value.Clone()
	}
	want := run(a, x, false)

	t.Run("shape", func(t *testing.T) {
		if want.Rows != n || want.Cols != l.Out {
			t.Fatalf("output %s, want %dx%d", want.Shape(), n, l.Out)
		}
	})
	t.Run("edge_permutation", func(t *testing.T) {
		assertClose(t, run(shuffleEntries(r, a), x, false), want)
	})
	t.Run("node_permutation", func(t *testing.T) {
		p := groupPerm(r, n, n)
		pa, px := permute(a, x, p)
		got := run(pa, px, false)
		back := tensor.New(n, want.Cols)
		for i := 0; i < n; i++ {
			copy(back.Row(i), got.Row(int(p[i])))
		}
		assertClose(t, back, want)
	})
	t.Run("csr_vs_coo", func(t *testing.T) {
		assertClose(t, run(a, x, true), want)
	})
	t.Run("gradient", func(t *testing.T) {
		GradCheck(t, b, []*tensor.Dense{x}, l.Module.Params(), func(tp *ad.Tape, in []*ad.Var) *ad.Var {
			return l.Forward(tp, ad.MustSparse(a), in[0])
		}, withSeed(l.Grad, seed))
	})
	if !l.Rectangular {
		return
	}
	// A GAS batch: the first rows targets with their complete
	// neighbourhoods, every node a source.
	ra := firstRows(a, rows)
	t.Run("rectangular", func(t *testing.T) {
		got := run(ra, x, false)
		if got.Rows != rows || got.Cols != l.Out {
			t.Fatalf("output %s, want %dx%d", got.Shape(), rows, l.Out)
		}
		if l.RowLocal {
			assertClose(t, got, want.RowView(0, rows))
		}
		assertClose(t, run(ra, x, true), got)
		p := groupPerm(r, n, rows)
		pa, px := permute(ra, x, p)
		pg := run(pa, px, false)
		back := tensor.New(rows, got.Cols)
		for i := 0; i < rows; i++ {
			copy(back.Row(i), pg.Row(int(p[i])))
		}
		assertClose(t, back, got)
	})
	t.Run("rectangular_gradient", func(t *testing.T) {
		GradCheck(t, b, []*tensor.Dense{x}, l.Module.Params(), func(tp *ad.Tape, in []*ad.Var) *ad.Var {
			return l.Forward(tp, ad.MustSparse(ra), in[0])
		}, withSeed(l.Grad, seed+1))
	})
}

func withSeed(o GradOpts, seed uint64) GradOpts {
	if o.Seed == 0 {
		o.Seed = seed
	}
	return o
}

func assertClose(t *testing.T, got, want *tensor.Dense) {
	t.Helper()
	if got.Rows != want.Rows || got.Cols != want.Cols {
		t.Fatalf("shape %s, want %s", got.Shape(), want.Shape())
	}
	for i := 0; i < got.Rows; i++ {
		for j := 0; j < got.Cols; j++ {
			g, w := float64(got.At(i, j)), float64(want.At(i, j))
			if !(math.Abs(g-w) <= 1e-4+1e-4*math.Abs(w)) {
				t.Fatalf("element (%d, %d) = %v, want %v", i, j, g, w)
			}
		}
	}
}

// shuffleEntries permutes the entries within every row (values follow).
func shuffleEntries(r *rand.Rand, a tensor.CSR) tensor.CSR {
	out := tensor.CSR{Rows: a.Rows, Cols: a.Cols, Indptr: slices.Clone(a.Indptr), Indices: slices.Clone(a.Indices)}
	if a.Values != nil {
		out.Values = slices.Clone(a.Values)
	}
	for i := 0; i < a.Rows; i++ {
		lo, hi := int(a.Indptr[i]), int(a.Indptr[i+1])
		r.Shuffle(hi-lo, func(p, q int) {
			out.Indices[lo+p], out.Indices[lo+q] = out.Indices[lo+q], out.Indices[lo+p]
			if out.Values != nil {
				out.Values[lo+p], out.Values[lo+q] = out.Values[lo+q], out.Values[lo+p]
			}
		})
	}
	return out
}

// groupPerm returns a permutation of [0, n) that maps [0, k) onto itself
// (targets stay the first sources).
func groupPerm(r *rand.Rand, n, k int) []int32 {
	p := make([]int32, n)
	for i, v := range r.Perm(k) {
		p[i] = int32(v)
	}
	for i, v := range r.Perm(n - k) {
		p[k+i] = int32(k + v)
	}
	return p
}

// permute relabels node i as p[i]: row p[i] of the result is row i of a
// (for rows < a.Rows) with columns relabelled, and x likewise.
func permute(a tensor.CSR, x *tensor.Dense, p []int32) (tensor.CSR, *tensor.Dense) {
	inv := make([]int32, a.Rows)
	for i := 0; i < a.Rows; i++ {
		inv[p[i]] = int32(i)
	}
	out := tensor.CSR{Rows: a.Rows, Cols: a.Cols, Indptr: make([]int64, a.Rows+1)}
	for ni := 0; ni < a.Rows; ni++ {
		i := inv[ni]
		for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
			out.Indices = append(out.Indices, p[a.Indices[k]])
			if a.Values != nil {
				out.Values = append(out.Values, a.Values[k])
			}
		}
		out.Indptr[ni+1] = int64(len(out.Indices))
	}
	if out.Indices == nil {
		out.Indices = []int32{}
	}
	px := tensor.New(x.Rows, x.Cols)
	for i := 0; i < x.Rows; i++ {
		copy(px.Row(int(p[i])), x.Row(i))
	}
	return out, px
}

// firstRows returns the first k rows of a, all columns kept.
func firstRows(a tensor.CSR, k int) tensor.CSR {
	out := tensor.CSR{Rows: k, Cols: a.Cols, Indptr: slices.Clone(a.Indptr[:k+1])}
	nnz := a.Indptr[k]
	out.Indices = slices.Clone(a.Indices[:nnz])
	if a.Values != nil {
		out.Values = slices.Clone(a.Values[:nnz])
	}
	return out
}
