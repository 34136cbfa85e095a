package gnn_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	"github.com/gnnscale/gnnscale/pkg/gnn/aggr"
	"github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/gnntest"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
)

// DiffConv is the user-written layer of docs/layers.md:
// x'_i = W_root x_i + mean_j relu(W (x_j - x_i)).
type DiffConv struct {
	Lin, Root *gnn.Linear
}

func NewDiffConv(in, out int, r *rand.Rand) *DiffConv {
	return &DiffConv{
		Lin:  gnn.NewLinear(in, out, true, gnn.Glorot, r),
		Root: gnn.NewLinear(in, out, false, gnn.Glorot, r),
	}
}

func (c *DiffConv) Params() []autodiff.Named {
	return append(autodiff.Prefix("lin", c.Lin), autodiff.Prefix("root", c.Root)...)
}

func (c *DiffConv) OutDim() int    { return c.Lin.Out }
func (c *DiffConv) String() string { return fmt.Sprintf("DiffConv(%d, %d)", c.Lin.In, c.Lin.Out) }

func (c *DiffConv) Forward(t *autodiff.Tape, a *autodiff.Sparse, x *autodiff.Var) *autodiff.Var {
	return gnn.Propagate(t, a, x, gnn.Spec{
		Message: func(e *gnn.Edges) *autodiff.Var {
			return t.ReLU(c.Lin.Forward(t, t.Axpby(1, e.J(), -1, e.I())))
		},
		Aggr: aggr.Mean(),
		Update: func(e *gnn.Edges, h *autodiff.Var) *autodiff.Var {
			return t.Add(h, c.Root.Forward(t, e.Targets()))
		},
	})
}

var _ gnn.Conv = (*DiffConv)(nil)

// TestCustomConv runs the documented custom layer through the same
// conformance suite as the built-in ones.
func TestCustomConv(t *testing.T) {
	c := NewDiffConv(4, 3, rand.New(rand.NewPCG(1, 1)))
	gnntest.CheckLayer(t, cpu.New(), gnntest.Layer{
		Module: c, In: 4, Out: 3, Forward: c.Forward,
		Rectangular: true, RowLocal: true, Grad: gnntest.GradOpts{Eps: 1e-3},
	}, 1)
}
