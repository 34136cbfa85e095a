package cpu

import (
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/kernels/internal/check"
	"github.com/gnnscale/gnnscale/pkg/kernels/internal/f32"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Activation sets dst = f(a). ReLU, ELU, Sigmoid, Tanh and Exp run on
// f32's AVX2 routines where available (within a few ulps of the float64
// result); the rest, and every tail, in Go.
func (b *Backend) Activation(dst *tensor.Dense, f kernels.Act, a *tensor.Dense) {
	const op = "Activation"
	pointwise(op, dst, "a", a)
	var fn func(d, x []float32)
	stream := streaming(dst)
	switch f.Kind {
	case kernels.Identity:
		fn = func(d, x []float32) { copy(d, x) }
	case kernels.ReLU:
		fn = func(d, x []float32) { f32.ReLU(d, x, stream) }
	case kernels.LeakyReLU:
		alpha := f.Alpha
		fn = func(d, x []float32) {
			x = x[:len(d)]
			for i, v := range x {
				if v <= 0 {
					v *= alpha
				}
				d[i] = v
			}
		}
	case kernels.ELU:
		alpha := f.Alpha
		fn = func(d, x []float32) { f32.ELU(d, x, alpha, stream) }
	case kernels.Sigmoid:
		fn = func(d, x []float32) { f32.Sigmoid(d, x, stream) }
	case kernels.Tanh:
		fn = func(d, x []float32) { f32.Tanh(d, x, stream) }
	case kernels.Exp:
		fn = func(d, x []float32) { f32.Exp(d, x, stream) }
	default:
		check.Panicf(op, "unknown activation kind %d", int(f.Kind))
	}
	b.each(dst, a, nil, nil, func(d, x, _, _ []float32) { fn(d, x) })
}

// ActivationBackward sets dst = g ⊙ f'(.). ReLU and LeakyReLU read the
// input a; ELU, Sigmoid, Tanh and Exp read the output y; Identity reads
// neither. The operand an activation does not read may be nil.
func (b *Backend) ActivationBackward(dst *tensor.Dense, f kernels.Act, a, y, g *tensor.Dense) {
	const op = "ActivationBackward"
	pointwise(op, dst, "g", g)
	var fn func(d, x, g []float32)
	var in *tensor.Dense
	switch f.Kind {
	case kernels.Identity:
		fn = func(d, _, g []float32) { copy(d, g) }
	case kernels.ReLU:
		in = a
		fn = func(d, x, g []float32) { f32.ReLUBackward(d, x, g, 0) }
	case kernels.LeakyReLU:
		in = a
		alpha := f.Alpha
		fn = func(d, x, g []float32) { f32.ReLUBackward(d, x, g, alpha) }
	case kernels.ELU:
		in = y
		alpha := f.Alpha
		fn = func(d, x, g []float32) {
			x, g = x[:len(d)], g[:len(d)]
			for i, v := range x {
				if v > 0 {
					d[i] = g[i]
				} else {
					d[i] = g[i] * (v + alpha)
				}
			}
		}
	case kernels.Sigmoid:
		in = y
		fn = func(d, x, g []float32) {
			x, g = x[:len(d)], g[:len(d)]
			for i, v := range x {
				d[i] = g[i] * v * (1 - v)
			}
		}
	case kernels.Tanh:
		in = y
		fn = func(d, x, g []float32) {
			x, g = x[:len(d)], g[:len(d)]
			for i, v := range x {
				d[i] = g[i] * (1 - v*v)
			}
		}
	case kernels.Exp:
		in = y
		fn = func(d, x, g []float32) {
			x, g = x[:len(d)], g[:len(d)]
			for i, v := range x {
				d[i] = g[i] * v
			}
		}
	default:
		check.Panicf(op, "unknown activation kind %d", int(f.Kind))
	}
	if in != nil || f.Kind != kernels.Identity {
		name := "a"
		if in == y {
			name = "y"
		}
		pointwise(op, dst, name, in)
	}
	b.each(dst, in, g, nil, func(d, x, g, _ []float32) { fn(d, x, g) })
}
