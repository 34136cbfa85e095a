package gnn

import (
	"fmt"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// GINConv is the graph isomorphism operator of Xu et al., "How Powerful are
// Graph Neural Networks?" (ICLR 2019), as PyG's GINConv:
//
//	x'_i = MLP((1 + ε) x_i + Σ_{j ∈ N(i)} x_j)
//
// Parameters: the MLP's ("nn.lins.0.weight", ...) and, with TrainEps,
// "eps" (shape [1]). Edge values are ignored. Shapes: x sources x in,
// result targets x MLP.Out().
type GINConv struct {
	NN  *MLP
	Eps *ad.Param // 1x1; learnable with TrainEps
}

// NewGINConv returns a GINConv around nn with ε = eps, learnable when
// trainEps.
func NewGINConv(nn *MLP, eps float32, trainEps bool) *GINConv {
	c := &GINConv{NN: nn, Eps: ad.NewParam(1, 1, 1)}
	ad.Fill(c.Eps, eps)
	c.Eps.SetRequiresGrad(trainEps)
	return c
}

// Params returns eps (when learnable) and nn.*.
func (c *GINConv) Params() []ad.Named {
	var ps []ad.Named
	if c.Eps.NeedsGrad() {
		ps = append(ps, ad.Named{Name: "eps", Param: c.Eps})
	}
	return append(ps, ad.Prefix("nn", c.NN)...)
}

// OutDim returns the MLP's output width.
func (c *GINConv) OutDim() int { return c.NN.Out() }

// Forward implements Conv.
func (c *GINConv) Forward(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var {
	agg := Propagate(t, a, x, Spec{}) // sum of x_j
	root := t.SliceRows(x, 0, a.Rows())
	var h *ad.Var
	if c.Eps.NeedsGrad() {
		one := t.Const(onesRow())
		h = t.Add(agg, t.MulRowVector(root, t.Add(one, c.Eps.Var)))
	} else {
		h = t.Axpby(1, agg, 1+c.Eps.Value.Data[0], root)
	}
	return c.NN.Forward(t, h)
}

func (c *GINConv) String() string { return fmt.Sprintf("GINConv(nn=%s)", c.NN) }

// APPNP is the propagation of Gasteiger, Bojchevski & Günnemann, "Predict
// then Propagate: Graph Neural Networks meet Personalized PageRank" (ICLR
// 2019), as PyG's APPNP:
//
//	h_0 = x,  h_{k+1} = (1 - α) Â h_k + α h_0,  output h_K
//
// with Â the GCN-normalised adjacency (see [GCNNorm]). It has no
// parameters. K steps need a square adjacency (every step maps all nodes);
// on a rectangular GNNAutoScale batch use K = 1 per layer. PyG's edge
// dropout option is not implemented.
type APPNP struct {
	K         int
	Alpha     float32
	Normalize bool
	SelfLoops bool
}

// NewAPPNP returns APPNP with K steps and teleport α, normalising with
// self loops.
func NewAPPNP(k int, alpha float32) *APPNP {
	return &APPNP{K: k, Alpha: alpha, Normalize: true, SelfLoops: true}
}

// Params returns nothing.
func (c *APPNP) Params() []ad.Named { return nil }

// OutDim returns 0: the output width is the input width.
func (c *APPNP) OutDim() int { return 0 }

// Forward implements Conv.
func (c *APPNP) Forward(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var {
	if c.K > 1 && !a.Square() {
		panic(fmt.Sprintf("gnn: APPNP: %d steps on a rectangular %dx%d adjacency", c.K, a.Rows(), a.Cols()))
	}
	adj := a
	if c.Normalize {
		adj = gcnNormed(a, c.SelfLoops, false)
	}
	h0 := t.SliceRows(x, 0, a.Rows())
	h := x
	for k := 0; k < c.K; k++ {
		h = t.Axpby(1-c.Alpha, Propagate(t, adj, h, Spec{Weighted: true}), c.Alpha, h0)
	}
	return h
}

func (c *APPNP) String() string { return fmt.Sprintf("APPNP(K=%d, alpha=%g)", c.K, c.Alpha) }
