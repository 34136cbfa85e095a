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
// when the same matrix comes back). The tape also drops, when a new
// matrix comes, the buffers of those not used since the last Reset, so a
// mini-batch loop with a fresh matrix every step holds one; this frees
// that one too.
func (t *Tape) ForgetSparseInputs() {
	clear(t.sparseDense)
	clear(t.sparseUsed)
}

// ReuseSparseInput hands the dense buffer the tape keeps for the dropout
// of the sparse input prev over to next, a feature matrix of the same
// width with its own pattern (the next mini-batch's features): prev's
// non-zero positions are cleared (O(nnz)), so the buffer is all zeros
// again, and it is re-shaped to next's rows when its storage is large
// enough (otherwise it is dropped and the next dropout allocates). It
// spares a mini-batch trainer the allocation and zeroing of a batch-sized
// dense matrix every step. Either Var may lack a sparse form.
func (t *Tape) ReuseSparseInput(prev, next *Var) {
	if prev == nil || prev.sparse == nil {
		return
	}
	y := t.sparseDense[prev.sparse]
	delete(t.sparseDense, prev.sparse)
	delete(t.sparseUsed, prev.sparse)
	if y == nil {
		return
	}
	m := prev.sparse.m
	for i := 0; i < m.Rows; i++ {
		row := y.Row(i)
		for k := m.Indptr[i]; k < m.Indptr[i+1]; k++ {
			row[m.Indices[k]] = 0
		}
	}
	if next == nil || next.sparse == nil || next.sparse.Cols() != y.Cols || cap(y.Data) < next.sparse.Rows()*y.Cols {
		return
	}
	n := next.sparse.Rows() * y.Cols
	t.sparseDense[next.sparse] = tensor.FromSlice(next.sparse.Rows(), y.Cols, y.Data[:n:cap(y.Data)])
}
