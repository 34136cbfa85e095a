package models

import (
	"fmt"
	"math/rand/v2"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// appnp is PyGAS's APPNP (and PyG's examples/citation/appnp.py): dropout
// -> Linear -> ReLU -> dropout -> Linear, then K steps of personalised
// PageRank propagation. The first linear layer is regularised.
type appnp struct {
	lins [2]*gnn.Linear
	prop *gnn.APPNP
	cfg  Config
}

func newAPPNP(c Config, in, out int, r *rand.Rand) *appnp {
	m := &appnp{cfg: c, prop: gnn.NewAPPNP(c.K, float32(c.Alpha))}
	m.prop.Normalize = *c.Normalize
	m.lins[0] = gnn.NewLinear(in, c.Hidden, true, gnn.KaimingUniform, r)
	m.lins[1] = gnn.NewLinear(c.Hidden, out, true, gnn.KaimingUniform, r)
	return m
}

func (m *appnp) Params() []ad.Named {
	reg, nonreg := m.Groups()
	return append(reg, nonreg...)
}

func (m *appnp) Groups() (reg, nonreg []ad.Named) {
	return ad.Prefix("lins.0", m.lins[0]), ad.Prefix("lins.1", m.lins[1])
}

func (m *appnp) Forward(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var {
	if *m.cfg.DropInput {
		x = t.Dropout(x, m.cfg.Dropout)
	}
	x = t.Dropout(t.ReLU(m.lins[0].Forward(t, x)), m.cfg.Dropout)
	return m.prop.Forward(t, a, m.lins[1].Forward(t, x))
}

func (m *appnp) String() string {
	return fmt.Sprintf("APPNP(%s, %s, %s)", m.lins[0], m.lins[1], m.prop)
}
