package gnntest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// TB is the part of testing.TB the checkers use.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}

// GradOpts tunes a finite-difference check.
type GradOpts struct {
	Eps      float64 // perturbation (default 1e-2)
	ATol     float64 // absolute tolerance (default 1e-2)
	RTol     float64 // relative tolerance (default 3e-2)
	MaxProbe int     // elements probed per tensor, chosen at random (default 24)
	Seed     uint64  // for the loss weights and the probed elements
	Training bool    // run the forward in training mode (dropout with the tape seed)
}

func (o *GradOpts) defaults() {
	if o.Eps == 0 {
		o.Eps = 1e-2
	}
	if o.ATol == 0 {
		o.ATol = 1e-2
	}
	if o.RTol == 0 {
		o.RTol = 3e-2
	}
	if o.MaxProbe == 0 {
		o.MaxProbe = 24
	}
}

// Forward builds an output from inputs on a tape; GradCheck calls it many
// times and it must be deterministic given the tape (whose seed is fixed).
type Forward func(tp *autodiff.Tape, in []*autodiff.Var) *autodiff.Var

// GradCheck compares the gradients Backward computes, with respect to every
// input and every parameter, with central finite differences of the scalar
// L = sum(out ⊙ R) for a fixed random R. It reports each mismatch with the
// tensor name and element.
func GradCheck(t TB, b kernels.Backend, inputs []*tensor.Dense, params []autodiff.Named, f Forward, o GradOpts) {
	t.Helper()
	o.defaults()
	r := rand.New(rand.NewPCG(o.Seed, 0x67ad))
	run := func(withGrad bool) (*autodiff.Tape, []*autodiff.Var, *autodiff.Var) {
		tp := autodiff.New(b, autodiff.WithSeed(o.Seed))
		tp.SetTraining(o.Training)
		tp.SetNoGrad(!withGrad)
		in := make([]*autodiff.Var, len(inputs))
		for i, x := range inputs {
			if withGrad {
				in[i] = tp.Leaf(x)
			} else {
				in[i] = tp.Const(x)
			}
		}
		return tp, in, f(tp, in)
	}

	tp, in, out := run(true)
	R := tensor.New(out.Value.Rows, out.Value.Cols)
	for i := range R.Data {
		R.Data[i] = float32(r.NormFloat64())
	}
	for _, p := range params {
		p.Param.ZeroGrad()
	}
	tp.BackwardWith(out, R)
	type target struct {
		name  string
		value *tensor.Dense
		grad  *tensor.Dense
	}
	var targets []target
	for i, v := range in {
		g := v.Grad
		if g == nil {
			g = tensor.New(v.Value.Rows, v.Value.Cols)
		}
		targets = append(targets, target{fmt.Sprintf("input %d", i), inputs[i], g.Clone()})
	}
	for _, p := range params {
		g := p.Param.Grad
		if !p.Param.HasGrad() {
			g = tensor.New(p.Param.Value.Rows, p.Param.Value.Cols)
		}
		targets = append(targets, target{p.Name, p.Param.Value, g.Clone()})
	}
	tp.Reset()

	loss := func() float64 {
		tp, _, out := run(false)
		defer tp.Reset()
		var s float64
		for i := 0; i < out.Value.Rows; i++ {
			for j, v := range out.Value.Row(i) {
				s += float64(v) * float64(R.At(i, j))
			}
		}
		return s
	}
	bad, kinks, probed := 0, 0, 0
	l0 := loss()
	for _, tg := range targets {
		n := tg.value.Rows * tg.value.Cols
		probes := r.Perm(n)
		if len(probes) > o.MaxProbe {
			probes = probes[:o.MaxProbe]
		}
		for _, e := range probes {
			i, j := e/tg.value.Cols, e%tg.value.Cols
			old := tg.value.At(i, j)
			tg.value.Set(i, j, old+float32(o.Eps))
			lp := loss()
			tg.value.Set(i, j, old-float32(o.Eps))
			lm := loss()
			tg.value.Set(i, j, old)
			probed++
			// A kink (ReLU at 0, a max changing its winner) inside
			// [x-eps, x+eps] makes the one-sided slopes disagree: the
			// central difference is meaningless there, so skip it.
			right, left := (lp-l0)/o.Eps, (l0-lm)/o.Eps
			if math.Abs(right-left) > o.ATol+o.RTol*math.Max(math.Abs(right), math.Abs(left)) {
				kinks++
				continue
			}
			num := (lp - lm) / (2 * o.Eps)
			ana := float64(tg.grad.At(i, j))
			if d := math.Abs(num - ana); !(d <= o.ATol+o.RTol*math.Max(math.Abs(num), math.Abs(ana))) {
				bad++
				if bad <= 10 {
					t.Errorf("gradient of %s[%d,%d]: backward %.6g, finite difference %.6g", tg.name, i, j, ana, num)
				}
			}
		}
	}
	if kinks > 0 {
		t.Logf("%d of %d probes skipped at non-differentiable points", kinks, probed)
	}
	if kinks*4 > probed {
		t.Errorf("%d of %d probes hit non-differentiable points: use a smaller Eps or smoother inputs", kinks, probed)
	}
	if bad > 10 {
		t.Errorf("... %d gradient mismatches in all", bad)
	}
}

// RandDense returns a rows x cols matrix of N(0, 1) values.
func RandDense(r *rand.Rand, rows, cols int) *tensor.Dense {
	d := tensor.New(rows, cols)
	for i := range d.Data {
		d.Data[i] = float32(r.NormFloat64())
	}
	return d
}

// RandCSR returns a random rows x cols adjacency with about deg entries per
// row (some rows empty, duplicates possible when dup is set), values in
// (0.5, 1.5) when weighted.
func RandCSR(r *rand.Rand, rows, cols, deg int, weighted, dup bool) tensor.CSR {
	a := tensor.CSR{Rows: rows, Cols: cols, Indptr: make([]int64, rows+1)}
	for i := 0; i < rows; i++ {
		n := r.IntN(2*deg + 1)
		if i%7 == 3 {
			n = 0 // some isolated targets
		}
		seen := map[int32]bool{}
		for k := 0; k < n; k++ {
			c := int32(r.IntN(cols))
			if !dup && seen[c] {
				continue
			}
			seen[c] = true
			a.Indices = append(a.Indices, c)
			if weighted {
				a.Values = append(a.Values, 0.5+r.Float32())
			}
		}
		a.Indptr[i+1] = int64(len(a.Indices))
	}
	if a.Indices == nil {
		a.Indices = []int32{}
	}
	return a
}
