//go:build !amd64 || noasm

package f32

// The pure-Go build: every inner loop is its Go version in vec.go.

// Impl names the implementation in use: "go" in this build.
func Impl() string { return "go" }

func Add(dst, x []float32)                       { addGo(dst, x) }
func Axpy(dst []float32, a float32, x []float32) { axpyGo(dst, a, x) }
func Dot(x, y []float32) float32                 { return dotGo(x, y) }

// GatherSum sets dst[j] = sum_k v_k * x[idx[k]*stride + off + j].
func GatherSum(dst, x []float32, stride, off int, idx []int32, vals []float32) {
	gatherSumGo(dst, x, stride, off, idx, vals)
}

// GatherExt sets dst[j] to the max (max true) or min over the entries k of
// v_k * x[idx[k]*stride + off + j] and, when arg is not nil, arg[j] to k0
// plus the first k attaining it. len(idx) >= 1.
func GatherExt(dst []float32, arg []int64, x []float32, stride, off int, idx []int32, vals []float32, k0 int64, max bool) {
	gatherExtGo(dst, arg, x, stride, off, idx, vals, k0, max)
}

// GatherRows copies, for i < len(ids), the cols values at
// src[ids[i]*srcStride+off:] to dst[i*dstStride+off:].
func GatherRows(dst []float32, dstStride int, src []float32, srcStride int, ids []int32, off, cols int, bigDst bool) {
	gatherRowsGo(dst, dstStride, src, srcStride, ids, off, cols)
}

// ScatterAddRows adds, for i < len(ids), the cols values at
// src[i*srcStride+off:] to dst[ids[i]*dstStride+off:].
func ScatterAddRows(dst []float32, dstStride int, src []float32, srcStride int, ids []int32, off, cols int) {
	scatterAddRowsGo(dst, dstStride, src, srcStride, ids, off, cols)
}
