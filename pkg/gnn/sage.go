package gnn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gnnscale/gnnscale/pkg/gnn/aggr"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/kernels"
)

// SAGEConv is GraphSAGE (Hamilton, Ying & Leskovec, "Inductive
// Representation Learning on Large Graphs", NeurIPS 2017), as PyG's
// SAGEConv:
//
//	x'_i = W_l · aggr_{j ∈ N(i)} x_j + b + W_r x_i
//
// optionally followed by L2 normalisation of every output row. Parameters:
// "lin_l.weight" (out x aggr.OutDim(in)), "lin_l.bias", "lin_r.weight"
// (out x in, without RootWeight absent); torch.nn.Linear initialisation.
// Edge values are ignored. Shapes: x sources x in, result targets x out.
type SAGEConv struct {
	LinL      *Linear
	LinR      *Linear // nil without root weight
	Aggr      aggr.Aggregation
	Normalize bool
	in        int
}

// NewSAGEConv returns a SAGEConv with aggregation ag (nil = mean), root
// weight and bias, without normalisation.
func NewSAGEConv(in, out int, ag aggr.Aggregation, r *rand.Rand) *SAGEConv {
	if ag == nil {
		ag = aggr.Mean()
	}
	return &SAGEConv{
		LinL: NewLinear(ag.OutDim(in), out, true, KaimingUniform, r),
		LinR: NewLinear(in, out, false, KaimingUniform, r),
		Aggr: ag, in: in,
	}
}

// Params returns the aggregation's parameters ("aggr.*"), lin_l.* and
// lin_r.weight.
func (c *SAGEConv) Params() []ad.Named {
	ps := ad.Prefix("aggr_module", c.Aggr)
	ps = append(ps, ad.Prefix("lin_l", c.LinL)...)
	if c.LinR != nil {
		ps = append(ps, ad.Prefix("lin_r", c.LinR)...)
	}
	return ps
}

// OutDim returns the output width.
func (c *SAGEConv) OutDim() int { return c.LinL.Out }

// Forward implements Conv.
func (c *SAGEConv) Forward(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var {
	var out *ad.Var
	if r, ok := aggr.SpMMReduce(c.Aggr); ok && (r == kernels.Sum || r == kernels.Mean) && c.LinL.Out < c.LinL.In {
		// Linear aggregations commute with the weight: aggregate the
		// narrower projection, then add the bias (which empty rows get too).
		h := t.Linear(x, c.LinL.W.Var, nil)
		out = Propagate(t, a, h, Spec{Aggr: c.Aggr})
		if c.LinL.B != nil {
			out = t.AddBias(out, c.LinL.B.Var)
		}
	} else {
		out = c.LinL.Forward(t, Propagate(t, a, x, Spec{Aggr: c.Aggr}))
	}
	if c.LinR != nil {
		out = t.Add(out, c.LinR.Forward(t, t.SliceRows(x, 0, a.Rows())))
	}
	if c.Normalize {
		out = t.RowL2Normalize(out, 1e-12)
	}
	return out
}

func (c *SAGEConv) String() string {
	return fmt.Sprintf("SAGEConv(%d, %d, aggr=%s)", c.in, c.LinL.Out, c.Aggr)
}
