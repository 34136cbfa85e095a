package autodiff_test

import (
	"math"
	"math/rand/v2"
	"testing"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/gnntest"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// TestForwardValues checks the forward results of the ops whose math is
// in this package (not in the kernels) against float64 formulas.
func TestForwardValues(t *testing.T) {
	const seed = 11
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	x := gnntest.RandDense(r, 6, 4)
	near := func(t *testing.T, what string, got float32, want float64) {
		t.Helper()
		if math.Abs(float64(got)-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	for _, bk := range backends() {
		tp := ad.New(bk)
		xv := tp.Const(x)
		t.Run(bk.Name()+"/LogSoftmax", func(t *testing.T) {
			y := tp.LogSoftmax(xv).Value
			for i := 0; i < 6; i++ {
				var z float64
				for j := 0; j < 4; j++ {
					z += math.Exp(float64(x.At(i, j)))
				}
				for j := 0; j < 4; j++ {
					near(t, "logsoftmax", y.At(i, j), float64(x.At(i, j))-math.Log(z))
				}
			}
		})
		t.Run(bk.Name()+"/CrossEntropy", func(t *testing.T) {
			labels := []int32{1, 0, 3, 2, 2, 1}
			rows := []int32{0, 3, 5}
			var want float64
			for _, i := range rows {
				var z float64
				for j := 0; j < 4; j++ {
					z += math.Exp(float64(x.At(int(i), j)))
				}
				want += -math.Log(math.Exp(float64(x.At(int(i), int(labels[i])))) / z)
			}
			near(t, "ce", tp.CrossEntropy(xv, labels, rows).Scalar(), want/3)
		})
		t.Run(bk.Name()+"/BCEWithLogits", func(t *testing.T) {
			tg := tensor.New(6, 4)
			for i := range tg.Data {
				tg.Data[i] = float32(i % 2)
			}
			var want float64
			for _, i := range []int{1, 4} {
				for j := 0; j < 4; j++ {
					s := 1 / (1 + math.Exp(-float64(x.At(i, j))))
					y := float64(tg.At(i, j))
					want += -(y*math.Log(s) + (1-y)*math.Log(1-s))
				}
			}
			near(t, "bce", tp.BCEWithLogits(xv, tg, []int32{1, 4}).Scalar(), want/8)
		})
		t.Run(bk.Name()+"/Heads", func(t *testing.T) {
			att := gnntest.RandDense(r, 2, 2) // 2 heads of 2 channels over x's 4 columns
			hd := tp.HeadDot(xv, tp.Const(att)).Value
			a := gnntest.RandDense(r, 6, 2)
			mh := tp.MulHeads(xv, tp.Const(a)).Value
			mean := tp.MeanHeads(xv, 2).Value
			for i := 0; i < 6; i++ {
				for h := 0; h < 2; h++ {
					var d float64
					for c := 0; c < 2; c++ {
						d += float64(x.At(i, 2*h+c)) * float64(att.At(h, c))
						near(t, "mulheads", mh.At(i, 2*h+c), float64(x.At(i, 2*h+c))*float64(a.At(i, h)))
					}
					near(t, "headdot", hd.At(i, h), d)
				}
				for c := 0; c < 2; c++ {
					near(t, "meanheads", mean.At(i, c), (float64(x.At(i, c))+float64(x.At(i, 2+c)))/2)
				}
			}
		})
		t.Run(bk.Name()+"/Norms", func(t *testing.T) {
			ones, zeros := ad.NewParam(1, 4), ad.NewParam(1, 4)
			ad.Fill(ones, 1)
			st := &ad.BatchNormState{Mean: make([]float32, 4), Var: []float32{1, 1, 1, 1}, Momentum: 0.1, Eps: 1e-5}
			tp.SetTraining(true)
			bn := tp.BatchNorm(xv, ones.Var, zeros.Var, st).Value
			tp.SetTraining(false)
			ln := tp.LayerNorm(xv, ones.Var, zeros.Var, 1e-5).Value
			l2 := tp.RowL2Normalize(xv, 1e-12).Value
			for j := 0; j < 4; j++ {
				var m, v float64
				for i := 0; i < 6; i++ {
					m += float64(x.At(i, j)) / 6
				}
				for i := 0; i < 6; i++ {
					v += (float64(x.At(i, j)) - m) * (float64(x.At(i, j)) - m) / 6
				}
				for i := 0; i < 6; i++ {
					near(t, "batchnorm", bn.At(i, j), (float64(x.At(i, j))-m)/math.Sqrt(v+1e-5))
				}
				near(t, "running mean", st.Mean[j], 0.1*m)
				near(t, "running var", st.Var[j], 0.9+0.1*v*6/5)
			}
			for i := 0; i < 6; i++ {
				var m, v, n float64
				for j := 0; j < 4; j++ {
					m += float64(x.At(i, j)) / 4
					n += float64(x.At(i, j)) * float64(x.At(i, j))
				}
				for j := 0; j < 4; j++ {
					v += (float64(x.At(i, j)) - m) * (float64(x.At(i, j)) - m) / 4
				}
				for j := 0; j < 4; j++ {
					near(t, "layernorm", ln.At(i, j), (float64(x.At(i, j))-m)/math.Sqrt(v+1e-5))
					near(t, "l2", l2.At(i, j), float64(x.At(i, j))/math.Sqrt(n))
				}
			}
		})
		tp.Reset()
	}
}

// TestDropout checks the keep rate, the scaling, determinism for a seed and
// that evaluation mode is the identity.
func TestDropout(t *testing.T) {
	bk := backends()[1]
	x := tensor.New(300, 257)
	x.Fill(1)
	mask := func(seed uint64) *tensor.Dense {
		tp := ad.New(bk, ad.WithSeed(seed))
		tp.SetTraining(true)
		return tp.Dropout(tp.Const(x), 0.3).Value.Clone()
	}
	a, b, c := mask(5), mask(5), mask(6)
	if tensor.MaxAbsDiff(a, b) != 0 {
		t.Fatal("same seed gave different masks")
	}
	if tensor.MaxAbsDiff(a, c) == 0 {
		t.Fatal("different seeds gave the same mask")
	}
	kept := 0
	for _, v := range a.Data {
		switch {
		case v == 0:
		case math.Abs(float64(v)-1/0.7) < 1e-6:
			kept++
		default:
			t.Fatalf("mask value %v, want 0 or 1/0.7", v)
		}
	}
	if rate := float64(kept) / float64(len(a.Data)); math.Abs(rate-0.7) > 0.01 {
		t.Fatalf("keep rate %.4f, want 0.7", rate)
	}
	tp := ad.New(bk)
	xv := tp.Const(x)
	if tp.Dropout(xv, 0.5) != xv {
		t.Fatal("dropout in evaluation mode is not the identity")
	}
}

// TestPoolReuse checks that a second identical step allocates its values
// from the pool: after Reset, the same buffers come back.
func TestPoolReuse(t *testing.T) {
	bk := backends()[1]
	r := rand.New(rand.NewPCG(1, 2))
	x := gnntest.RandDense(r, 50, 20)
	w := ad.NewParam(10, 20)
	tp := ad.New(bk)
	step := func() {
		y := tp.ReLU(tp.Linear(tp.Const(x), w.Var, nil))
		tp.Backward(tp.Sum(y))
		tp.Reset()
	}
	step()
	allocs := testing.AllocsPerRun(5, step)
	// Closures and Var headers only: no float buffers.
	if allocs > 40 {
		t.Fatalf("%.0f allocations per step, want few (buffers pooled)", allocs)
	}
}

// TestDropoutConst checks the mask-free path for inputs: zeros stay zero,
// kept values are scaled, the keep rate is 1-p and the seed fixes it.
func TestDropoutConst(t *testing.T) {
	bk := backends()[1]
	r := rand.New(rand.NewPCG(3, 3))
	x := gnntest.RandDense(r, 400, 301)
	for i := range x.Data {
		if i%3 == 0 {
			x.Data[i] = 0
		}
	}
	drop := func(seed uint64) *tensor.Dense {
		tp := ad.New(bk, ad.WithSeed(seed))
		tp.SetTraining(true)
		return tp.Dropout(tp.Const(x), 0.6).Value.Clone()
	}
	a := drop(9)
	if tensor.MaxAbsDiff(a, drop(9)) != 0 || tensor.MaxAbsDiff(a, drop(10)) == 0 {
		t.Fatal("input dropout is not a function of the seed")
	}
	kept, nonzero := 0, 0
	for i, v := range a.Data {
		if x.Data[i] == 0 {
			if v != 0 {
				t.Fatal("a zero input became non-zero")
			}
			continue
		}
		nonzero++
		if v != 0 {
			kept++
			if math.Abs(float64(v)-float64(x.Data[i])/0.4) > 1e-5 {
				t.Fatalf("kept value %v, want %v", v, x.Data[i]/0.4)
			}
		}
	}
	if rate := float64(kept) / float64(nonzero); math.Abs(rate-0.4) > 0.01 {
		t.Fatalf("keep rate %.4f, want 0.4", rate)
	}
}

// TestSparseInput checks that a sparse-backed input gives the dense
// results: Linear's output and weight/bias gradients, and input dropout
// (same mask as the dense path, same sparse and dense values).
func TestSparseInput(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	x := gnntest.RandDense(r, 50, 37)
	for i := range x.Data {
		if r.IntN(5) != 0 {
			x.Data[i] = 0
		}
	}
	xs := ad.FeatureCSR(x)
	for _, bk := range backends() {
		w, b := ad.NewParam(6, 37), ad.NewParam(1, 6, 6)
		for i := range w.Value.Data {
			w.Value.Data[i] = float32(r.NormFloat64())
		}
		b.Value.Data[2] = 0.5
		grads := func(sparse, training bool) (*tensor.Dense, *tensor.Dense, *tensor.Dense) {
			w.ZeroGrad()
			b.ZeroGrad()
			tp := ad.New(bk, ad.WithSeed(7))
			tp.SetTraining(training)
			in := tp.Const(x)
			if sparse {
				in = tp.ConstSparse(x, xs)
			}
			y := tp.Linear(tp.Dropout(in, 0.3), w.Var, b.Var)
			tp.Backward(tp.Sum(tp.Mul(y, y)))
			return y.Value.Clone(), w.Grad.Clone(), b.Grad.Clone()
		}
		for _, training := range []bool{false, true} {
			y1, w1, b1 := grads(false, training)
			y2, w2, b2 := grads(true, training)
			for name, pair := range map[string][2]*tensor.Dense{"y": {y1, y2}, "dw": {w1, w2}, "db": {b1, b2}} {
				if d := tensor.MaxAbsDiff(pair[0], pair[1]); d > 1e-4 {
					t.Errorf("%s training=%v: %s differs by %g between dense and sparse input", bk.Name(), training, name, d)
				}
			}
		}
	}
}

// TestDropoutBitsMatchesMask checks that dropout of a value needing a
// gradient (bit mask) applies exactly the mask Mask draws for the same
// seed, and routes the gradient through the same mask.
func TestDropoutBitsMatchesMask(t *testing.T) {
	bk := backends()[1]
	r := rand.New(rand.NewPCG(5, 5))
	x := gnntest.RandDense(r, 70, 513) // not a multiple of the block size
	tp := ad.New(bk, ad.WithSeed(3))
	tp.SetTraining(true)
	leaf := tp.Leaf(x)
	y := tp.Dropout(leaf, 0.35)
	tp.Backward(tp.Sum(y))
	mask := ad.New(bk, ad.WithSeed(3)).Mask(70, 513, 0.35)
	for i, v := range y.Value.Data {
		if want := x.Data[i] * mask.Data[i]; math.Abs(float64(v-want)) > 1e-6 {
			t.Fatalf("element %d: %v, want %v", i, v, want)
		}
		if leaf.Grad.Data[i] != mask.Data[i] {
			t.Fatalf("gradient %d: %v, want %v", i, leaf.Grad.Data[i], mask.Data[i])
		}
	}
}

// TestPoolTrims checks that a tape whose step shapes change does not keep
// the buffers of every shape it has seen.
func TestPoolTrims(t *testing.T) {
	tp := ad.New(backends()[1])
	for step := 1; step <= 40; step++ {
		x := tensor.New(1000+step, 1000) // a new shape each step, 4 MB
		tp.Identity(tp.Identity(tp.Const(x)))
		tp.Reset()
	}
	if held := tp.PooledBytes(); held > 2*8<<20+64<<20 {
		t.Fatalf("pool holds %d bytes after 40 shapes", held)
	}
}

// TestSparseDropoutTwice checks that two dropouts of one sparse input in
// the same step do not share their dense result, and that the reused
// buffer is right in the next step.
func TestSparseDropoutTwice(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	x := gnntest.RandDense(r, 30, 40)
	for i := range x.Data {
		if r.IntN(4) != 0 {
			x.Data[i] = 0
		}
	}
	xs := ad.FeatureCSR(x)
	bk := backends()[1]
	sparse := ad.New(bk, ad.WithSeed(2))
	dense := ad.New(bk, ad.WithSeed(2))
	for step := 0; step < 3; step++ {
		sparse.SetTraining(true)
		dense.SetTraining(true)
		a := sparse.Dropout(sparse.ConstSparse(x, xs), 0.5)
		b := sparse.Dropout(sparse.ConstSparse(x, xs), 0.5)
		wa := dense.Dropout(dense.Const(x), 0.5)
		wb := dense.Dropout(dense.Const(x), 0.5)
		if tensor.MaxAbsDiff(a.Value, wa.Value) != 0 || tensor.MaxAbsDiff(b.Value, wb.Value) != 0 {
			t.Fatalf("step %d: sparse-input dropout differs from the dense path", step)
		}
		if tensor.MaxAbsDiff(a.Value, b.Value) == 0 {
			t.Fatalf("step %d: two dropouts gave the same mask", step)
		}
		sparse.Reset()
		dense.Reset()
	}
}
