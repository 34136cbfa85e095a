package autodiff

import (
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func mustSame(op string, a, b *Var) {
	if a.Value.Rows != b.Value.Rows || a.Value.Cols != b.Value.Cols {
		panic(fmt.Sprintf("autodiff: %s: shape mismatch: %s vs %s", op, a.Value.Shape(), b.Value.Shape()))
	}
}

// MatMul returns op(a) * op(b), op being the transpose when the flag is set.
func (t *Tape) MatMul(a, b *Var, transA, transB bool) *Var {
	m, k := a.Value.Rows, a.Value.Cols
	if transA {
		m, k = k, m
	}
	k2, n := b.Value.Rows, b.Value.Cols
	if transB {
		k2, n = n, k2
	}
	if k != k2 {
		panic(fmt.Sprintf("autodiff: MatMul: inner dimensions differ: %s (trans %v) x %s (trans %v)",
			a.Value.Shape(), transA, b.Value.Shape(), transB))
	}
	y := t.alloc(m, n)
	t.b.Gemm(transA, transB, 1, a.Value, b.Value, 0, y)
	return t.result(y, func(out *Var) {
		g := out.Grad
		// C = op(A) op(B): dA = g op(B)^T (or its transpose), dB likewise.
		if transA {
			t.accumulateGemm(a, transB, true, 1, b.Value, g) // dA = op(B) g^T
		} else {
			t.accumulateGemm(a, false, !transB, 1, g, b.Value) // dA = g op(B)^T
		}
		if transB {
			t.accumulateGemm(b, true, transA, 1, g, a.Value) // dB = g^T op(A)
		} else {
			t.accumulateGemm(b, !transA, false, 1, a.Value, g) // dB = op(A)^T g
		}
	}, a, b)
}

// Linear returns x * w^T + bias, PyTorch's nn.Linear: w is out x in, bias
// (nil for none) is 1 x out.
func (t *Tape) Linear(x, w, bias *Var) *Var {
	if x.Value.Cols != w.Value.Cols {
		panic(fmt.Sprintf("autodiff: Linear: input %s, weight %s (out x in)", x.Value.Shape(), w.Value.Shape()))
	}
	if bias != nil && (bias.Value.Rows != 1 || bias.Value.Cols != w.Value.Rows) {
		panic(fmt.Sprintf("autodiff: Linear: bias %s, want 1x%d", bias.Value.Shape(), w.Value.Rows))
	}
	if x.sparse != nil && !t.needs(x) {
		return t.sparseLinear(x.sparse, w, bias)
	}
	y := t.alloc(x.Value.Rows, w.Value.Rows)
	t.b.Gemm(false, true, 1, x.Value, w.Value, 0, y)
	if bias != nil {
		t.b.AddRowVector(y, bias.Value.Data)
	}
	return t.result(y, func(out *Var) {
		g := out.Grad
		t.accumulateGemm(x, false, false, 1, g, w.Value) // dx = g w
		t.accumulateGemm(w, true, false, 1, g, x.Value)  // dw = g^T x
		if bias != nil {
			t.accumulate(bias, func(dst *tensor.Dense) { t.b.SumRows(dst.Data, g) })
		}
	}, x, w, bias)
}

// sparseLinear is Linear for a constant sparse input: y = SpMM(X, W^T),
// dW = (X^T g)^T. It costs O(nnz(X) * out) instead of O(rows * in * out).
func (t *Tape) sparseLinear(xs *Sparse, w, bias *Var) *Var {
	out, in := w.Value.Rows, w.Value.Cols
	wt := t.alloc(in, out)
	transposeInto(wt, w.Value)
	y := t.alloc(xs.Rows(), out)
	t.b.SpMM(y, xs.m, wt, kernels.Sum, nil)
	if bias != nil {
		t.b.AddRowVector(y, bias.Value.Data)
	}
	return t.result(y, func(o *Var) {
		g := o.Grad
		if w.needsGrad {
			tr, _ := xs.Transpose()
			dwt := t.scratch(in, out)
			t.b.SpMM(dwt, tr, g, kernels.Sum, nil)
			t.accumulate(w, func(dst *tensor.Dense) { transposeInto(dst, dwt) })
			t.release(dwt)
		}
		if bias != nil {
			t.accumulate(bias, func(dst *tensor.Dense) { t.b.SumRows(dst.Data, g) })
		}
	}, w, bias)
}

// transposeInto sets dst = src^T.
func transposeInto(dst, src *tensor.Dense) {
	for i := 0; i < src.Rows; i++ {
		for j, v := range src.Row(i) {
			dst.Data[j*dst.Stride+i] = v
		}
	}
}

// AddBias returns x with the 1 x cols row vector bias added to every row.
func (t *Tape) AddBias(x, bias *Var) *Var {
	if bias.Value.Rows != 1 || bias.Value.Cols != x.Value.Cols {
		panic(fmt.Sprintf("autodiff: AddBias: bias %s for input %s", bias.Value.Shape(), x.Value.Shape()))
	}
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	y.Copy(x.Value)
	t.b.AddRowVector(y, bias.Value.Data)
	return t.result(y, func(out *Var) {
		g := out.Grad
		t.accumulate(x, func(dst *tensor.Dense) { dst.Copy(g) })
		t.accumulate(bias, func(dst *tensor.Dense) { t.b.SumRows(dst.Data, g) })
	}, x, bias)
}

// Add returns a + b.
func (t *Tape) Add(a, b *Var) *Var {
	mustSame("Add", a, b)
	y := t.alloc(a.Value.Rows, a.Value.Cols)
	t.b.Add(y, a.Value, b.Value)
	return t.result(y, func(out *Var) {
		g := out.Grad
		t.accumulate(a, func(dst *tensor.Dense) { dst.Copy(g) })
		t.accumulate(b, func(dst *tensor.Dense) { dst.Copy(g) })
	}, a, b)
}

// Axpby returns alpha*a + beta*b.
func (t *Tape) Axpby(alpha float32, a *Var, beta float32, b *Var) *Var {
	mustSame("Axpby", a, b)
	y := t.alloc(a.Value.Rows, a.Value.Cols)
	t.b.Scale(y, alpha, a.Value)
	t.b.Axpy(y, beta, b.Value)
	return t.result(y, func(out *Var) {
		g := out.Grad
		t.accumulate(a, func(dst *tensor.Dense) { t.b.Scale(dst, alpha, g) })
		t.accumulate(b, func(dst *tensor.Dense) { t.b.Scale(dst, beta, g) })
	}, a, b)
}

// Scale returns alpha * a.
func (t *Tape) Scale(a *Var, alpha float32) *Var {
	y := t.alloc(a.Value.Rows, a.Value.Cols)
	t.b.Scale(y, alpha, a.Value)
	return t.result(y, func(out *Var) {
		t.accumulate(a, func(dst *tensor.Dense) { t.b.Scale(dst, alpha, out.Grad) })
	}, a)
}

// Mul returns the elementwise product a ⊙ b.
func (t *Tape) Mul(a, b *Var) *Var {
	mustSame("Mul", a, b)
	y := t.alloc(a.Value.Rows, a.Value.Cols)
	t.b.Mul(y, a.Value, b.Value)
	return t.result(y, func(out *Var) {
		g := out.Grad
		t.accumulate(a, func(dst *tensor.Dense) { t.b.Mul(dst, g, b.Value) })
		t.accumulate(b, func(dst *tensor.Dense) { t.b.Mul(dst, g, a.Value) })
	}, a, b)
}

// ScaleRows returns x with row i multiplied by the constant s[i].
func (t *Tape) ScaleRows(x *Var, s []float32) *Var {
	if len(s) != x.Value.Rows {
		panic(fmt.Sprintf("autodiff: ScaleRows: %d scales for %s", len(s), x.Value.Shape()))
	}
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	y.Copy(x.Value)
	t.b.ScaleRows(y, s)
	return t.result(y, func(out *Var) {
		t.accumulate(x, func(dst *tensor.Dense) {
			dst.Copy(out.Grad)
			t.b.ScaleRows(dst, s)
		})
	}, x)
}

// Sum returns the sum of all elements as a 1x1 value.
func (t *Tape) Sum(x *Var) *Var { return t.sumScaled(x, 1) }

// Mean returns the mean of all elements as a 1x1 value.
func (t *Tape) Mean(x *Var) *Var {
	n := x.Value.Rows * x.Value.Cols
	if n == 0 {
		return t.sumScaled(x, 0)
	}
	return t.sumScaled(x, 1/float64(n))
}

func (t *Tape) sumScaled(x *Var, scale float64) *Var {
	var s float64
	for i := 0; i < x.Value.Rows; i++ {
		for _, v := range x.Value.Row(i) {
			s += float64(v)
		}
	}
	y := t.alloc(1, 1)
	y.Data[0] = float32(s * scale)
	return t.result(y, func(out *Var) {
		g := out.Grad.Data[0] * float32(scale)
		t.accumulate(x, func(dst *tensor.Dense) { dst.Fill(g) })
	}, x)
}

// Identity returns a Var holding a copy of x, for tests and for breaking
// aliasing between outputs.
func (t *Tape) Identity(x *Var) *Var {
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	y.Copy(x.Value)
	return t.result(y, func(out *Var) {
		t.accumulate(x, func(dst *tensor.Dense) { dst.Copy(out.Grad) })
	}, x)
}
