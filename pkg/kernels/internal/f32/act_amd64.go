//go:build amd64 && !noasm

package f32

//go:generate sh -c "python3 gen_act.py > act_amd64.s"

import "unsafe"

// The AVX2 activations (act_amd64.s). exp uses Cephes' expf scheme: clamp
// x to [-87.34, 88.72], n = floor(x log2(e) + 1/2), r = x - n ln 2 (in two
// parts), e^r by a degree-6 polynomial, times 2^(n-1) * 2 built in the
// exponent bits; x < -87.34 gives 0 (no denormals), x > 88.72 gives +Inf
// and NaN stays NaN. Its error is within 2 ulps; the functions built on it
// add at most a few more. sigmoid, tanh and ELU use a leaner variant
// (gen_act.py's exp_clamped: NaN-propagating clamp, n rounded to nearest,
// no special-case fix-ups) whose overflow to +Inf or flush to 0 at the
// ends of the range does not change their results. Each routine's doc comment is its Go loop; n is
// a positive multiple of 8; with nt the results go out with non-temporal
// stores (dst must then be 32-byte aligned).

// expAVX computes
//
//	for i := 0; i < n; i++ {
//		dst[i] = float32(math.Exp(float64(x[i])))
//	}
//
//go:noescape
func expAVX(dst, x *float32, n int, nt bool)

// sigmoidAVX computes
//
//	for i := 0; i < n; i++ {
//		dst[i] = 1 / (1 + exp(-x[i]))
//	}
//
//go:noescape
func sigmoidAVX(dst, x *float32, n int, nt bool)

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
func tanhAVX(dst, x *float32, n int, nt bool)

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
func eluAVX(dst, x *float32, n int, alpha float32, nt bool)

// reluAVX computes
//
//	for i := 0; i < n; i++ {
//		dst[i] = max(x[i], 0) // NaN stays NaN
//	}
//
//go:noescape
func reluAVX(dst, x *float32, n int, nt bool)

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

// ntOK reports whether a non-temporal store run over dst is allowed:
// asked for and 32-byte aligned.
func ntOK(stream bool, dst []float32) bool {
	return stream && uintptr(unsafe.Pointer(&dst[0]))%32 == 0
}

// unary runs the AVX2 routine on the multiple-of-8 prefix and the Go loop
// on the rest.
func unary(dst, x []float32, stream bool, avx func(dst, x *float32, n int, nt bool), tail func(dst, x []float32)) {
	n := len(dst) &^ 7
	if !hasAVX2FMA || n == 0 {
		tail(dst, x)
		return
	}
	x = x[:len(dst)]
	avx(&dst[0], &x[0], n, ntOK(stream, dst))
	if n < len(dst) {
		tail(dst[n:], x[n:])
	}
}

// Exp sets dst[i] = e^x[i]. stream asks for non-temporal stores: pass true
// when the whole destination is far larger than the caches (NTMin).
func Exp(dst, x []float32, stream bool) { unary(dst, x, stream, expAVX, expGo) }

// Sigmoid sets dst[i] = 1 / (1 + e^-x[i]); stream as for Exp.
func Sigmoid(dst, x []float32, stream bool) { unary(dst, x, stream, sigmoidAVX, sigmoidGo) }

// Tanh sets dst[i] = tanh(x[i]); stream as for Exp.
func Tanh(dst, x []float32, stream bool) { unary(dst, x, stream, tanhAVX, tanhGo) }

// ReLU sets dst[i] = max(x[i], 0) (NaN stays NaN); stream as for Exp.
func ReLU(dst, x []float32, stream bool) { unary(dst, x, stream, reluAVX, reluGo) }

// ELU sets dst[i] = x[i] if x[i] > 0, else alpha * (e^x[i] - 1); stream as
// for Exp.
func ELU(dst, x []float32, alpha float32, stream bool) {
	n := len(dst) &^ 7
	if !hasAVX2FMA || n == 0 {
		eluGo(dst, x, alpha)
		return
	}
	x = x[:len(dst)]
	eluAVX(&dst[0], &x[0], n, alpha, ntOK(stream, dst))
	if n < len(dst) {
		eluGo(dst[n:], x[n:], alpha)
	}
}

// vaddAVX computes dst[i] = x[i] + y[i] for i < n (n a positive multiple of
// 8), with non-temporal stores when nt.
//
//go:noescape
func vaddAVX(dst, x, y *float32, n int, nt bool)

// vmulAVX computes dst[i] = x[i] * y[i] for i < n, as vaddAVX.
//
//go:noescape
func vmulAVX(dst, x, y *float32, n int, nt bool)

// vscaleAVX computes dst[i] = a * x[i] for i < n, as vaddAVX.
//
//go:noescape
func vscaleAVX(dst, x *float32, n int, a float32, nt bool)

// addRowsAVX computes, for cols a positive multiple of 8 and rows >= 0:
//
//	for r := 0; r < rows; r++ {
//		for j := 0; j < cols; j++ {
//			dst[r*stride+j] += v[j]
//		}
//	}
//
//go:noescape
func addRowsAVX(dst *float32, stride, rows int, v *float32, cols int)

func binary(dst, x, y []float32, stream bool, avx func(dst, x, y *float32, n int, nt bool), tail func(dst, x, y []float32)) {
	n := len(dst) &^ 7
	if !hasAVX2FMA || n == 0 {
		tail(dst, x, y)
		return
	}
	x, y = x[:len(dst)], y[:len(dst)]
	avx(&dst[0], &x[0], &y[0], n, ntOK(stream, dst))
	if n < len(dst) {
		tail(dst[n:], x[n:], y[n:])
	}
}

// VAdd sets dst[i] = x[i] + y[i]; stream as for Exp.
func VAdd(dst, x, y []float32, stream bool) { binary(dst, x, y, stream, vaddAVX, vaddGo) }

// VMul sets dst[i] = x[i] * y[i]; stream as for Exp.
func VMul(dst, x, y []float32, stream bool) { binary(dst, x, y, stream, vmulAVX, vmulGo) }

// VScale sets dst[i] = a * x[i]; stream as for Exp.
func VScale(dst []float32, a float32, x []float32, stream bool) {
	n := len(dst) &^ 7
	if !hasAVX2FMA || n == 0 {
		ScaleTo(dst, a, x)
		return
	}
	x = x[:len(dst)]
	vscaleAVX(&dst[0], &x[0], n, a, ntOK(stream, dst))
	if n < len(dst) {
		ScaleTo(dst[n:], a, x[n:])
	}
}

// AddRows adds v to rows rows of dst (row r at dst[r*stride:]), len(v)
// columns each.
func AddRows(dst []float32, stride, rows int, v []float32) {
	if rows == 0 || len(v) == 0 {
		return
	}
	_ = dst[(rows-1)*stride+len(v)-1] // every row in bounds
	n := len(v) &^ 7
	if hasAVX2FMA && n > 0 {
		addRowsAVX(&dst[0], stride, rows, &v[0], n)
		if n == len(v) {
			return
		}
	} else {
		n = 0
	}
	for r := 0; r < rows; r++ {
		addGo(dst[r*stride+n:r*stride+len(v)], v[n:])
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
