package gnn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gnnscale/gnnscale/pkg/gnn/aggr"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// GATConv is the graph attention layer of Veličković et al., "Graph
// Attention Networks" (ICLR 2018), as PyG's GATConv:
//
//	h = x W^T (H heads of C channels)
//	e_ij = LeakyReLU(<a_src, h_j> + <a_dst, h_i>, 0.2) per head
//	α_ij = softmax_j(e_ij) over the in-neighbours of i, then dropout
//	x'_i = concat_h (or mean_h) Σ_j α_ij h_j + b
//
// Parameters: "lin.weight" (H*C x in), "att_src" and "att_dst" (H x C,
// shape [1, H, C] in checkpoints), "bias" (H*C with Concat, else C); Glorot
// weights, zero bias. With SelfLoops every target gets exactly one self
// loop (existing ones are replaced). Edge values are ignored. Shapes: x
// sources x in, result targets x OutDim().
//
// The fused path aggregates with one SpMM per head over the attention
// coefficients; in edge-list form the weighted messages are built per edge
// and summed.
type GATConv struct {
	Lin            *Linear
	AttSrc, AttDst *ad.Param
	Bias           *ad.Param
	Heads, Out     int
	Concat         bool
	NegativeSlope  float32
	Dropout        float64 // attention dropout
	SelfLoops      bool
	in             int
}

// NewGATConv returns a GATConv with heads heads of out channels,
// concatenated when concat, with PyG's defaults (slope 0.2, self loops,
// bias) and attention dropout p.
func NewGATConv(in, out, heads int, concat bool, dropout float64, r *rand.Rand) *GATConv {
	c := &GATConv{
		Lin:    NewLinear(in, heads*out, false, Glorot, r),
		AttSrc: ad.NewParam(heads, out, 1, heads, out), AttDst: ad.NewParam(heads, out, 1, heads, out),
		Heads: heads, Out: out, Concat: concat, NegativeSlope: 0.2, Dropout: dropout, SelfLoops: true, in: in,
	}
	ad.Glorot(c.AttSrc, heads, out, r)
	ad.Glorot(c.AttDst, heads, out, r)
	bw := out
	if concat {
		bw = heads * out
	}
	c.Bias = ad.NewParam(1, bw, bw)
	return c
}

// Params returns att_src, att_dst, bias and lin.weight (PyG's order).
func (c *GATConv) Params() []ad.Named {
	ps := []ad.Named{{Name: "att_src", Param: c.AttSrc}, {Name: "att_dst", Param: c.AttDst}}
	if c.Bias != nil {
		ps = append(ps, ad.Named{Name: "bias", Param: c.Bias})
	}
	return append(ps, ad.Prefix("lin", c.Lin)...)
}

// OutDim returns Heads*Out with Concat, else Out.
func (c *GATConv) OutDim() int {
	if c.Concat {
		return c.Heads * c.Out
	}
	return c.Out
}

// Forward implements Conv.
func (c *GATConv) Forward(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var {
	adj := a
	if c.SelfLoops {
		adj = withSelfLoops(a)
	}
	h := c.Lin.Forward(t, x)                                       // sources x H*C
	aSrc := t.HeadDot(h, c.AttSrc.Var)                             // sources x H
	aDst := t.HeadDot(t.SliceRows(h, 0, adj.Rows()), c.AttDst.Var) // targets x H
	e := &Edges{t: t, a: adj, x: h}
	score := t.LeakyReLU(t.Add(e.SourceOf(aSrc), e.TargetOf(aDst)), c.NegativeSlope)
	alpha := t.Dropout(t.SegmentSoftmax(score, adj), c.Dropout)
	var out *ad.Var
	if adj.EdgeList() {
		out = aggr.Sum().Reduce(t, t.MulHeads(e.J(), alpha), adj)
	} else {
		out = t.SpMMHeads(adj, alpha, h)
	}
	if !c.Concat {
		out = t.MeanHeads(out, c.Heads)
	}
	if c.Bias != nil {
		out = t.AddBias(out, c.Bias.Var)
	}
	return out
}

func (c *GATConv) String() string {
	return fmt.Sprintf("GATConv(%d, %d, heads=%d)", c.in, c.Out, c.Heads)
}
