//go:build !amd64 || noasm

package f32

// Exp sets dst[i] = e^x[i]. stream (non-temporal stores) is ignored in
// this build.
func Exp(dst, x []float32, stream bool) { expGo(dst, x) }

// Sigmoid sets dst[i] = 1 / (1 + e^-x[i]).
func Sigmoid(dst, x []float32, stream bool) { sigmoidGo(dst, x) }

// Tanh sets dst[i] = tanh(x[i]).
func Tanh(dst, x []float32, stream bool) { tanhGo(dst, x) }

// ELU sets dst[i] = x[i] if x[i] > 0, else alpha * (e^x[i] - 1).
func ELU(dst, x []float32, alpha float32, stream bool) { eluGo(dst, x, alpha) }

// ReLU sets dst[i] = max(x[i], 0) (NaN stays NaN).
func ReLU(dst, x []float32, stream bool) { reluGo(dst, x) }

// ReLUBackward sets dst[i] = g[i] where a[i] > 0, else alpha * g[i] (exactly
// 0 when alpha == 0).
func ReLUBackward(dst, a, g []float32, alpha float32) { reluBackwardGo(dst, a, g, alpha) }

// VAdd sets dst[i] = x[i] + y[i].
func VAdd(dst, x, y []float32, stream bool) { vaddGo(dst, x, y) }

// VMul sets dst[i] = x[i] * y[i].
func VMul(dst, x, y []float32, stream bool) { vmulGo(dst, x, y) }

// VScale sets dst[i] = a * x[i].
func VScale(dst []float32, a float32, x []float32, stream bool) { ScaleTo(dst, a, x) }

// AddRows adds v to rows rows of dst (row r at dst[r*stride:]).
func AddRows(dst []float32, stride, rows int, v []float32) {
	for r := 0; r < rows; r++ {
		addGo(dst[r*stride:r*stride+len(v)], v)
	}
}
