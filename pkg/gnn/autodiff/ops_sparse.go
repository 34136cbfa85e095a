package autodiff

import (
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// SpMM returns the reduction r, for every row (target) i of s, over its
// entries k of v_k * x[col_k] (v_k = 1 when s has no values): A x for Sum.
// x has s.Cols() rows; the result has s.Rows(). Rows without entries give 0.
func (t *Tape) SpMM(s *Sparse, x *Var, r kernels.Reduce) *Var {
	if x.Value.Rows != s.Cols() {
		panic(fmt.Sprintf("autodiff: SpMM: adjacency %dx%d, features %s", s.Rows(), s.Cols(), x.Value.Shape()))
	}
	y := t.alloc(s.Rows(), x.Value.Cols)
	var arg []int64
	if (r == kernels.Max || r == kernels.Min) && t.needs(x) {
		arg = make([]int64, y.Rows*y.Cols)
	}
	t.b.SpMM(y, s.m, x.Value, r, arg)
	return t.result(y, func(out *Var) {
		g := out.Grad
		switch r {
		case kernels.Sum, kernels.Mean:
			if r == kernels.Mean {
				gs := t.scratch(g.Rows, g.Cols)
				gs.Copy(g)
				t.b.ScaleRows(gs, s.InvCount())
				defer t.release(gs)
				g = gs
			}
			t.accumulate(x, func(dst *tensor.Dense) { t.spmmT(dst, s, g) })
		default:
			t.accumulateAdd(x, func(dst *tensor.Dense) { t.b.SpMMArgBackward(dst, s.m, g, arg) })
		}
	}, x)
}

// spmmT sets dst = A^T g (with A's values).
func (t *Tape) spmmT(dst *tensor.Dense, s *Sparse, g *tensor.Dense) {
	if s.segment && s.m.Values == nil {
		// The transpose of a segment matrix selects one row per entry.
		t.b.Gather(dst, g, s.RowOf())
		return
	}
	tr, _ := s.Transpose()
	t.b.SpMM(dst, tr, g, kernels.Sum, nil)
}

// SpMMArg returns, for a precomputed arg (len s.Rows()*x.Cols, entry index
// per output element or -1), out[i, f] = v_k * x[col_k, f] with k =
// arg[i*F+f] (0 where arg is -1): a selection such as a median. The
// gradient flows to the selected entries.
func (t *Tape) SpMMArg(s *Sparse, x *Var, arg []int64) *Var {
	if x.Value.Rows != s.Cols() || len(arg) != s.Rows()*x.Value.Cols {
		panic(fmt.Sprintf("autodiff: SpMMArg: adjacency %dx%d, features %s, %d args", s.Rows(), s.Cols(), x.Value.Shape(), len(arg)))
	}
	y := t.alloc(s.Rows(), x.Value.Cols)
	f := x.Value.Cols
	for i := 0; i < y.Rows; i++ {
		row := y.Row(i)
		for j := range row {
			k := arg[i*f+j]
			if k < 0 {
				row[j] = 0
				continue
			}
			row[j] = s.m.Value(k) * x.Value.At(int(s.m.Indices[k]), j)
		}
	}
	return t.result(y, func(out *Var) {
		t.accumulateAdd(x, func(dst *tensor.Dense) { t.b.SpMMArgBackward(dst, s.m, out.Grad, arg) })
	}, x)
}

// SpMMHeads is multi-head attention aggregation: alpha is NNZ x H (one
// coefficient per entry and head), x is s.Cols() x H*C, and head h of the
// result (s.Rows() x H*C) is A_h x_h where A_h has s's structure and values
// alpha[:, h]. s's own values are ignored.
func (t *Tape) SpMMHeads(s *Sparse, alpha, x *Var) *Var {
	h, nnz := alpha.Value.Cols, s.NNZ()
	if alpha.Value.Rows != nnz || x.Value.Rows != s.Cols() || h == 0 || x.Value.Cols%h != 0 {
		panic(fmt.Sprintf("autodiff: SpMMHeads: adjacency %dx%d with %d entries, alpha %s, x %s",
			s.Rows(), s.Cols(), nnz, alpha.Value.Shape(), x.Value.Shape()))
	}
	c := x.Value.Cols / h
	y := t.alloc(s.Rows(), x.Value.Cols)
	vals := t.scratch(1, nnz)
	defer t.release(vals)
	for hd := 0; hd < h; hd++ {
		a := s.m
		a.Values = column(vals.Data, alpha.Value, hd)
		t.b.SpMM(headView(y, hd, c), a, headView(x.Value, hd, c), kernels.Sum, nil)
	}
	return t.result(y, func(out *Var) {
		g := out.Grad
		vals := t.scratch(1, nnz)
		defer t.release(vals)
		if x.needsGrad {
			tr, perm := s.Transpose()
			t.accumulate(x, func(dst *tensor.Dense) {
				for hd := 0; hd < h; hd++ {
					col := column(vals.Data, alpha.Value, hd)
					tv := t.scratch(1, nnz)
					kernels.PermuteValues(tv.Data, col, perm)
					at := tr
					at.Values = tv.Data
					t.b.SpMM(headView(dst, hd, c), at, headView(g, hd, c), kernels.Sum, nil)
					t.release(tv)
				}
			})
		}
		t.accumulate(alpha, func(dst *tensor.Dense) {
			a := s.m
			a.Values = nil
			for hd := 0; hd < h; hd++ {
				t.b.EdgeDot(vals.Data, a, headView(g, hd, c), headView(x.Value, hd, c))
				for k, v := range vals.Data {
					dst.Data[k*dst.Stride+hd] = v
				}
			}
		})
	}, alpha, x)
}

// headView returns the c columns of head h of m as a strided view.
func headView(m *tensor.Dense, h, c int) *tensor.Dense {
	if m.Rows == 0 {
		return &tensor.Dense{Rows: 0, Cols: c, Stride: m.Stride}
	}
	return &tensor.Dense{Rows: m.Rows, Cols: c, Stride: m.Stride, Data: m.Data[h*c:]}
}

// column copies column j of m into buf (len m.Rows) and returns it; for a
// single-column packed m it returns m's data directly.
func column(buf []float32, m *tensor.Dense, j int) []float32 {
	if m.Cols == 1 && m.Stride == 1 {
		return m.Data[:m.Rows]
	}
	for i := 0; i < m.Rows; i++ {
		buf[i] = m.Data[i*m.Stride+j]
	}
	return buf[:m.Rows]
}

// Gather returns the rows ids of x (duplicates allowed).
func (t *Tape) Gather(x *Var, ids []int32) *Var {
	y := t.alloc(len(ids), x.Value.Cols)
	t.b.Gather(y, x.Value, ids)
	return t.result(y, func(out *Var) {
		t.accumulateAdd(x, func(dst *tensor.Dense) { t.b.ScatterAdd(dst, out.Grad, ids) })
	}, x)
}

// ScatterAdd returns the n x cols matrix whose row r is the sum of the rows
// i of x with ids[i] == r.
func (t *Tape) ScatterAdd(x *Var, ids []int32, n int) *Var {
	if len(ids) != x.Value.Rows {
		panic(fmt.Sprintf("autodiff: ScatterAdd: %d ids for %s", len(ids), x.Value.Shape()))
	}
	y := t.allocZero(n, x.Value.Cols)
	t.b.ScatterAdd(y, x.Value, ids)
	return t.result(y, func(out *Var) {
		t.accumulate(x, func(dst *tensor.Dense) { t.b.Gather(dst, out.Grad, ids) })
	}, x)
}

// SegmentSoftmax returns the softmax of x (NNZ x H) over the entries of
// every row of s, per column: PyG's softmax(src, index) for edge scores.
func (t *Tape) SegmentSoftmax(x *Var, s *Sparse) *Var {
	if x.Value.Rows != s.NNZ() {
		panic(fmt.Sprintf("autodiff: SegmentSoftmax: %s scores for %d entries", x.Value.Shape(), s.NNZ()))
	}
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	t.b.SegmentSoftmax(y, x.Value, s.m.Indptr)
	return t.result(y, func(out *Var) {
		t.accumulate(x, func(dst *tensor.Dense) {
			t.b.SegmentSoftmaxBackward(dst, out.Value, out.Grad, s.m.Indptr)
		})
	}, x)
}
