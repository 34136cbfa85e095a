package f32

import "math"

// The pure-Go activations: computed in float64 and rounded, so they are
// correctly rounded or within an ulp. stubs for amd64 route the slices'
// multiple-of-8 prefix to the AVX2 versions (act_amd64.s), which use
// float32 polynomials accurate to a few ulps (see each routine).

func expGo(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(math.Exp(float64(v)))
	}
}

func sigmoidGo(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

func tanhGo(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(math.Tanh(float64(v)))
	}
}

func eluGo(dst, x []float32, alpha float32) {
	x = x[:len(dst)]
	a := float64(alpha)
	for i, v := range x {
		if v <= 0 {
			v = float32(a * math.Expm1(float64(v)))
		}
		dst[i] = v
	}
}

func reluGo(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = max(v, 0)
	}
}

// reluBackwardGo sets dst[i] = g[i] where a[i] > 0, else alpha*g[i] (0 for
// alpha == 0, whatever g[i] is).
func reluBackwardGo(dst, a, g []float32, alpha float32) {
	a, g = a[:len(dst)], g[:len(dst)]
	for i, v := range a {
		switch {
		case v > 0:
			dst[i] = g[i]
		case alpha == 0:
			dst[i] = 0
		default:
			dst[i] = alpha * g[i]
		}
	}
}

func vaddGo(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

func vmulGo(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * y[i]
	}
}
