package f32

import (
	"fmt"
	"math"
	"testing"
	"unsafe"
)

// ulps returns how many float32 ulps got is from the float64 want (0 when
// both are NaN or the same infinity).
func ulps(got float32, want float64) float64 {
	w := float32(want)
	if math.IsNaN(float64(got)) || math.IsNaN(want) {
		if math.IsNaN(float64(got)) && math.IsNaN(want) {
			return 0
		}
		return math.Inf(1)
	}
	if got == w {
		return 0
	}
	if math.IsInf(float64(w), 0) || math.IsInf(float64(got), 0) {
		return math.Inf(1)
	}
	ulp := float64(math.Nextafter32(float32(math.Abs(want)), float32(math.Inf(1))) - float32(math.Abs(want)))
	return math.Abs(float64(got)-want) / ulp
}

// actInputs returns random values in several ranges plus every special
// value and threshold the AVX2 code branches on.
func actInputs(t *testing.T) []float32 {
	rng := newRand(t)
	xs := []float32{0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 1e-6, -1e-6, 0.625, -0.625,
		0.62499994, -0.5, -0.50000006, -0.49999997, 88.72, 88.73, 88.37, 88.38, -87.33, -87.34, -88, -100, 100,
		float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1e10, -1e10, 9, -9, 20, -20}
	for _, scale := range []float64{1e-4, 0.1, 1, 3, 10, 80} {
		for i := 0; i < 400; i++ {
			xs = append(xs, float32((2*rng.Float64()-1)*scale))
		}
	}
	for len(xs)%8 != 5 { // a tail for the Go loop too
		xs = append(xs, float32(rng.NormFloat64()))
	}
	return xs
}

func TestActivations(t *testing.T) {
	xs := actInputs(t)
	type tc struct {
		name   string
		run    func(dst, x []float32, stream bool)
		ref    func(x float64) float64
		maxULP float64
		absTol float64 // for results near 0 whose ulp is tiny
	}
	cases := []tc{
		{"Exp", Exp, math.Exp, 3, 1e-37},
		{"Sigmoid", Sigmoid, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, 4, 1e-37},
		{"Tanh", Tanh, math.Tanh, 4, 0},
		{"ReLU", ReLU, func(x float64) float64 {
			if math.IsNaN(x) {
				return x
			}
			return math.Max(x, 0)
		}, 0, 0},
	}
	for _, alpha := range []float32{1, 0.5} {
		a := alpha
		cases = append(cases, tc{fmt.Sprintf("ELU(%g)", a), func(dst, x []float32, s bool) { ELU(dst, x, a, s) }, func(x float64) float64 {
			if x > 0 || math.IsNaN(x) {
				return x
			}
			return float64(a) * math.Expm1(x)
		}, 4, 1e-37})
	}
	for _, c := range cases {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stream=%v", c.name, stream), func(t *testing.T) {
				dst, buf := alignedGuarded(len(xs))
				c.run(dst, xs, stream)
				checkGuards(t, c.name, buf, len(xs))
				bad := 0
				worst, at := 0.0, float32(0)
				for i, x := range xs {
					want := c.ref(float64(x))
					u := ulps(dst[i], want)
					// The worst error is logged over results above 2^-125;
					// smaller ones (exp flushes them to 0) are held to absTol.
					if u > worst && !math.IsInf(u, 0) && math.Abs(want) >= 0x1p-125 {
						worst, at = u, x
					}
					if u > c.maxULP && !(math.Abs(float64(dst[i])-want) <= c.absTol) {
						if bad++; bad <= 5 {
							t.Errorf("%s(%v) = %v, want %v (%.1f ulps)", c.name, x, dst[i], want, u)
						}
					}
				}
				t.Logf("%s (%s): worst %.2f ulps at x = %v", c.name, Impl(), worst, at)
				// In place.
				in := append([]float32(nil), xs...)
				c.run(in, in, stream)
				for i := range in {
					if math.Float32bits(in[i]) != math.Float32bits(dst[i]) && !(math.IsNaN(float64(in[i])) && math.IsNaN(float64(dst[i]))) {
						t.Fatalf("%s in place differs at %d: %v vs %v", c.name, i, in[i], dst[i])
					}
				}
			})
		}
	}
}

// alignedGuarded returns n guard-surrounded floats whose first element is
// 32-byte aligned, so the non-temporal paths run.
func alignedGuarded(n int) (s, buf []float32) {
	raw := make([]float32, n+64)
	a := 16
	for uintptr(unsafe.Pointer(&raw[a]))%32 != 0 {
		a++
	}
	buf = raw[a-16 : a+n+16]
	for i := range buf {
		buf[i] = math.Float32frombits(guardBits)
	}
	return buf[16 : 16+n], buf
}

// TestMaps checks VAdd, VMul, VScale (both store kinds) and AddRows.
func TestMaps(t *testing.T) {
	rng := newRand(t)
	for n := 0; n <= 70; n++ {
		x, _ := guarded(rng, n)
		y, _ := guarded(rng, n)
		for _, stream := range []bool{false, true} {
			d, db := alignedGuarded(n)
			VAdd(d, x, y, stream)
			for i := range d {
				if d[i] != x[i]+y[i] {
					t.Fatalf("VAdd n=%d stream=%v: d[%d] = %v, want %v", n, stream, i, d[i], x[i]+y[i])
				}
			}
			VMul(d, x, y, stream)
			for i := range d {
				if d[i] != x[i]*y[i] {
					t.Fatalf("VMul n=%d: d[%d] = %v, want %v", n, i, d[i], x[i]*y[i])
				}
			}
			VScale(d, 1.5, x, stream)
			for i := range d {
				if d[i] != 1.5*x[i] {
					t.Fatalf("VScale n=%d: d[%d] = %v, want %v", n, i, d[i], 1.5*x[i])
				}
			}
			checkGuards(t, "maps", db, n)
		}
	}
	for _, cols := range []int{1, 8, 13, 40, 64, 70, 104, 131} {
		const rows, stride = 5, 136
		d, db := guarded(rng, (rows-1)*stride+cols)
		d0 := append([]float32(nil), d...)
		v, _ := guarded(rng, cols)
		AddRows(d, stride, rows, v)
		checkGuards(t, "AddRows", db, len(d))
		for p := range d {
			want := d0[p]
			if p%stride < cols {
				want += v[p%stride]
			}
			if d[p] != want {
				t.Fatalf("AddRows cols=%d: d[%d] = %v, want %v", cols, p, d[p], want)
			}
		}
	}
}

func TestReLUBackward(t *testing.T) {
	xs := actInputs(t)
	rng := newRand(t)
	g := make([]float32, len(xs))
	for i := range g {
		g[i] = float32(rng.NormFloat64())
	}
	g[0] = float32(math.Inf(1)) // with a[0] == 0: alpha 0 must give 0, not NaN
	for _, alpha := range []float32{0, 0.2} {
		dst, buf := guarded(rng, len(xs))
		ReLUBackward(dst, xs, g, alpha)
		checkGuards(t, "ReLUBackward", buf, len(xs))
		for i, a := range xs {
			want := alpha * g[i]
			if alpha == 0 {
				want = 0
			}
			if a > 0 {
				want = g[i]
			}
			if dst[i] != want && !(math.IsNaN(float64(dst[i])) && math.IsNaN(float64(want))) {
				t.Fatalf("alpha=%g: ReLUBackward(a=%v, g=%v) = %v, want %v", alpha, a, g[i], dst[i], want)
			}
		}
	}
}
