package autodiff

import (
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Var is a node of the computation: a value and, once Backward has reached
// it, the gradient of the loss with respect to it.
type Var struct {
	// Value is the forward result. For values made by a tape it is valid
	// until the tape's next Reset.
	Value *tensor.Dense
	// Grad is the accumulated gradient, nil until Backward reaches this
	// node (or for nodes that do not need one).
	Grad *tensor.Dense

	sparse *Sparse // the same value as a CSR (sparse input features), or nil

	needsGrad bool // a gradient must flow into this node
	leaf      bool // no producing op: keep Grad after Backward
	hasGrad   bool // Grad holds a contribution (else its contents are undefined)
	pooledG   bool // Grad came from the tape pool
}

// NeedsGrad reports whether a gradient flows into v.
func (v *Var) NeedsGrad() bool { return v.needsGrad }

// SparseForm returns the sparse form v was given by [Tape.ConstSparse], or
// nil.
func (v *Var) SparseForm() *Sparse { return v.sparse }

// Bytes returns the memory v's value (and sparse form, if any) holds.
func (v *Var) Bytes() int64 {
	var n int64
	if v.Value != nil {
		n += int64(cap(v.Value.Data)) * 4
	}
	if v.sparse != nil {
		n += v.sparse.m.Bytes()
	}
	return n
}

// Rows returns the number of rows of v's value.
func (v *Var) Rows() int { return v.Value.Rows }

// Cols returns the number of columns of v's value.
func (v *Var) Cols() int { return v.Value.Cols }

// Scalar returns the value of a 1x1 Var.
func (v *Var) Scalar() float32 {
	if v.Value.Rows != 1 || v.Value.Cols != 1 {
		panic(fmt.Sprintf("autodiff: Scalar of a %s value", v.Value.Shape()))
	}
	return v.Value.Data[0]
}

// Tape records operations for reverse-mode differentiation. Build one per
// training loop with [New], call Reset after each step.
type Tape struct {
	b        kernels.Backend
	training bool
	noGrad   bool
	seed     uint64
	draws    uint64 // random operations so far (never reset: each step draws fresh masks)

	ops   []func()
	outs  []*Var // outs[i] is the output of ops[i]
	pool  pool
	owned [][]float32 // buffers to return to the pool on Reset

	sparseDense map[*Sparse]*tensor.Dense // dense forms of dropped-out sparse inputs
	sparseUsed  map[*Sparse]bool          // ... handed out since the last Reset
}

// Option configures a Tape.
type Option func(*Tape)

// WithSeed seeds the tape's random stream (dropout masks).
func WithSeed(seed uint64) Option { return func(t *Tape) { t.seed = seed } }

// New returns a tape computing on b, in evaluation mode, recording gradients.
func New(b kernels.Backend, opts ...Option) *Tape {
	if b == nil {
		panic("autodiff: New: nil backend")
	}
	t := &Tape{b: b, pool: newPool()}
	for _, o := range opts {
		o(t)
	}
	return t
}

// Backend returns the backend the tape computes on.
func (t *Tape) Backend() kernels.Backend { return t.b }

// Training reports whether the tape is in training mode.
func (t *Tape) Training() bool { return t.training }

// SetTraining switches training mode (dropout active, batch statistics).
func (t *Tape) SetTraining(on bool) { t.training = on }

// SetNoGrad stops (true) or resumes (false) recording: while set, no op
// records a backward and no result needs a gradient.
func (t *Tape) SetNoGrad(on bool) { t.noGrad = on }

// Seed reseeds the random stream and restarts its draw counter.
func (t *Tape) Seed(seed uint64) { t.seed, t.draws = seed, 0 }

// Const wraps x as a value that needs no gradient. x is not copied and is
// not owned by the tape.
func (t *Tape) Const(x *tensor.Dense) *Var { return &Var{Value: x, leaf: true} }

// ConstSparse wraps x as a constant together with its sparse form s
// (FeatureCSR(x)): Linear then multiplies through SpMM, and input dropout
// keeps the sparse form.
func (t *Tape) ConstSparse(x *tensor.Dense, s *Sparse) *Var {
	if s.Rows() != x.Rows || s.Cols() != x.Cols {
		panic(fmt.Sprintf("autodiff: ConstSparse: %s value with a %dx%d sparse form", x.Shape(), s.Rows(), s.Cols()))
	}
	return &Var{Value: x, leaf: true, sparse: s}
}

// Leaf wraps x as an input whose gradient Backward should compute; after
// Backward, v.Grad holds it (until Reset, which releases it).
func (t *Tape) Leaf(x *tensor.Dense) *Var {
	return &Var{Value: x, leaf: true, needsGrad: !t.noGrad}
}

// Len returns the number of recorded operations.
func (t *Tape) Len() int { return len(t.ops) }

// alloc returns a rows x cols matrix owned by the tape, contents undefined.
func (t *Tape) alloc(rows, cols int) *tensor.Dense {
	buf := t.pool.get(rows * cols)
	t.owned = append(t.owned, buf)
	return &tensor.Dense{Rows: rows, Cols: cols, Stride: cols, Data: buf}
}

// allocZero returns a zeroed rows x cols matrix owned by the tape.
func (t *Tape) allocZero(rows, cols int) *tensor.Dense {
	d := t.alloc(rows, cols)
	clear(d.Data)
	return d
}

// scratch returns a temporary buffer the caller must hand back with
// release before the current op returns.
func (t *Tape) scratch(rows, cols int) *tensor.Dense {
	return &tensor.Dense{Rows: rows, Cols: cols, Stride: cols, Data: t.pool.get(rows * cols)}
}

func (t *Tape) release(d *tensor.Dense) { t.pool.put(d.Data) }

// needs reports whether any input needs a gradient (and recording is on).
func (t *Tape) needs(in ...*Var) bool {
	if t.noGrad {
		return false
	}
	for _, v := range in {
		if v != nil && v.needsGrad {
			return true
		}
	}
	return false
}

// result makes the output Var of an op whose inputs are in, recording back
// (if any input needs a gradient). back runs when out has a gradient.
func (t *Tape) result(value *tensor.Dense, back func(out *Var), in ...*Var) *Var {
	out := &Var{Value: value}
	if back != nil && t.needs(in...) {
		out.needsGrad = true
		t.ops = append(t.ops, func() { back(out) })
		t.outs = append(t.outs, out)
	}
	return out
}

// Backward computes the gradient of loss (a 1x1 value) with respect to
// every Var that needs one, accumulating into leaves' Grad.
func (t *Tape) Backward(loss *Var) {
	if loss.Value.Rows != 1 || loss.Value.Cols != 1 {
		panic(fmt.Sprintf("autodiff: Backward of a %s value; want 1x1 (use BackwardWith)", loss.Value.Shape()))
	}
	g := tensor.New(1, 1)
	g.Data[0] = 1
	t.BackwardWith(loss, g)
}

// BackwardWith runs the backward pass seeded with dL/dout = grad (same shape
// as out's value). The recorded operations are consumed: a second Backward
// needs a new forward.
func (t *Tape) BackwardWith(out *Var, grad *tensor.Dense) {
	tensor.MustSameShape("Backward", out.Value, grad)
	if !out.needsGrad {
		t.ops, t.outs = t.ops[:0], t.outs[:0]
		return
	}
	t.accumulate(out, func(dst *tensor.Dense) { dst.Copy(grad) })
	for i := len(t.ops) - 1; i >= 0; i-- {
		o := t.outs[i]
		if o.hasGrad {
			t.ops[i]()
		}
		if !o.leaf {
			t.dropGrad(o)
		}
		t.ops[i], t.outs[i] = nil, nil
	}
	t.ops, t.outs = t.ops[:0], t.outs[:0]
}

// dropGrad releases an intermediate's gradient once its op has used it.
func (t *Tape) dropGrad(v *Var) {
	if v.pooledG && v.Grad != nil {
		t.pool.put(v.Grad.Data)
	}
	v.Grad, v.hasGrad, v.pooledG = nil, false, false
}

// Reset discards the recorded operations and returns every buffer the tape
// allocated to its pool: values produced since the last Reset become
// invalid. Leaf gradients computed into tape buffers are released too.
func (t *Tape) Reset() {
	for i := range t.ops {
		t.ops[i], t.outs[i] = nil, nil
	}
	t.ops, t.outs = t.ops[:0], t.outs[:0]
	for i, b := range t.owned {
		t.pool.put(b)
		t.owned[i] = nil
	}
	t.owned = t.owned[:0]
	clear(t.sparseUsed)
	t.pool.trim()
}

// PooledBytes returns the memory the tape keeps for reuse between steps.
func (t *Tape) PooledBytes() int64 { return t.pool.bytes() }

// gradBuf returns v's gradient buffer, allocating it when missing, and
// whether it already holds a contribution.
func (t *Tape) gradBuf(v *Var) (*tensor.Dense, bool) {
	if v.Grad == nil {
		r, c := v.Value.Rows, v.Value.Cols
		if v.leaf {
			// Leaves keep their gradient past Backward; params own theirs.
			v.Grad = t.alloc(r, c)
		} else {
			v.Grad = &tensor.Dense{Rows: r, Cols: c, Stride: c, Data: t.pool.get(r * c)}
			v.pooledG = true
		}
		v.hasGrad = false
	}
	return v.Grad, v.hasGrad
}

// accumulate adds the gradient computed by fill into v.Grad. fill overwrites
// its destination.
func (t *Tape) accumulate(v *Var, fill func(dst *tensor.Dense)) {
	if !v.needsGrad {
		return
	}
	g, has := t.gradBuf(v)
	if !has {
		fill(g)
		v.hasGrad = true
		return
	}
	tmp := t.scratch(g.Rows, g.Cols)
	fill(tmp)
	t.b.Add(g, g, tmp)
	t.release(tmp)
}

// accumulateAdd is accumulate for kernels that add into their destination
// (ScatterAdd, SpMMArgBackward, Gemm with beta): add receives the buffer,
// zeroed when fresh, and adds to it.
func (t *Tape) accumulateAdd(v *Var, add func(dst *tensor.Dense)) {
	if !v.needsGrad {
		return
	}
	g, has := t.gradBuf(v)
	if !has {
		g.Zero()
		v.hasGrad = true
	}
	add(g)
}

// accumulateGemm adds alpha * op(a) * op(b) into v.Grad with one Gemm (beta
// 0 on a fresh buffer, 1 otherwise).
func (t *Tape) accumulateGemm(v *Var, transA, transB bool, alpha float32, a, b *tensor.Dense) {
	if !v.needsGrad {
		return
	}
	g, has := t.gradBuf(v)
	var beta float32
	if has {
		beta = 1
	}
	t.b.Gemm(transA, transB, alpha, a, b, beta, g)
	v.hasGrad = true
}
