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
