//go:build !amd64 || noasm

package f32

// Exp sets dst[i] = e^x[i].
func Exp(dst, x []float32) { expGo(dst, x) }

// Sigmoid sets dst[i] = 1 / (1 + e^-x[i]).
func Sigmoid(dst, x []float32) { sigmoidGo(dst, x) }

// Tanh sets dst[i] = tanh(x[i]).
func Tanh(dst, x []float32) { tanhGo(dst, x) }

// ELU sets dst[i] = x[i] if x[i] > 0, else alpha * (e^x[i] - 1).
func ELU(dst, x []float32, alpha float32) { eluGo(dst, x, alpha) }

// ReLU sets dst[i] = max(x[i], 0) (NaN stays NaN).
func ReLU(dst, x []float32) { reluGo(dst, x) }

// ReLUBackward sets dst[i] = g[i] where a[i] > 0, else alpha * g[i] (exactly
// 0 when alpha == 0).
func ReLUBackward(dst, a, g []float32, alpha float32) { reluBackwardGo(dst, a, g, alpha) }
