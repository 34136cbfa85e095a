package gnntest

import (
	"fmt"
	"math"

	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Reference returns a kernels.Backend made of plain loops with float64
// accumulation: slow, obviously correct, and independent of the kernels
// package's implementations. Tests run layers on it and on the real
// backend and compare.
func Reference() kernels.Backend { return reference{} }

type reference struct{}

func (reference) Name() string { return "reference" }

func same(op string, a, b *tensor.Dense) {
	if a.Rows != b.Rows || a.Cols != b.Cols {
		panic(fmt.Sprintf("reference: %s: %s vs %s", op, a.Shape(), b.Shape()))
	}
}

func (reference) Gemm(transA, transB bool, alpha float32, a, b *tensor.Dense, beta float32, c *tensor.Dense) {
	m, k := a.Rows, a.Cols
	if transA {
		m, k = k, m
	}
	k2, n := b.Rows, b.Cols
	if transB {
		k2, n = n, k2
	}
	if k != k2 || c.Rows != m || c.Cols != n {
		panic(fmt.Sprintf("reference: Gemm: %s x %s -> %s", a.Shape(), b.Shape(), c.Shape()))
	}
	ga := func(i, l int) float64 {
		if transA {
			return float64(a.At(l, i))
		}
		return float64(a.At(i, l))
	}
	gb := func(l, j int) float64 {
		if transB {
			return float64(b.At(j, l))
		}
		return float64(b.At(l, j))
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for l := 0; l < k; l++ {
				s += ga(i, l) * gb(l, j)
			}
			v := float64(alpha) * s
			if beta != 0 {
				v += float64(beta) * float64(c.At(i, j))
			}
			c.Set(i, j, float32(v))
		}
	}
}

func (reference) SpMM(dst *tensor.Dense, a tensor.CSR, x *tensor.Dense, r kernels.Reduce, arg []int64) {
	if dst.Rows != a.Rows || x.Rows != a.Cols || dst.Cols != x.Cols {
		panic(fmt.Sprintf("reference: SpMM: %dx%d * %s -> %s", a.Rows, a.Cols, x.Shape(), dst.Shape()))
	}
	for i := 0; i < a.Rows; i++ {
		k0, k1 := a.Indptr[i], a.Indptr[i+1]
		for f := 0; f < x.Cols; f++ {
			if k0 == k1 {
				dst.Set(i, f, 0)
				if arg != nil {
					arg[i*x.Cols+f] = -1
				}
				continue
			}
			var acc float64
			best, bestK := 0.0, int64(-1)
			for k := k0; k < k1; k++ {
				v := float64(a.Value(k)) * float64(x.At(int(a.Indices[k]), f))
				acc += v
				if bestK < 0 || (r == kernels.Max && v > best) || (r == kernels.Min && v < best) {
					best, bestK = v, k
				}
			}
			switch r {
			case kernels.Sum:
				dst.Set(i, f, float32(acc))
			case kernels.Mean:
				dst.Set(i, f, float32(acc/float64(k1-k0)))
			default:
				dst.Set(i, f, float32(best))
				if arg != nil {
					arg[i*x.Cols+f] = bestK
				}
			}
		}
	}
}

func (reference) SpMMArgBackward(dst *tensor.Dense, a tensor.CSR, g *tensor.Dense, arg []int64) {
	for i := 0; i < g.Rows; i++ {
		for f := 0; f < g.Cols; f++ {
			if k := arg[i*g.Cols+f]; k >= 0 {
				c := int(a.Indices[k])
				dst.Set(c, f, dst.At(c, f)+a.Value(k)*g.At(i, f))
			}
		}
	}
}

func (reference) EdgeDot(dst []float32, a tensor.CSR, x, y *tensor.Dense) {
	for i := 0; i < a.Rows; i++ {
		for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
			var s float64
			for f := 0; f < x.Cols; f++ {
				s += float64(x.At(i, f)) * float64(y.At(int(a.Indices[k]), f))
			}
			dst[k] = float32(s)
		}
	}
}

func (reference) Gather(dst, src *tensor.Dense, ids []int32) {
	for i, id := range ids {
		copy(dst.Row(i), src.Row(int(id)))
	}
}

func (reference) ScatterAdd(dst, src *tensor.Dense, ids []int32) {
	for i, id := range ids {
		d := dst.Row(int(id))
		for f, v := range src.Row(i) {
			d[f] += v
		}
	}
}

func (reference) SegmentSoftmax(dst, src *tensor.Dense, indptr []int64) {
	for s := 0; s+1 < len(indptr); s++ {
		for h := 0; h < src.Cols; h++ {
			m := math.Inf(-1)
			for k := indptr[s]; k < indptr[s+1]; k++ {
				m = math.Max(m, float64(src.At(int(k), h)))
			}
			var z float64
			for k := indptr[s]; k < indptr[s+1]; k++ {
				z += math.Exp(float64(src.At(int(k), h)) - m)
			}
			for k := indptr[s]; k < indptr[s+1]; k++ {
				dst.Set(int(k), h, float32(math.Exp(float64(src.At(int(k), h))-m)/z))
			}
		}
	}
}

func (reference) SegmentSoftmaxBackward(dst, y, g *tensor.Dense, indptr []int64) {
	for s := 0; s+1 < len(indptr); s++ {
		for h := 0; h < y.Cols; h++ {
			var dot float64
			for k := indptr[s]; k < indptr[s+1]; k++ {
				dot += float64(y.At(int(k), h)) * float64(g.At(int(k), h))
			}
			for k := indptr[s]; k < indptr[s+1]; k++ {
				dst.Set(int(k), h, float32(float64(y.At(int(k), h))*(float64(g.At(int(k), h))-dot)))
			}
		}
	}
}

func each(dst *tensor.Dense, f func(i, j int) float32) {
	for i := 0; i < dst.Rows; i++ {
		for j := 0; j < dst.Cols; j++ {
			dst.Set(i, j, f(i, j))
		}
	}
}

func (reference) Add(dst, a, b *tensor.Dense) {
	same("Add", a, b)
	each(dst, func(i, j int) float32 { return a.At(i, j) + b.At(i, j) })
}

func (reference) Axpy(dst *tensor.Dense, alpha float32, x *tensor.Dense) {
	same("Axpy", dst, x)
	each(dst, func(i, j int) float32 { return dst.At(i, j) + alpha*x.At(i, j) })
}

func (reference) Mul(dst, a, b *tensor.Dense) {
	same("Mul", a, b)
	each(dst, func(i, j int) float32 { return a.At(i, j) * b.At(i, j) })
}

func (reference) Scale(dst *tensor.Dense, alpha float32, a *tensor.Dense) {
	same("Scale", dst, a)
	each(dst, func(i, j int) float32 { return alpha * a.At(i, j) })
}

func (reference) AddRowVector(dst *tensor.Dense, v []float32) {
	each(dst, func(i, j int) float32 { return dst.At(i, j) + v[j] })
}

func (reference) SumRows(dst []float32, a *tensor.Dense) {
	for j := 0; j < a.Cols; j++ {
		var s float64
		for i := 0; i < a.Rows; i++ {
			s += float64(a.At(i, j))
		}
		dst[j] = float32(s)
	}
}

func (reference) ScaleRows(dst *tensor.Dense, s []float32) {
	each(dst, func(i, j int) float32 { return dst.At(i, j) * s[i] })
}

func (reference) Activation(dst *tensor.Dense, f kernels.Act, a *tensor.Dense) {
	same("Activation", dst, a)
	each(dst, func(i, j int) float32 { return float32(act(f, float64(a.At(i, j)))) })
}

func (reference) ActivationBackward(dst *tensor.Dense, f kernels.Act, a, y, g *tensor.Dense) {
	same("ActivationBackward", dst, g)
	each(dst, func(i, j int) float32 {
		x := float64(a.At(i, j))
		var d float64
		switch f.Kind {
		case kernels.Identity:
			d = 1
		case kernels.ReLU:
			if x > 0 {
				d = 1
			}
		case kernels.LeakyReLU:
			d = float64(f.Alpha)
			if x > 0 {
				d = 1
			}
		case kernels.ELU:
			d = float64(f.Alpha) * math.Exp(x)
			if x > 0 {
				d = 1
			}
		case kernels.Sigmoid:
			s := act(f, x)
			d = s * (1 - s)
		case kernels.Tanh:
			th := math.Tanh(x)
			d = 1 - th*th
		case kernels.Exp:
			d = math.Exp(x)
		}
		return float32(d * float64(g.At(i, j)))
	})
}

func act(f kernels.Act, x float64) float64 {
	switch f.Kind {
	case kernels.ReLU:
		return math.Max(x, 0)
	case kernels.LeakyReLU:
		if x > 0 {
			return x
		}
		return float64(f.Alpha) * x
	case kernels.ELU:
		if x > 0 {
			return x
		}
		return float64(f.Alpha) * (math.Exp(x) - 1)
	case kernels.Sigmoid:
		return 1 / (1 + math.Exp(-x))
	case kernels.Tanh:
		return math.Tanh(x)
	case kernels.Exp:
		return math.Exp(x)
	}
	return x
}
