package gnn

import (
	"fmt"
	"math/rand/v2"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// GCNConv is the graph convolution of Kipf & Welling, "Semi-Supervised
// Classification with Graph Convolutional Networks" (ICLR 2017), as PyG's
// GCNConv:
//
//	X' = D^-1/2 (A + I) D^-1/2 X W^T + b
//
// Parameters: "lin.weight" (out x in, Glorot) and "bias" (out, zeros).
// Shapes: x is sources x in, the result targets x out. With Normalize the
// adjacency is normalised (self loops, symmetric degree scaling) once and
// cached; a rectangular adjacency must come normalised (Normalize false),
// its values used as the edge weights.
//
// The product is ordered to aggregate the narrower side: A (X W^T) when
// out < in (PyG's order), (A X) W^T otherwise; both are the same map.
type GCNConv struct {
	Lin       *Linear   // no bias
	Bias      *ad.Param // nil without bias
	Normalize bool      // apply gcn_norm (default true)
	SelfLoops bool      // add self loops when normalising (default true)
	Improved  bool      // self loops of weight 2
}

// NewGCNConv returns a GCNConv with PyG's defaults (normalize, self loops,
// bias).
func NewGCNConv(in, out int, r *rand.Rand) *GCNConv {
	c := &GCNConv{Lin: NewLinear(in, out, false, Glorot, r), Bias: ad.NewParam(1, out, out), Normalize: true, SelfLoops: true}
	return c
}

// Params returns lin.weight and bias.
func (c *GCNConv) Params() []ad.Named {
	ps := ad.Prefix("lin", c.Lin)
	if c.Bias != nil {
		ps = append(ps, ad.Named{Name: "bias", Param: c.Bias})
	}
	return ps
}

// OutDim returns the output width.
func (c *GCNConv) OutDim() int { return c.Lin.Out }

// Adj returns the adjacency the convolution propagates over.
func (c *GCNConv) Adj(a *ad.Sparse) *ad.Sparse {
	if c.Normalize {
		return gcnNormed(a, c.SelfLoops, c.Improved)
	}
	return a
}

// Forward implements Conv.
func (c *GCNConv) Forward(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var {
	adj := c.Adj(a)
	spec := Spec{Weighted: true}
	var out *ad.Var
	if c.Lin.Out < c.Lin.In {
		out = Propagate(t, adj, c.Lin.Forward(t, x), spec)
		if c.Bias != nil {
			out = t.AddBias(out, c.Bias.Var)
		}
		return out
	}
	return t.Linear(Propagate(t, adj, x, spec), c.Lin.W.Var, biasVar(c.Bias))
}

func biasVar(b *ad.Param) *ad.Var {
	if b == nil {
		return nil
	}
	return b.Var
}

func (c *GCNConv) String() string { return fmt.Sprintf("GCNConv(%d, %d)", c.Lin.In, c.Lin.Out) }
