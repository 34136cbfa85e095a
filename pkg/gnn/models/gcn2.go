package models

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// gcn2 is PyG's examples/gcn2_cora.py (GCNII): dropout -> x0 = ReLU(Linear)
// -> Layers x (dropout -> GCN2Conv(x, x0) -> ReLU) -> dropout -> Linear.
// The convolutions are regularised, the linear layers are the second
// group (the example's weight decays 0.01 and 5e-4).
type gcn2 struct {
	lins  [2]*gnn.Linear
	convs []*gnn.GCN2Conv
	cfg   Config
}

func newGCN2(c Config, in, out int, r *rand.Rand) *gcn2 {
	m := &gcn2{cfg: c}
	m.lins[0] = gnn.NewLinear(in, c.Hidden, true, gnn.KaimingUniform, r)
	m.lins[1] = gnn.NewLinear(c.Hidden, out, true, gnn.KaimingUniform, r)
	for i := 0; i < c.Layers; i++ {
		conv := gnn.NewGCN2Conv(c.Hidden, c.Alpha, c.Theta, i+1, *c.SharedWeights, r)
		conv.Normalize = *c.Normalize
		m.convs = append(m.convs, conv)
	}
	return m
}

func (m *gcn2) Params() []ad.Named {
	reg, nonreg := m.Groups()
	return append(reg, nonreg...)
}

func (m *gcn2) Groups() (reg, nonreg []ad.Named) {
	for i, c := range m.convs {
		reg = append(reg, ad.Prefix("convs."+strconv.Itoa(i), c)...)
	}
	return reg, append(ad.Prefix("lins.0", m.lins[0]), ad.Prefix("lins.1", m.lins[1])...)
}

func (m *gcn2) Forward(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var {
	if *m.cfg.DropInput {
		x = t.Dropout(x, m.cfg.Dropout)
	}
	x0 := t.ReLU(m.lins[0].Forward(t, x))
	x = x0
	for _, c := range m.convs {
		x = t.ReLU(c.Forward(t, a, t.Dropout(x, m.cfg.Dropout), x0))
	}
	return m.lins[1].Forward(t, t.SliceRows(t.Dropout(x, m.cfg.Dropout), 0, a.Rows()))
}

func (m *gcn2) String() string {
	return fmt.Sprintf("GCNII(%s, %d x %s, %s)", m.lins[0], len(m.convs), m.convs[0], m.lins[1])
}
