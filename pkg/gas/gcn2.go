package gas

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
)

// gcn2 is PyGAS's GCN2 (GCNII): [dropout] -> x_0 = ReLU(Linear) -> per
// layer dropout -> GCN2Conv(x, x_0) -> [bn] -> [+ residual] -> ReLU ->
// push_and_pull, and after the last one dropout -> Linear. Convolutions
// and norms are regularised, the linear layers are the second group.
type gcn2 struct {
	lins  [2]*gnn.Linear
	convs []*gnn.GCN2Conv
	bns   []*gnn.BatchNorm
	cfg   models.Config
	opts  Options
}

func newGCN2(c models.Config, o Options, in, out int, r *rand.Rand) *gcn2 {
	m := &gcn2{cfg: c, opts: o}
	m.lins[0] = gnn.NewLinear(in, c.Hidden, true, gnn.KaimingUniform, r)
	m.lins[1] = gnn.NewLinear(c.Hidden, out, true, gnn.KaimingUniform, r)
	for i := 0; i < c.Layers; i++ {
		conv := gnn.NewGCN2Conv(c.Hidden, c.Alpha, c.Theta, i+1, *c.SharedWeights, r)
		conv.Normalize = false
		m.convs = append(m.convs, conv)
		if c.BatchNorm {
			m.bns = append(m.bns, gnn.NewBatchNorm(c.Hidden))
		}
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
	for i, b := range m.bns {
		reg = append(reg, ad.Prefix("bns."+strconv.Itoa(i), b)...)
	}
	return reg, append(ad.Prefix("lins.0", m.lins[0]), ad.Prefix("lins.1", m.lins[1])...)
}

func (m *gcn2) NumLayers() int { return len(m.convs) }

func (m *gcn2) HistoryDim() int { return m.cfg.Hidden }

func (m *gcn2) Layer(t *ad.Tape, i int, adj *ad.Sparse, x *ad.Var, st *State) *ad.Var {
	p := m.cfg.Dropout
	if i == 0 {
		if *m.cfg.DropInput {
			x = t.Dropout(x, p)
		}
		x = t.ReLU(m.lins[0].Forward(t, x))
		st.X0 = t.SliceRows(x, 0, adj.Rows())
	}
	x = t.Dropout(x, p)
	h := m.convs[i].Forward(t, adj, x, st.X0)
	if m.bns != nil {
		h = m.bns[i].Forward(t, h)
	}
	if m.opts.Residual {
		h = t.Add(h, t.SliceRows(x, 0, adj.Rows()))
	}
	h = t.ReLU(h)
	if i == len(m.convs)-1 {
		h = m.lins[1].Forward(t, t.Dropout(h, p))
	}
	return h
}

func (m *gcn2) String() string {
	return fmt.Sprintf("GAS-GCNII(%s, %d x %s, %s)", m.lins[0], len(m.convs), m.convs[0], m.lins[1])
}
