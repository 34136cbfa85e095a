package cpu

import (
	"gonum.org/v1/gonum/blas"

	"github.com/gnnscale/gnnscale/pkg/kernels/internal/check"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Gemm computes c = alpha * op(a) * op(b) + beta * c on the BLAS (OpenBLAS
// with cgo, gonum without). With beta == 0, c's old contents are ignored.
// OpenBLAS parallelises with its own threads; when they are set to 1
// ([WithBLASThreads]), the rows of c are split across the backend's workers
// instead, each calling the single-threaded sgemm on its band.
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
	if !blasSplits || bk.blasThreads > 1 || bk.workers == 1 {
		bk.blas.Sgemm(tA, tB, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
		return
	}
	// A single-threaded OpenBLAS: split the rows of c across the workers,
	// each running its own sgemm on a band of op(a).
	bk.parallel(m, m*n*k/gemmGrainDiv, func(lo, hi int) {
		aOff := lo * a.Stride // rows lo.. of a
		if transA {
			aOff = lo // columns lo.. of a
		}
		bk.blas.Sgemm(tA, tB, hi-lo, n, k, alpha, a.Data[aOff:], a.Stride, b.Data, b.Stride, beta, c.Data[lo*c.Stride:], c.Stride)
	})
}

// gemmGrainDiv scales Gemm's multiply-adds down to the grain's units: a
// product is split only when it is worth about this many times the grain
// in multiply-adds.
const gemmGrainDiv = 64

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
