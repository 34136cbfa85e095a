package autodiff_test

import (
	"hash/fnv"
	"math/rand/v2"
	"testing"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/gnntest"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

type opCase struct {
	name   string
	inputs func(r *rand.Rand) []*tensor.Dense
	params func(r *rand.Rand) []ad.Named
	f      func(ps []ad.Named) gnntest.Forward
	opts   gnntest.GradOpts
}

func dense(rows, cols int) func(r *rand.Rand) []*tensor.Dense {
	return func(r *rand.Rand) []*tensor.Dense { return []*tensor.Dense{gnntest.RandDense(r, rows, cols)} }
}

func dense2(r1, c1, r2, c2 int) func(r *rand.Rand) []*tensor.Dense {
	return func(r *rand.Rand) []*tensor.Dense {
		return []*tensor.Dense{gnntest.RandDense(r, r1, c1), gnntest.RandDense(r, r2, c2)}
	}
}

func param(name string, rows, cols int, r *rand.Rand) ad.Named {
	p := ad.NewParam(rows, cols)
	for i := range p.Value.Data {
		p.Value.Data[i] = float32(r.NormFloat64())
	}
	return ad.Named{Name: name, Param: p}
}

func noParams(*rand.Rand) []ad.Named { return nil }

// positive returns inputs in (0.2, 2.2), away from kinks and zero.
func positive(rows, cols int) func(r *rand.Rand) []*tensor.Dense {
	return func(r *rand.Rand) []*tensor.Dense {
		d := tensor.New(rows, cols)
		for i := range d.Data {
			d.Data[i] = 0.2 + 2*r.Float32()
		}
		return []*tensor.Dense{d}
	}
}

func opCases() []opCase {
	adj := gnntest.RandCSR(rand.New(rand.NewPCG(9, 9)), 6, 9, 3, true, true)
	sp := ad.MustSparse(adj)
	unw := adj
	unw.Values = nil
	spu := ad.MustSparse(unw)
	labels := []int32{0, 2, 1, 3, 3, 0, 1}
	return []opCase{
		{name: "MatMul", inputs: dense2(4, 3, 3, 5), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.MatMul(in[0], in[1], false, false) }
			}},
		{name: "MatMulTT", inputs: dense2(3, 4, 5, 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.MatMul(in[0], in[1], true, true) }
			}},
		{name: "MatMulTN", inputs: dense2(3, 4, 3, 2), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.MatMul(in[0], in[1], true, false) }
			}},
		{name: "MatMulNT", inputs: dense2(4, 3, 2, 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.MatMul(in[0], in[1], false, true) }
			}},
		{name: "Linear", inputs: dense(5, 4),
			params: func(r *rand.Rand) []ad.Named { return []ad.Named{param("w", 3, 4, r), param("b", 1, 3, r)} },
			f: func(ps []ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.Linear(in[0], ps[0].Param.Var, ps[1].Param.Var) }
			}},
		{name: "AddBias", inputs: dense(5, 3),
			params: func(r *rand.Rand) []ad.Named { return []ad.Named{param("b", 1, 3, r)} },
			f: func(ps []ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.AddBias(in[0], ps[0].Param.Var) }
			}},
		{name: "AddReuse", inputs: dense(4, 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				// x used twice: gradients must accumulate.
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.Mul(tp.Add(in[0], in[0]), in[0]) }
			}},
		{name: "Axpby", inputs: dense2(4, 3, 4, 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.Axpby(0.3, in[0], -1.7, in[1]) }
			}},
		{name: "ScaleRowsSum", inputs: dense(4, 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var {
					return tp.Sum(tp.ScaleRows(tp.Scale(in[0], 2), []float32{1, -2, 0.5, 3}))
				}
			}},
		{name: "Mean", inputs: dense(4, 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.Mean(tp.Mul(in[0], in[0])) }
			}},
		{name: "ELU", inputs: dense(5, 4), params: noParams, opts: gnntest.GradOpts{Eps: 1e-3},
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.ELU(in[0], 1) }
			}},
		{name: "ReLU", inputs: dense(5, 4), params: noParams, opts: gnntest.GradOpts{Eps: 1e-3},
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.ReLU(in[0]) }
			}},
		{name: "LeakyReLU", inputs: dense(5, 4), params: noParams, opts: gnntest.GradOpts{Eps: 1e-3},
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.LeakyReLU(in[0], 0.2) }
			}},
		{name: "SigmoidTanhExp", inputs: dense(5, 4), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var {
					return tp.Add(tp.Sigmoid(in[0]), tp.Mul(tp.Tanh(in[0]), tp.Exp(tp.Scale(in[0], 0.3))))
				}
			}},
		{name: "Dropout", inputs: dense(6, 5), params: noParams, opts: gnntest.GradOpts{Training: true, Seed: 3},
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.Dropout(in[0], 0.4) }
			}},
		{name: "SpMMSum", inputs: dense(9, 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.SpMM(sp, in[0], kernels.Sum) }
			}},
		{name: "SpMMMean", inputs: dense(9, 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.SpMM(spu, in[0], kernels.Mean) }
			}},
		{name: "SpMMMax", inputs: dense(9, 3), params: noParams, opts: gnntest.GradOpts{Eps: 1e-3},
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.SpMM(sp, in[0], kernels.Max) }
			}},
		{name: "SpMMMin", inputs: dense(9, 3), params: noParams, opts: gnntest.GradOpts{Eps: 1e-3},
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.SpMM(spu, in[0], kernels.Min) }
			}},
		{name: "SpMMHeads", inputs: dense2(sp.NNZ(), 2, 9, 6), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.SpMMHeads(sp, in[0], in[1]) }
			}},
		{name: "SpMMHeads1", inputs: dense2(sp.NNZ(), 1, 9, 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.SpMMHeads(sp, in[0], in[1]) }
			}},
		{name: "GatherScatter", inputs: dense(5, 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var {
					g := tp.Gather(in[0], []int32{4, 0, 0, 2, 4, 1})
					return tp.ScatterAdd(tp.Mul(g, g), []int32{1, 1, 0, 3, 2, 0}, 4)
				}
			}},
		{name: "SegmentSoftmax", inputs: dense(sp.NNZ(), 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.SegmentSoftmax(in[0], sp) }
			}},
		{name: "SegmentSum", inputs: dense(sp.NNZ(), 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.SpMM(sp.Segments(), in[0], kernels.Sum) }
			}},
		{name: "ConcatSlice", inputs: dense2(4, 3, 4, 2), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var {
					c := tp.ConcatCols(in[0], in[1], in[0])
					return tp.Add(tp.SliceCols(c, 1, 4), tp.SliceCols(tp.ConcatCols(in[1], in[1]), 1, 4))
				}
			}},
		{name: "SliceRows", inputs: dense(5, 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.SliceRows(in[0], 1, 3) }
			}},
		{name: "HeadDot", inputs: dense(5, 6),
			params: func(r *rand.Rand) []ad.Named { return []ad.Named{param("att", 3, 2, r)} },
			f: func(ps []ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.HeadDot(in[0], ps[0].Param.Var) }
			}},
		{name: "MulHeads", inputs: dense2(5, 6, 5, 2), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.MulHeads(in[0], in[1]) }
			}},
		{name: "MeanHeads", inputs: dense(5, 6), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.MeanHeads(in[0], 3) }
			}},
		{name: "MulRowVector", inputs: dense(5, 3),
			params: func(r *rand.Rand) []ad.Named { return []ad.Named{param("v", 1, 3, r), param("s", 1, 1, r)} },
			f: func(ps []ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var {
					return tp.MulRowVector(tp.MulRowVector(in[0], ps[0].Param.Var), ps[1].Param.Var)
				}
			}},
		{name: "Clamp", inputs: dense(6, 4), params: noParams, opts: gnntest.GradOpts{Eps: 1e-3},
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.Clamp(in[0], -0.5, 0.7) }
			}},
		{name: "SafeSqrt", inputs: positive(4, 3), params: noParams, opts: gnntest.GradOpts{Eps: 1e-3},
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.SafeSqrt(in[0], 1e-5) }
			}},
		{name: "PowRecip", inputs: positive(4, 3),
			params: func(r *rand.Rand) []ad.Named {
				p := param("p", 1, 3, r)
				for i := range p.Param.Value.Data {
					p.Param.Value.Data[i] = 0.5 + r.Float32()
				}
				return []ad.Named{p}
			},
			opts: gnntest.GradOpts{Eps: 1e-3},
			f: func(ps []ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var {
					return tp.Pow(tp.Pow(in[0], ps[0].Param.Var), tp.Recip(tp.Scale(ps[0].Param.Var, 2)))
				}
			}},
		{name: "RowL2Normalize", inputs: dense(5, 4), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.RowL2Normalize(in[0], 1e-12) }
			}},
		{name: "LogSoftmax", inputs: dense(5, 4), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.LogSoftmax(in[0]) }
			}},
		{name: "CrossEntropy", inputs: dense(7, 4), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var {
					return tp.CrossEntropy(in[0], labels, []int32{0, 2, 3, 5, 2})
				}
			}},
		{name: "BCEWithLogits", inputs: dense(5, 3), params: noParams,
			f: func([]ad.Named) gnntest.Forward {
				tg := tensor.FromSlice(5, 3, []float32{1, 0, 1, 0, 0, 1, 1, 1, 0, 0.5, 0, 1, 1, 0, 0})
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var { return tp.BCEWithLogits(in[0], tg, []int32{0, 1, 3, 4}) }
			}},
		{name: "BatchNormTrain", inputs: dense(8, 3), opts: gnntest.GradOpts{Training: true},
			params: func(r *rand.Rand) []ad.Named { return []ad.Named{param("gamma", 1, 3, r), param("beta", 1, 3, r)} },
			f: func(ps []ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var {
					st := &ad.BatchNormState{Mean: make([]float32, 3), Var: []float32{1, 1, 1}, Momentum: 0.1, Eps: 1e-5}
					return tp.BatchNorm(in[0], ps[0].Param.Var, ps[1].Param.Var, st)
				}
			}},
		{name: "BatchNormEval", inputs: dense(8, 3),
			params: func(r *rand.Rand) []ad.Named { return []ad.Named{param("gamma", 1, 3, r), param("beta", 1, 3, r)} },
			f: func(ps []ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var {
					st := &ad.BatchNormState{Mean: []float32{0.1, -0.2, 0.3}, Var: []float32{1.5, 0.7, 1}, Momentum: 0.1, Eps: 1e-5}
					return tp.BatchNorm(in[0], ps[0].Param.Var, ps[1].Param.Var, st)
				}
			}},
		{name: "LayerNorm", inputs: dense(5, 4),
			params: func(r *rand.Rand) []ad.Named { return []ad.Named{param("gamma", 1, 4, r), param("beta", 1, 4, r)} },
			f: func(ps []ad.Named) gnntest.Forward {
				return func(tp *ad.Tape, in []*ad.Var) *ad.Var {
					return tp.LayerNorm(in[0], ps[0].Param.Var, ps[1].Param.Var, 1e-5)
				}
			}},
	}
}

func TestOpGradients(t *testing.T) {
	for _, bk := range backends() {
		for _, c := range opCases() {
			t.Run(bk.Name()+"/"+c.name, func(t *testing.T) {
				h := fnv.New64a()
				h.Write([]byte(c.name))
				seed := h.Sum64() % 100000
				t.Logf("seed %d", seed)
				r := rand.New(rand.NewPCG(seed, 1))
				in := c.inputs(r)
				ps := c.params(r)
				o := c.opts
				if o.Seed == 0 {
					o.Seed = seed
				}
				gnntest.GradCheck(t, bk, in, ps, c.f(ps), o)
			})
		}
	}
}
