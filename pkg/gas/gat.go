package gas

import (
	"math/rand/v2"
	"strconv"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
)

// gat is PyGAS's GAT: per hidden layer dropout -> GATConv (Heads heads,
// concatenated) -> ELU -> push_and_pull, then dropout -> GATConv
// (OutHeads heads, averaged). Every target gets one self loop (the conv
// adds it; PyGAS sets the diagonal of the full adjacency). All parameters
// are regularised.
type gat struct {
	convs []*gnn.GATConv
	cfg   models.Config
}

func newGAT(c models.Config, in, out int, r *rand.Rand) *gat {
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

func (m *gat) NumLayers() int { return len(m.convs) }

func (m *gat) HistoryDim() int { return m.cfg.Hidden * m.cfg.Heads }

func (m *gat) Layer(t *ad.Tape, i int, adj *ad.Sparse, x *ad.Var, _ *State) *ad.Var {
	if i > 0 || *m.cfg.DropInput {
		x = t.Dropout(x, m.cfg.Dropout)
	}
	h := m.convs[i].Forward(t, adj, x)
	if i < len(m.convs)-1 {
		h = t.ELU(h, 1)
	}
	return h
}

func (m *gat) String() string { return describe("GAS-GAT", m.convs) }
