package autodiff

import (
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// ConcatCols returns [x_0 | x_1 | ...], the column-wise concatenation of
// matrices with the same number of rows (torch.cat(dim=-1)).
func (t *Tape) ConcatCols(xs ...*Var) *Var {
	if len(xs) == 0 {
		panic("autodiff: ConcatCols of nothing")
	}
	rows, cols := xs[0].Value.Rows, 0
	for _, x := range xs {
		if x.Value.Rows != rows {
			panic(fmt.Sprintf("autodiff: ConcatCols: %s next to %s", x.Value.Shape(), xs[0].Value.Shape()))
		}
		cols += x.Value.Cols
	}
	y := t.alloc(rows, cols)
	off := 0
	for _, x := range xs {
		colView(y, off, x.Value.Cols).Copy(x.Value)
		off += x.Value.Cols
	}
	return t.result(y, func(out *Var) {
		off := 0
		for _, x := range xs {
			c := x.Value.Cols
			g := colView(out.Grad, off, c)
			t.accumulate(x, func(dst *tensor.Dense) { dst.Copy(g) })
			off += c
		}
	}, xs...)
}

// SliceCols returns columns [lo, hi) of x.
func (t *Tape) SliceCols(x *Var, lo, hi int) *Var {
	if lo < 0 || hi < lo || hi > x.Value.Cols {
		panic(fmt.Sprintf("autodiff: SliceCols [%d, %d) of %s", lo, hi, x.Value.Shape()))
	}
	y := t.alloc(x.Value.Rows, hi-lo)
	y.Copy(colView(x.Value, lo, hi-lo))
	return t.result(y, func(out *Var) {
		t.accumulate(x, func(dst *tensor.Dense) {
			dst.Zero()
			colView(dst, lo, hi-lo).Copy(out.Grad)
		})
	}, x)
}

// SliceRows returns rows [lo, hi) of x (copied), e.g. the targets
// x[:rows] of a bipartite input.
func (t *Tape) SliceRows(x *Var, lo, hi int) *Var {
	if lo == 0 && hi == x.Value.Rows {
		return x
	}
	y := t.alloc(hi-lo, x.Value.Cols)
	y.Copy(x.Value.RowView(lo, hi))
	return t.result(y, func(out *Var) {
		t.accumulate(x, func(dst *tensor.Dense) {
			dst.Zero()
			dst.RowView(lo, hi).Copy(out.Grad)
		})
	}, x)
}

// colView returns columns [lo, lo+n) of m as a strided view.
func colView(m *tensor.Dense, lo, n int) *tensor.Dense {
	if m.Rows == 0 || n == 0 {
		return &tensor.Dense{Rows: m.Rows, Cols: n, Stride: max(m.Stride, n), Data: make([]float32, 0)}
	}
	return &tensor.Dense{Rows: m.Rows, Cols: n, Stride: m.Stride, Data: m.Data[lo:]}
}

// HeadDot returns, for x (N x H*C) and att (H x C), the N x H matrix of
// per-head dot products <x[n, head h], att[h]> (GAT's attention logits).
// It is one GEMM with the block-diagonal H*C x H matrix holding att.
func (t *Tape) HeadDot(x, att *Var) *Var {
	h, c := att.Value.Rows, att.Value.Cols
	if x.Value.Cols != h*c {
		panic(fmt.Sprintf("autodiff: HeadDot: x %s, att %s (heads x channels)", x.Value.Shape(), att.Value.Shape()))
	}
	bd := t.allocZero(h*c, h)
	for hd := 0; hd < h; hd++ {
		for j, v := range att.Value.Row(hd) {
			bd.Set(hd*c+j, hd, v)
		}
	}
	y := t.alloc(x.Value.Rows, h)
	t.b.Gemm(false, false, 1, x.Value, bd, 0, y)
	return t.result(y, func(out *Var) {
		g := out.Grad
		t.accumulateGemm(x, false, true, 1, g, bd) // dx = g B^T
		if att.needsGrad {
			dB := t.scratch(h*c, h)
			t.b.Gemm(true, false, 1, x.Value, g, 0, dB) // dB = x^T g
			t.accumulate(att, func(dst *tensor.Dense) {
				for hd := 0; hd < h; hd++ {
					row := dst.Row(hd)
					for j := range row {
						row[j] = dB.At(hd*c+j, hd)
					}
				}
			})
			t.release(dB)
		}
	}, x, att)
}

// MulHeads returns x (N x H*C) with head h of row n scaled by a[n, h]
// (a is N x H): attention-weighted messages. With H == 1 it scales rows by
// a learned column.
func (t *Tape) MulHeads(x, a *Var) *Var {
	n, h := a.Value.Rows, a.Value.Cols
	if x.Value.Rows != n || h == 0 || x.Value.Cols%h != 0 {
		panic(fmt.Sprintf("autodiff: MulHeads: x %s, a %s", x.Value.Shape(), a.Value.Shape()))
	}
	c := x.Value.Cols / h
	y := t.alloc(n, x.Value.Cols)
	parallelFor(n, x.Value.Cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xr, yr, ar := x.Value.Row(i), y.Row(i), a.Value.Row(i)
			for hd, s := range ar {
				for j := hd * c; j < (hd+1)*c; j++ {
					yr[j] = xr[j] * s
				}
			}
		}
	})
	return t.result(y, func(out *Var) {
		g := out.Grad
		t.accumulate(x, func(dst *tensor.Dense) {
			parallelFor(n, x.Value.Cols, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					gr, dr, ar := g.Row(i), dst.Row(i), a.Value.Row(i)
					for hd, s := range ar {
						for j := hd * c; j < (hd+1)*c; j++ {
							dr[j] = gr[j] * s
						}
					}
				}
			})
		})
		t.accumulate(a, func(dst *tensor.Dense) {
			parallelFor(n, x.Value.Cols, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					gr, xr, dr := g.Row(i), x.Value.Row(i), dst.Row(i)
					for hd := range dr {
						var s float32
						for j := hd * c; j < (hd+1)*c; j++ {
							s += gr[j] * xr[j]
						}
						dr[hd] = s
					}
				}
			})
		})
	}, x, a)
}

// MeanHeads returns the mean over h heads of x (N x H*C), an N x C matrix
// (GAT with concat=False).
func (t *Tape) MeanHeads(x *Var, h int) *Var {
	if h <= 0 || x.Value.Cols%h != 0 {
		panic(fmt.Sprintf("autodiff: MeanHeads: %s with %d heads", x.Value.Shape(), h))
	}
	if h == 1 {
		return x
	}
	c := x.Value.Cols / h
	inv := 1 / float32(h)
	y := t.alloc(x.Value.Rows, c)
	for i := 0; i < y.Rows; i++ {
		xr, yr := x.Value.Row(i), y.Row(i)
		for j := range yr {
			var s float32
			for hd := 0; hd < h; hd++ {
				s += xr[hd*c+j]
			}
			yr[j] = s * inv
		}
	}
	return t.result(y, func(out *Var) {
		t.accumulate(x, func(dst *tensor.Dense) {
			for i := 0; i < dst.Rows; i++ {
				gr, dr := out.Grad.Row(i), dst.Row(i)
				for hd := 0; hd < h; hd++ {
					for j, v := range gr {
						dr[hd*c+j] = v * inv
					}
				}
			}
		})
	}, x)
}
