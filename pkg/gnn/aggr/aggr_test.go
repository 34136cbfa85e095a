package aggr_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/gnn/aggr"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/gnntest"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func backends() []kernels.Backend {
	return []kernels.Backend{gnntest.Reference(), cpu.New()}
}

// naive reduces the values vs of one segment for one channel in float64.
type naive func(vs []float64) float64

func mean(vs []float64) float64 {
	var s float64
	for _, v := range vs {
		s += v
	}
	return s / float64(len(vs))
}

func variance(vs []float64) float64 {
	m := mean(vs)
	var s float64
	for _, v := range vs {
		s += v * v
	}
	return s/float64(len(vs)) - m*m
}

var naives = map[string]naive{
	"sum":  func(vs []float64) float64 { return mean(vs) * float64(len(vs)) },
	"mean": mean,
	"max":  func(vs []float64) float64 { return slices.Max(vs) },
	"min":  func(vs []float64) float64 { return slices.Min(vs) },
	"var":  variance,
	"std": func(vs []float64) float64 {
		if v := variance(vs); v > 1e-5 {
			return math.Sqrt(v)
		}
		return 0
	},
	"softmax": func(vs []float64) float64 { // t = 1.5
		var z, s float64
		for _, v := range vs {
			z += math.Exp(1.5 * v)
		}
		for _, v := range vs {
			s += math.Exp(1.5*v) / z * v
		}
		return s
	},
	"powermean": func(vs []float64) float64 { // p = 2.5
		var s float64
		for _, v := range vs {
			s += math.Pow(math.Min(math.Max(v, 0), 100), 2.5)
		}
		return math.Pow(math.Min(s/float64(len(vs)), 100), 1/2.5)
	},
	"median": func(vs []float64) float64 {
		c := slices.Clone(vs)
		slices.Sort(c)
		return c[(len(c)-1)/2]
	},
}

func build(name string) aggr.Aggregation {
	switch name {
	case "softmax":
		return aggr.NewSoftmax(1.5, true, 1)
	case "powermean":
		return aggr.NewPowerMean(2.5, true, 3)
	}
	a, err := aggr.Resolve(name)
	if err != nil {
		panic(err)
	}
	return a
}

// TestAggregationsAgainstNaive compares every aggregation, through both the
// message path and the neighbour fast path, with a float64 reference.
func TestAggregationsAgainstNaive(t *testing.T) {
	const seed = 21
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	a := gnntest.RandCSR(r, 7, 10, 3, true, true)
	s := ad.MustSparse(a)
	x := gnntest.RandDense(r, 10, 3)
	for _, bk := range backends() {
		for name, ref := range naives {
			t.Run(bk.Name()+"/"+name, func(t *testing.T) {
				tp := ad.New(bk)
				g := build(name)
				paths := map[string]*tensor.Dense{
					"messages":  g.Reduce(tp, tp.Gather(tp.Const(x), a.Indices), s).Value,
					"neighbors": aggr.Neighbors(tp, g, s, tp.Const(x)).Value,
					"edgelist":  aggr.Neighbors(tp, g, s.AsEdgeList(), tp.Const(x)).Value,
				}
				for path, got := range paths {
					for i := 0; i < a.Rows; i++ {
						for f := 0; f < 3; f++ {
							var vs []float64
							for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
								vs = append(vs, float64(x.At(int(a.Indices[k]), f)))
							}
							want := 0.0
							if len(vs) > 0 {
								want = ref(vs)
							}
							if d := math.Abs(float64(got.At(i, f)) - want); d > 1e-4*math.Max(1, math.Abs(want)) {
								t.Errorf("%s: row %d ch %d = %v, want %v", path, i, f, got.At(i, f), want)
							}
						}
					}
				}
			})
		}
	}
}

// TestAggregationGradients checks every aggregation (and a multi) against
// finite differences, including the learnable temperature and p.
func TestAggregationGradients(t *testing.T) {
	const seed = 22
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	a := gnntest.RandCSR(r, 6, 8, 3, false, false)
	s := ad.MustSparse(a)
	names := []string{"sum", "mean", "max", "min", "var", "std", "softmax", "powermean", "median", "multi"}
	for _, bk := range backends() {
		for _, name := range names {
			t.Run(bk.Name()+"/"+name, func(t *testing.T) {
				var g aggr.Aggregation
				if name == "multi" {
					g = aggr.NewMulti(aggr.Mean(), aggr.NewSoftmax(0.5, true, 3), aggr.Std())
				} else {
					g = build(name)
				}
				x := gnntest.RandDense(r, 8, 3)
				if name == "powermean" {
					for i := range x.Data {
						x.Data[i] = 0.3 + 2*r.Float32() // away from the clamp at 0
					}
				}
				opts := gnntest.GradOpts{Seed: seed, Eps: 1e-3}
				gnntest.GradCheck(t, bk, []*tensor.Dense{x}, g.Params(), func(tp *ad.Tape, in []*ad.Var) *ad.Var {
					return aggr.Neighbors(tp, g, s, in[0])
				}, opts)
			})
		}
	}
}

func TestPool(t *testing.T) {
	bk := cpu.New()
	tp := ad.New(bk)
	x := tensor.FromSlice(5, 2, []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	out, err := aggr.Pool(tp, aggr.NewMulti(aggr.Sum(), aggr.Max()), tp.Const(x), []int32{0, 0, 2, 2, 2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := tensor.FromSlice(3, 4, []float32{4, 6, 3, 4, 0, 0, 0, 0, 21, 24, 9, 10})
	if tensor.MaxAbsDiff(out.Value, want) != 0 {
		t.Fatalf("pool = %v, want %v", out.Value, want)
	}
	for _, tc := range []struct {
		batch []int32
		err   string
	}{
		{[]int32{0, 1, 0, 1, 1}, "not sorted at 2"},
		{[]int32{0, 0, 1, 1, 3}, "batch[4] = 3 out of range"},
		{[]int32{0, 0}, "2 entries for 5 rows"},
	} {
		if _, err := aggr.Pool(tp, aggr.Sum(), tp.Const(x), tc.batch, 3); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Pool(%v) error = %v, want %q", tc.batch, err, tc.err)
		}
	}
}

func TestStringsAndParams(t *testing.T) {
	m := aggr.NewMulti(aggr.Sum(), aggr.NewSoftmax(1, true, 4), aggr.NewPowerMean(1, true, 1))
	if got, want := m.String(), "multi[sum, softmax(t=1, learn=true), powermean(p=1, learn=true)]"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	ps := m.Params()
	if len(ps) != 2 || ps[0].Name != "aggrs.1.t" || ps[1].Name != "aggrs.2.p" || ps[0].Param.Value.Cols != 4 {
		t.Errorf("params = %+v", ps)
	}
	if m.OutDim(5) != 15 {
		t.Errorf("OutDim = %d", m.OutDim(5))
	}
	if _, err := aggr.Resolve("bogus"); err == nil {
		t.Error("Resolve accepted an unknown name")
	}
}
