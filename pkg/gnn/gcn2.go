package gnn

import (
	"fmt"
	"math"
	"math/rand/v2"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// GCN2Conv is the layer of GCNII (Chen et al., "Simple and Deep Graph
// Convolutional Networks", ICML 2020), as PyG's GCN2Conv:
//
//	h = (1 - α) Â x + α x_0
//	x' = (1 - β) h + β h W_1,   β = log(θ/ℓ + 1)
//
// (with shared weights; otherwise x_0's part uses W_2). Parameters:
// "weight1" (and "weight2"), channels x channels, Glorot, used as h W
// (not transposed, as in PyG). Â is the GCN-normalised adjacency; x_0 has
// at least Rows rows (its first Rows are used). Shapes: x sources x C,
// result targets x C.
type GCN2Conv struct {
	W1, W2    *ad.Param // W2 nil with shared weights
	Alpha     float32
	Beta      float32
	Normalize bool
	SelfLoops bool
	channels  int
	theta     float64
	layer     int
}

// NewGCN2Conv returns a GCN2Conv for the given layer index (1-based) with
// θ (0 = no identity mapping, β = 1).
func NewGCN2Conv(channels int, alpha, theta float64, layer int, shared bool, r *rand.Rand) *GCN2Conv {
	c := &GCN2Conv{W1: ad.NewParam(channels, channels), Alpha: float32(alpha), Beta: 1,
		Normalize: true, SelfLoops: true, channels: channels, theta: theta, layer: layer}
	if theta != 0 || layer != 0 {
		c.Beta = float32(math.Log(theta/float64(layer) + 1))
	}
	ad.Glorot(c.W1, channels, channels, r)
	if !shared {
		c.W2 = ad.NewParam(channels, channels)
		ad.Glorot(c.W2, channels, channels, r)
	}
	return c
}

// Params returns weight1 (and weight2).
func (c *GCN2Conv) Params() []ad.Named {
	ps := []ad.Named{{Name: "weight1", Param: c.W1}}
	if c.W2 != nil {
		ps = append(ps, ad.Named{Name: "weight2", Param: c.W2})
	}
	return ps
}

// OutDim returns the channel count.
func (c *GCN2Conv) OutDim() int { return c.channels }

// Forward computes the layer with initial features x0.
func (c *GCN2Conv) Forward(t *ad.Tape, a *ad.Sparse, x, x0 *ad.Var) *ad.Var {
	adj := a
	if c.Normalize {
		adj = gcnNormed(a, c.SelfLoops, false)
	}
	h := Propagate(t, adj, x, Spec{Weighted: true})
	x0 = t.SliceRows(x0, 0, a.Rows())
	if c.W2 == nil {
		h = t.Axpby(1-c.Alpha, h, c.Alpha, x0)
		return t.Axpby(1-c.Beta, h, c.Beta, t.MatMul(h, c.W1.Var, false, false))
	}
	h = t.Scale(h, 1-c.Alpha)
	x0 = t.Scale(x0, c.Alpha)
	out := t.Axpby(1-c.Beta, h, c.Beta, t.MatMul(h, c.W1.Var, false, false))
	return t.Add(out, t.Axpby(1-c.Beta, x0, c.Beta, t.MatMul(x0, c.W2.Var, false, false)))
}

func (c *GCN2Conv) String() string {
	return fmt.Sprintf("GCN2Conv(%d, alpha=%g, beta=%g)", c.channels, c.Alpha, c.Beta)
}

func onesRow() *tensor.Dense {
	d := tensor.New(1, 1)
	d.Data[0] = 1
	return d
}
