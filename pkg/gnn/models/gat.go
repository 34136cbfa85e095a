package models

import (
	"math/rand/v2"
	"strconv"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// gat is PyG's examples/gat.py (and PyGAS's GAT): dropout -> GATConv
// (Heads heads, concatenated) -> ELU ... -> dropout -> GATConv (OutHeads
// heads, averaged). Every parameter is regularised (PyGAS puts all convs
// in reg_modules; PyG's example decays all).
type gat struct {
	convs []*gnn.GATConv
	cfg   Config
}

func newGAT(c Config, in, out int, r *rand.Rand) *gat {
	m := &gat{cfg: c}
	d := in
	for i := 0; i < c.Layers-1; i++ {
		m.convs = append(m.convs, gnn.NewGATConv(d, c.Hidden, c.Heads, true, *c.AttnDropout, r))
		d = c.Hidden * c.Heads
	}
	m.convs = append(m.convs, gnn.NewGATConv(d, out, c.OutHeads, false, *c.AttnDropout, r))
	return m
}

func (m *gat) Params() []ad.Named {
	var ps []ad.Named
	for i, c := range m.convs {
		ps = append(ps, ad.Prefix("convs."+strconv.Itoa(i), c)...)
	}
	return ps
}

func (m *gat) Groups() (reg, nonreg []ad.Named) { return m.Params(), nil }

func (m *gat) Forward(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var {
	for i, c := range m.convs {
		if i > 0 || *m.cfg.DropInput {
			x = t.Dropout(x, m.cfg.Dropout)
		}
		x = c.Forward(t, a, x)
		if i < len(m.convs)-1 {
			x = t.ELU(x, 1)
		}
	}
	return x
}

func (m *gat) String() string { return describe("GAT", m.convs) }
