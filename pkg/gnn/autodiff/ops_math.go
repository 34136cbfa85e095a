package autodiff

import (
	"fmt"
	"math"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// broadcastOK reports whether v (1x1 or 1xC) broadcasts over x's rows.
func broadcastOK(x, v *Var) bool {
	return v.Value.Rows == 1 && (v.Value.Cols == 1 || v.Value.Cols == x.Value.Cols)
}

// at returns the broadcast value v[0, j] (v[0, 0] when v is 1x1).
func at(v *tensor.Dense, j int) float32 {
	if v.Cols == 1 {
		return v.Data[0]
	}
	return v.Data[j]
}

// MulRowVector returns x ⊙ v with v (1x1 or 1 x cols) broadcast over rows:
// a learnable per-channel scale (softmax aggregation's temperature).
func (t *Tape) MulRowVector(x, v *Var) *Var {
	if !broadcastOK(x, v) {
		panic(fmt.Sprintf("autodiff: MulRowVector: %s by %s", x.Value.Shape(), v.Value.Shape()))
	}
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	parallelFor(y.Rows, y.Cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xr, yr := x.Value.Row(i), y.Row(i)
			for j := range yr {
				yr[j] = xr[j] * at(v.Value, j)
			}
		}
	})
	return t.result(y, func(out *Var) {
		g := out.Grad
		t.accumulate(x, func(dst *tensor.Dense) {
			for i := 0; i < dst.Rows; i++ {
				gr, dr := g.Row(i), dst.Row(i)
				for j := range dr {
					dr[j] = gr[j] * at(v.Value, j)
				}
			}
		})
		t.accumulate(v, func(dst *tensor.Dense) {
			acc := make([]float64, v.Value.Cols)
			for i := 0; i < g.Rows; i++ {
				gr, xr := g.Row(i), x.Value.Row(i)
				for j := range gr {
					acc[j%len(acc)] += float64(gr[j] * xr[j])
				}
			}
			for j := range acc {
				dst.Data[j] = float32(acc[j])
			}
		})
	}, x, v)
}

// Clamp returns x limited to [lo, hi]; the gradient passes where lo <= x
// <= hi (torch.clamp).
func (t *Tape) Clamp(x *Var, lo, hi float32) *Var {
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	t.mapUnary(y, x.Value, func(v float32) float32 { return min(max(v, lo), hi) })
	return t.result(y, func(out *Var) {
		t.accumulate(x, func(dst *tensor.Dense) {
			t.mapBinary(dst, x.Value, out.Grad, func(v, g float32) float32 {
				if v < lo || v > hi {
					return 0
				}
				return g
			})
		})
	}, x)
}

// SafeSqrt returns sqrt(x) where x > eps and 0 elsewhere (PyG's std:
// var.clamp(min=eps).sqrt() masked to 0 at the clamp). The gradient is 0
// where the output is.
func (t *Tape) SafeSqrt(x *Var, eps float32) *Var {
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	t.mapUnary(y, x.Value, func(v float32) float32 {
		if v <= eps {
			return 0
		}
		return float32(math.Sqrt(float64(v)))
	})
	return t.result(y, func(out *Var) {
		t.accumulate(x, func(dst *tensor.Dense) {
			t.mapBinary(dst, out.Value, out.Grad, func(s, g float32) float32 {
				if s == 0 {
					return 0
				}
				return g / (2 * s)
			})
		})
	}, x)
}

// Pow returns x^p elementwise with p (1x1 or 1 x cols) broadcast over rows
// and learnable. x must be >= 0. As in torch, d/dp is 0 where x == 0.
func (t *Tape) Pow(x, p *Var) *Var {
	if !broadcastOK(x, p) {
		panic(fmt.Sprintf("autodiff: Pow: %s to the power %s", x.Value.Shape(), p.Value.Shape()))
	}
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	for i := 0; i < y.Rows; i++ {
		xr, yr := x.Value.Row(i), y.Row(i)
		for j := range yr {
			yr[j] = float32(math.Pow(float64(xr[j]), float64(at(p.Value, j))))
		}
	}
	return t.result(y, func(out *Var) {
		g := out.Grad
		t.accumulate(x, func(dst *tensor.Dense) {
			for i := 0; i < dst.Rows; i++ {
				xr, gr, dr := x.Value.Row(i), g.Row(i), dst.Row(i)
				for j := range dr {
					e := float64(at(p.Value, j))
					if e == 0 {
						dr[j] = 0
						continue
					}
					dr[j] = float32(float64(gr[j]) * e * math.Pow(float64(xr[j]), e-1))
				}
			}
		})
		t.accumulate(p, func(dst *tensor.Dense) {
			acc := make([]float64, p.Value.Cols)
			for i := 0; i < g.Rows; i++ {
				xr, yr, gr := x.Value.Row(i), out.Value.Row(i), g.Row(i)
				for j := range gr {
					if xr[j] > 0 {
						acc[j%len(acc)] += float64(gr[j]) * float64(yr[j]) * math.Log(float64(xr[j]))
					}
				}
			}
			for j := range acc {
				dst.Data[j] = float32(acc[j])
			}
		})
	}, x, p)
}

// Recip returns 1/x elementwise.
func (t *Tape) Recip(x *Var) *Var {
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	t.mapUnary(y, x.Value, func(v float32) float32 { return 1 / v })
	return t.result(y, func(out *Var) {
		t.accumulate(x, func(dst *tensor.Dense) {
			t.mapBinary(dst, out.Value, out.Grad, func(r, g float32) float32 { return -g * r * r })
		})
	}, x)
}

// RowL2Normalize returns every row of x divided by max(||row||_2, eps)
// (torch's F.normalize(p=2, dim=-1)).
func (t *Tape) RowL2Normalize(x *Var, eps float32) *Var {
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	norms := make([]float32, y.Rows)
	parallelFor(y.Rows, y.Cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xr, yr := x.Value.Row(i), y.Row(i)
			var s float64
			for _, v := range xr {
				s += float64(v) * float64(v)
			}
			n := max(float32(math.Sqrt(s)), eps)
			norms[i] = n
			for j, v := range xr {
				yr[j] = v / n
			}
		}
	})
	return t.result(y, func(out *Var) {
		g := out.Grad
		t.accumulate(x, func(dst *tensor.Dense) {
			parallelFor(dst.Rows, dst.Cols, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					yr, gr, dr := out.Value.Row(i), g.Row(i), dst.Row(i)
					n := norms[i]
					clamped := n == eps && n > 0
					var dot float64
					if !clamped {
						for j := range gr {
							dot += float64(gr[j]) * float64(yr[j])
						}
					}
					// d(x/|x|) = (g - y <g, y>) / |x|; with the norm clamped
					// to eps the map is linear, x/eps.
					for j := range dr {
						dr[j] = (gr[j] - yr[j]*float32(dot)) / n
					}
				}
			})
		})
	}, x)
}

// mapUnary sets dst = f(a) elementwise (shapes equal).
func (t *Tape) mapUnary(dst, a *tensor.Dense, f func(float32) float32) {
	parallelFor(dst.Rows, dst.Cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ar, dr := a.Row(i), dst.Row(i)
			for j, v := range ar {
				dr[j] = f(v)
			}
		}
	})
}

// mapBinary sets dst = f(a, b) elementwise (shapes equal).
func (t *Tape) mapBinary(dst, a, b *tensor.Dense, f func(x, y float32) float32) {
	parallelFor(dst.Rows, dst.Cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ar, br, dr := a.Row(i), b.Row(i), dst.Row(i)
			for j := range dr {
				dr[j] = f(ar[j], br[j])
			}
		}
	})
}
