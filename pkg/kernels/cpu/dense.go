package cpu

import (
	"gonum.org/v1/gonum/blas"

	"github.com/gnnscale/gnnscale/pkg/kernels/internal/check"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Gemm computes c = alpha * op(a) * op(b) + beta * c on the BLAS (OpenBLAS
// with cgo, gonum without). With beta == 0, c's old contents are ignored.
func (bk *Backend) Gemm(transA, transB bool, alpha float32, a, b *tensor.Dense, beta float32, c *tensor.Dense) {
	const op = "Gemm"
	check.Dense(op, "a", a)
	check.Dense(op, "b", b)
	check.Dense(op, "c", c)
	m, k := a.Rows, a.Cols
	if transA {
		m, k = k, m
	}
	kb, n := b.Rows, b.Cols
	if transB {
		kb, n = n, kb
	}
	if k != kb {
		check.Panicf(op, "inner dimensions differ: op(a) is %dx%d, op(b) is %dx%d", m, k, kb, n)
	}
	if c.Rows != m || c.Cols != n {
		check.Panicf(op, "c is %dx%d, want %dx%d", c.Rows, c.Cols, m, n)
	}
	check.NoOverlap(op, "c", c, "a", a)
	check.NoOverlap(op, "c", c, "b", b)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleInPlace(c, beta)
		return
	}
	tA, tB := blas.NoTrans, blas.NoTrans
	if transA {
		tA = blas.Trans
	}
	if transB {
		tB = blas.Trans
	}
	bk.blas.Sgemm(tA, tB, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
}

// scaleInPlace sets c = beta * c, with beta == 0 meaning zero (NaN too).
func scaleInPlace(c *tensor.Dense, beta float32) {
	for i := 0; i < c.Rows; i++ {
		r := c.Row(i)
		if beta == 0 {
			clear(r)
			continue
		}
		for j := range r {
			r[j] *= beta
		}
	}
}
