package cpu

import (
	"math"

	"github.com/gnnscale/gnnscale/pkg/kernels/internal/check"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// SegmentSoftmax sets dst to the softmax of src over each segment
// [indptr[s], indptr[s+1]) and column, subtracting the segment maximum
// first. Segments are split across workers. dst may alias src.
func (b *Backend) SegmentSoftmax(dst, src *tensor.Dense, indptr []int64) {
	const op = "SegmentSoftmax"
	check.Same(op, "dst", dst, "src", src)
	check.Indptr(op, indptr, src.Rows)
	check.AliasOK(op, "dst", dst, "src", src)
	heads := src.Cols
	if heads == 0 {
		return
	}
	b.parallelRows(indptr, 4*heads, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			k0, k1 := int(indptr[s]), int(indptr[s+1])
			for h := 0; h < heads; h++ {
				m := float32(math.Inf(-1))
				for k := k0; k < k1; k++ {
					if v := src.Data[k*src.Stride+h]; v > m {
						m = v
					}
				}
				var sum float64
				for k := k0; k < k1; k++ {
					e := math.Exp(float64(src.Data[k*src.Stride+h]) - float64(m)) // exact difference
					dst.Data[k*dst.Stride+h] = float32(e)
					sum += e
				}
				inv := float32(1 / sum)
				for k := k0; k < k1; k++ {
					dst.Data[k*dst.Stride+h] *= inv
				}
			}
		}
	})
}

// SegmentSoftmaxBackward sets dst_k = y_k * (g_k - sum_{j in seg} y_j g_j)
// per segment and column. dst may alias g (or y).
func (b *Backend) SegmentSoftmaxBackward(dst, y, g *tensor.Dense, indptr []int64) {
	const op = "SegmentSoftmaxBackward"
	check.Same(op, "y", y, "g", g)
	check.Same(op, "dst", dst, "g", g)
	check.Indptr(op, indptr, g.Rows)
	check.AliasOK(op, "dst", dst, "g", g)
	check.AliasOK(op, "dst", dst, "y", y)
	heads := g.Cols
	if heads == 0 {
		return
	}
	b.parallelRows(indptr, 3*heads, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			k0, k1 := int(indptr[s]), int(indptr[s+1])
			for h := 0; h < heads; h++ {
				var dotYG float32
				for k := k0; k < k1; k++ {
					dotYG += y.Data[k*y.Stride+h] * g.Data[k*g.Stride+h]
				}
				for k := k0; k < k1; k++ {
					yk := y.Data[k*y.Stride+h]
					dst.Data[k*dst.Stride+h] = yk * (g.Data[k*g.Stride+h] - dotYG)
				}
			}
		}
	})
}
