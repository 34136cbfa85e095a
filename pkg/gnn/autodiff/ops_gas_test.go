package autodiff_test

import (
	"math/rand/v2"
	"runtime"
	"testing"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/gnntest"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// TestConcatRows checks ConcatRows's values against a plain copy and its
// gradient by finite differences, with a constant block in the middle
// (GNNAutoScale's in-batch rows over pulled halo rows) and a reused input.
func TestConcatRows(t *testing.T) {
	const seed = 41
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	a, b := gnntest.RandDense(r, 3, 4), gnntest.RandDense(r, 5, 4)
	halo := gnntest.RandDense(r, 2, 4)
	for _, bk := range backends() {
		t.Run(bk.Name()+"/values", func(t *testing.T) {
			tp := ad.New(bk)
			y := tp.ConcatRows(tp.Const(a), tp.Const(halo), tp.Const(b))
			if y.Rows() != 10 || y.Cols() != 4 {
				t.Fatalf("shape %s, want 10x4", y.Value.Shape())
			}
			for i := 0; i < 10; i++ {
				var want []float32
				switch {
				case i < 3:
					want = a.Row(i)
				case i < 5:
					want = halo.Row(i - 3)
				default:
					want = b.Row(i - 5)
				}
				for j, v := range y.Value.Row(i) {
					if v != want[j] {
						t.Fatalf("row %d col %d = %g, want %g", i, j, v, want[j])
					}
				}
			}
		})
		t.Run(bk.Name()+"/grad", func(t *testing.T) {
			gnntest.GradCheck(t, bk, []*tensor.Dense{a, b}, nil, func(tp *ad.Tape, in []*ad.Var) *ad.Var {
				c := tp.ConcatRows(in[0], tp.Const(halo), in[1], in[0])
				return tp.Mul(c, c)
			}, gnntest.GradOpts{Seed: seed})
		})
	}
}

// TestForgetSparseInputs: dropout of fresh sparse inputs keeps one dense
// buffer each until ForgetSparseInputs, after which results are unchanged.
func TestForgetSparseInputs(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	x := gnntest.RandDense(r, 6, 8)
	for i := range x.Data {
		if i%3 != 0 {
			x.Data[i] = 0
		}
	}
	tp := ad.New(backends()[0], ad.WithSeed(3))
	tp.SetTraining(true)
	first := tp.Dropout(tp.ConstSparse(x, ad.FeatureCSR(x)), 0.5).Value.Clone()
	tp.Reset()
	tp.ForgetSparseInputs()
	tp.Seed(3)
	again := tp.Dropout(tp.ConstSparse(x, ad.FeatureCSR(x)), 0.5).Value
	for i := range first.Data {
		if first.Data[i] != again.Data[i] {
			t.Fatalf("element %d: %g after forgetting, %g before", i, again.Data[i], first.Data[i])
		}
	}
}

// TestReuseSparseInput: dropout of a sequence of sparse inputs of varying
// rows and patterns gives the same values whether the dense buffer is
// handed from one input to the next or allocated afresh.
func TestReuseSparseInput(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	var xs []*tensor.Dense
	for _, rows := range []int{9, 4, 12, 7, 12} {
		x := gnntest.RandDense(r, rows, 10)
		for i := range x.Data {
			if r.IntN(4) != 0 {
				x.Data[i] = 0
			}
		}
		xs = append(xs, x)
	}
	run := func(reuse bool) []*tensor.Dense {
		tp := ad.New(backends()[0], ad.WithSeed(3))
		tp.SetTraining(true)
		var out []*tensor.Dense
		var prev *ad.Var
		for _, x := range xs {
			in := tp.ConstSparse(x, ad.FeatureCSR(x))
			if reuse {
				tp.ReuseSparseInput(prev, in)
			} else {
				tp.ForgetSparseInputs()
			}
			out = append(out, tp.Dropout(in, 0.5).Value.Clone())
			tp.Reset()
			prev = in
		}
		return out
	}
	want, got := run(false), run(true)
	for s := range want {
		for i := range want[s].Data {
			if got[s].Data[i] != want[s].Data[i] {
				t.Fatalf("input %d element %d: %g with the reused buffer, %g fresh", s, i, got[s].Data[i], want[s].Data[i])
			}
		}
	}
}

// TestSparseInputBuffersDoNotPileUp: dropout of a fresh sparse input every
// step (mini-batches) keeps one dense buffer, not one per input ever seen.
func TestSparseInputBuffersDoNotPileUp(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	tp := ad.New(backends()[0], ad.WithSeed(1))
	tp.SetTraining(true)
	const rows, cols, steps = 512, 1024, 40 // 2 MiB per dense buffer
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range steps {
		x := gnntest.RandDense(r, rows, cols)
		for i := range x.Data {
			if i%7 != 0 {
				x.Data[i] = 0
			}
		}
		tp.Dropout(tp.ConstSparse(x, ad.FeatureCSR(x)), 0.5)
		tp.Reset()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if grown > 16<<20 {
		t.Fatalf("heap grew by %d MiB over %d steps (%d MiB of dense buffers if each input kept one)", grown>>20, steps, steps*rows*cols*4>>20)
	}
	runtime.KeepAlive(tp)
}
