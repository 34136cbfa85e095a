//go:build amd64 && !noasm

package f32

// The AVX2 activations (act_amd64.s). exp uses Cephes' expf scheme: clamp
// x to [-87.34, 88.72], n = floor(x log2(e) + 1/2), r = x - n ln 2 (in two
// parts), e^r by a degree-6 polynomial, times 2^(n-1) * 2 built in the
// exponent bits; x < -87.34 gives 0 (no denormals), x > 88.72 gives +Inf
// and NaN stays NaN. Its error is within 2 ulps; the functions built on it
// add at most a few more. Each routine's doc comment is its Go loop; n is
// a positive multiple of 8.

// expAVX computes
//
//	for i := 0; i < n; i++ {
//		dst[i] = float32(math.Exp(float64(x[i])))
//	}
//
//go:noescape
func expAVX(dst, x *float32, n int)

// sigmoidAVX computes
//
//	for i := 0; i < n; i++ {
//		dst[i] = 1 / (1 + exp(-x[i]))
//	}
//
//go:noescape
func sigmoidAVX(dst, x *float32, n int)

// tanhAVX computes
//
//	for i := 0; i < n; i++ {
//		if math.Abs(x[i]) < 0.625 {
//			z := x[i] * x[i] // Cephes tanhf's odd polynomial
//			dst[i] = x[i] + x[i]*z*((((t0*z+t1)*z+t2)*z+t3)*z+t4)
//		} else {
//			dst[i] = sign(x[i]) * (1 - 2/(exp(2*|x[i]|)+1))
//		}
//	}
//
//go:noescape
func tanhAVX(dst, x *float32, n int)

// eluAVX computes
//
//	for i := 0; i < n; i++ {
//		switch {
//		case x[i] > 0:
//			dst[i] = x[i]
//		case x[i] > -0.5: // expm1 by its Taylor series to x^8/8!
//			dst[i] = alpha * x[i]*(1+x[i]*(1/2+x[i]*(1/6+...+x[i]/40320)))
//		default:
//			dst[i] = alpha * (exp(x[i]) - 1)
//		}
//	}
//
//go:noescape
func eluAVX(dst, x *float32, n int, alpha float32)

// reluAVX computes
//
//	for i := 0; i < n; i++ {
//		dst[i] = max(x[i], 0) // NaN stays NaN
//	}
//
//go:noescape
func reluAVX(dst, x *float32, n int)

// reluBackwardAVX computes
//
//	for i := 0; i < n; i++ {
//		switch {
//		case a[i] > 0:
//			dst[i] = grad[i]
//		case alpha == 0:
//			dst[i] = 0
//		default:
//			dst[i] = alpha * grad[i]
//		}
//	}
//
//go:noescape
func reluBackwardAVX(dst, a, grad *float32, n int, alpha float32)

// unary runs the AVX2 routine on the multiple-of-8 prefix and the Go loop
// on the rest.
func unary(dst, x []float32, avx func(dst, x *float32, n int), tail func(dst, x []float32)) {
	n := len(dst) &^ 7
	if !hasAVX2FMA || n == 0 {
		tail(dst, x)
		return
	}
	x = x[:len(dst)]
	avx(&dst[0], &x[0], n)
	if n < len(dst) {
		tail(dst[n:], x[n:])
	}
}

// Exp sets dst[i] = e^x[i].
func Exp(dst, x []float32) { unary(dst, x, expAVX, expGo) }

// Sigmoid sets dst[i] = 1 / (1 + e^-x[i]).
func Sigmoid(dst, x []float32) { unary(dst, x, sigmoidAVX, sigmoidGo) }

// Tanh sets dst[i] = tanh(x[i]).
func Tanh(dst, x []float32) { unary(dst, x, tanhAVX, tanhGo) }

// ReLU sets dst[i] = max(x[i], 0) (NaN stays NaN).
func ReLU(dst, x []float32) { unary(dst, x, reluAVX, reluGo) }

// ELU sets dst[i] = x[i] if x[i] > 0, else alpha * (e^x[i] - 1).
func ELU(dst, x []float32, alpha float32) {
	n := len(dst) &^ 7
	if !hasAVX2FMA || n == 0 {
		eluGo(dst, x, alpha)
		return
	}
	x = x[:len(dst)]
	eluAVX(&dst[0], &x[0], n, alpha)
	if n < len(dst) {
		eluGo(dst[n:], x[n:], alpha)
	}
}

// ReLUBackward sets dst[i] = g[i] where a[i] > 0, else alpha * g[i] (exactly
// 0 when alpha == 0).
func ReLUBackward(dst, a, g []float32, alpha float32) {
	n := len(dst) &^ 7
	if !hasAVX2FMA || n == 0 {
		reluBackwardGo(dst, a, g, alpha)
		return
	}
	a, g = a[:len(dst)], g[:len(dst)]
	reluBackwardAVX(&dst[0], &a[0], &g[0], n, alpha)
	if n < len(dst) {
		reluBackwardGo(dst[n:], a[n:], g[n:], alpha)
	}
}
