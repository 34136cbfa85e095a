package autodiff

import (
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// ConcatRows returns the row-wise concatenation of matrices with the same
// number of columns (torch.cat(dim=0)). GNNAutoScale uses it to put a
// batch's fresh in-batch rows (which carry gradients) on top of the halo
// rows pulled from a history (constants: their gradient is dropped).
func (t *Tape) ConcatRows(xs ...*Var) *Var {
	if len(xs) == 0 {
		panic("autodiff: ConcatRows of nothing")
	}
	rows, cols := 0, xs[0].Value.Cols
	for _, x := range xs {
		if x.Value.Cols != cols {
			panic(fmt.Sprintf("autodiff: ConcatRows: %s below %s", x.Value.Shape(), xs[0].Value.Shape()))
		}
		rows += x.Value.Rows
	}
	y := t.alloc(rows, cols)
	off := 0
	for _, x := range xs {
		r := x.Value.Rows
		y.RowView(off, off+r).Copy(x.Value)
		off += r
	}
	return t.result(y, func(out *Var) {
		off := 0
		for _, x := range xs {
			r := x.Value.Rows
			g := out.Grad.RowView(off, off+r)
			t.accumulate(x, func(dst *tensor.Dense) { dst.Copy(g) })
			off += r
		}
	}, xs...)
}

// ForgetSparseInputs drops the dense buffers the tape keeps for the
// dropout of sparse inputs (one per feature matrix, reused across steps
// when the same matrix comes back). A mini-batch trainer whose features
// are a fresh matrix every step calls it after Reset, or the buffers of
// past batches accumulate.
func (t *Tape) ForgetSparseInputs() {
	clear(t.sparseDense)
	clear(t.sparseUsed)
}
