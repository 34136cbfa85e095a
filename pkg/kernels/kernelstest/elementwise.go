package kernelstest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/kernels"
)

// ewShapes are the shapes the pointwise tests sweep; the last ones are
// large enough to be split across workers.
var ewShapes = []struct{ rows, cols int }{
	{0, 0}, {0, 5}, {4, 0}, {1, 1}, {5, 7}, {33, 17}, {7, 300}, {1000, 40}, {34000, 1},
}

// operands returns n fresh guarded operands of one shape.
func operands(rng *rand.Rand, rows, cols, pad, n int) []*guarded {
	out := make([]*guarded, n)
	for i := range out {
		out[i] = newGuarded(rng, rows, cols, pad+i%2)
	}
	return out
}

// forShapes runs fn for every shape and padding.
func forShapes(t *testing.T, fn func(t *testing.T, rng *rand.Rand, rows, cols, pad int)) {
	rng := newRand(t)
	for si, s := range ewShapes {
		for _, pad := range pads {
			if si >= len(ewShapes)-2 && (pad != 0 || testing.Short()) {
				continue // large shapes: unpadded only, and not in -short
			}
			t.Run(fmt.Sprintf("%dx%d/pad=%d", s.rows, s.cols, pad), func(t *testing.T) {
				fn(t, rng, s.rows, s.cols, pad)
			})
		}
	}
}

// checkPointwise compares every element of dst with want(i, j) to within a
// few float32 roundings of the magnitude mag(i, j).
func checkPointwise(t *testing.T, name string, dst *guarded, want, mag func(i, j int) float64) {
	t.Helper()
	dst.checkGuards(t, name)
	e := errs{t: t}
	for i := 0; i < dst.Rows; i++ {
		for j := 0; j < dst.Cols; j++ {
			got := dst.At(i, j)
			w := want(i, j)
			e.check(near(got, w, 4*eps32*mag(i, j)+1e-37), "%s[%d,%d] = %v, want %v", name, i, j, got, w)
		}
	}
}

// TestElementwise checks Add, Axpy, Mul, Scale, AddRowVector, ScaleRows and
// SumRows, each into a fresh dst and with dst aliasing a source.
func TestElementwise(t *testing.T, b kernels.Elementwise) {
	forShapes(t, func(t *testing.T, rng *rand.Rand, rows, cols, pad int) {
		for _, alias := range []bool{false, true} {
			t.Run(fmt.Sprintf("alias=%v", alias), func(t *testing.T) {
				ops := operands(rng, rows, cols, pad, 3)
				x, y, d := ops[0], ops[1], ops[2]
				xs, ys := x.snapshot(), y.snapshot()
				if alias {
					d = x
				}
				abs2 := func(i, j int) float64 { return math.Abs(xs[i][j]) + math.Abs(ys[i][j]) }

				b.Add(d.Dense, x.Dense, y.Dense)
				checkPointwise(t, "Add", d, func(i, j int) float64 { return xs[i][j] + ys[i][j] }, abs2)
				y.checkGuards(t, "Add y")

				restore(x, xs)
				ds := d.snapshot()
				b.Axpy(d.Dense, -1.5, y.Dense)
				checkPointwise(t, "Axpy", d, func(i, j int) float64 { return ds[i][j] - 1.5*ys[i][j] },
					func(i, j int) float64 { return math.Abs(ds[i][j]) + 1.5*math.Abs(ys[i][j]) })

				restore(x, xs)
				b.Mul(d.Dense, x.Dense, y.Dense)
				checkPointwise(t, "Mul", d, func(i, j int) float64 { return xs[i][j] * ys[i][j] },
					func(i, j int) float64 { return math.Abs(xs[i][j] * ys[i][j]) })

				restore(x, xs)
				b.Scale(d.Dense, 0.75, x.Dense)
				checkPointwise(t, "Scale", d, func(i, j int) float64 { return 0.75 * xs[i][j] },
					func(i, j int) float64 { return math.Abs(xs[i][j]) })

				v := randVec(rng, cols)
				ds = d.snapshot()
				b.AddRowVector(d.Dense, v)
				checkPointwise(t, "AddRowVector", d, func(i, j int) float64 { return ds[i][j] + float64(v[j]) },
					func(i, j int) float64 { return math.Abs(ds[i][j]) + math.Abs(float64(v[j])) })

				s := randVec(rng, rows)
				ds = d.snapshot()
				b.ScaleRows(d.Dense, s)
				checkPointwise(t, "ScaleRows", d, func(i, j int) float64 { return ds[i][j] * float64(s[i]) },
					func(i, j int) float64 { return math.Abs(ds[i][j] * float64(s[i])) })

				sum, buf := guardedSlice(cols)
				for j := range sum {
					sum[j] = float32(math.NaN())
				}
				b.SumRows(sum, d.Dense)
				checkSliceGuards(t, "SumRows", buf, cols)
				e := errs{t: t}
				ds = d.snapshot()
				for j := 0; j < cols; j++ {
					var want, abs float64
					for i := 0; i < rows; i++ {
						want += ds[i][j]
						abs += math.Abs(ds[i][j])
					}
					e.check(near(sum[j], want, sumTol(rows, abs)), "SumRows[%d] = %v, want %v", j, sum[j], want)
				}
			})
		}
	})
}

// restore writes a snapshot back into g.
func restore(g *guarded, s [][]float64) {
	for i := range s {
		r := g.Row(i)
		for j, v := range s[i] {
			r[j] = float32(v)
		}
	}
}

func randVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(2*rng.Float64() - 1)
	}
	return v
}

// acts lists every activation the suite checks.
var acts = []kernels.Act{
	{Kind: kernels.Identity}, {Kind: kernels.ReLU}, {Kind: kernels.LeakyReLU, Alpha: 0.2},
	{Kind: kernels.ELU, Alpha: 1}, {Kind: kernels.ELU, Alpha: 0.5}, {Kind: kernels.Sigmoid},
	{Kind: kernels.Tanh}, {Kind: kernels.Exp},
}

// refAct returns f(x) and f'(x) in float64.
func refAct(f kernels.Act, x float64) (y, dy float64) {
	alpha := float64(f.Alpha)
	switch f.Kind {
	case kernels.Identity:
		return x, 1
	case kernels.ReLU:
		if x > 0 {
			return x, 1
		}
		return 0, 0
	case kernels.LeakyReLU:
		if x > 0 {
			return x, 1
		}
		return alpha * x, alpha
	case kernels.ELU:
		if x > 0 {
			return x, 1
		}
		return alpha * math.Expm1(x), alpha * math.Exp(x)
	case kernels.Sigmoid:
		s := 1 / (1 + math.Exp(-x))
		return s, s * (1 - s)
	case kernels.Tanh:
		th := math.Tanh(x)
		return th, 1 - th*th
	case kernels.Exp:
		e := math.Exp(x)
		return e, e
	}
	panic(fmt.Sprintf("kernelstest: unknown activation %d", f.Kind))
}

// TestActivation checks Activation and ActivationBackward for every kind,
// with inputs over [-6, 6) and exact zeros, into a fresh dst and in place.
func TestActivation(t *testing.T, b kernels.Elementwise) {
	forShapes(t, func(t *testing.T, rng *rand.Rand, rows, cols, pad int) {
		for _, f := range acts {
			for _, alias := range []bool{false, true} {
				t.Run(fmt.Sprintf("kind=%d/alpha=%g/alias=%v", f.Kind, f.Alpha, alias), func(t *testing.T) {
					ops := operands(rng, rows, cols, pad, 4)
					a, y, g, d := ops[0], ops[1], ops[2], ops[3]
					a.fill(rng, 6)
					if rows > 0 && cols > 0 {
						a.Set(0, 0, 0)
					}
					as, gs := a.snapshot(), g.snapshot()
					fx, dfx := a.snapshot(), a.snapshot()
					for i := range as {
						for j := range as[i] {
							fx[i][j], dfx[i][j] = refAct(f, as[i][j])
						}
					}
					want := func(i, j int) float64 { return fx[i][j] }
					mag := func(i, j int) float64 { return 4 * (math.Abs(fx[i][j]) + math.Abs(as[i][j])) }
					b.Activation(y.Dense, f, a.Dense)
					checkPointwise(t, "Activation", y, want, mag)
					ys := y.snapshot()
					if alias {
						d = g
					}
					b.ActivationBackward(d.Dense, f, a.Dense, y.Dense, g.Dense)
					checkPointwise(t, "ActivationBackward", d,
						func(i, j int) float64 { return gs[i][j] * dfx[i][j] },
						func(i, j int) float64 {
							return 8 * math.Abs(gs[i][j]) * (math.Abs(dfx[i][j]) + math.Abs(ys[i][j]) + 1)
						})
					if alias {
						return
					}
					// The operand an activation does not read may be nil.
					na, ny := a.Dense, y.Dense
					switch f.Kind {
					case kernels.Identity:
						na, ny = nil, nil
					case kernels.ReLU, kernels.LeakyReLU:
						ny = nil
					default:
						na = nil
					}
					d.fillValue(float32(math.NaN()))
					b.ActivationBackward(d.Dense, f, na, ny, g.Dense)
					checkPointwise(t, "ActivationBackward (unread operand nil)", d,
						func(i, j int) float64 { return gs[i][j] * dfx[i][j] },
						func(i, j int) float64 {
							return 8 * math.Abs(gs[i][j]) * (math.Abs(dfx[i][j]) + math.Abs(ys[i][j]) + 1)
						})
					b.Activation(a.Dense, f, a.Dense) // in place
					checkPointwise(t, "Activation in place", a, want, mag)
				})
			}
		}
	})
}
