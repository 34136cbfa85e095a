package gas

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	"github.com/gnnscale/gnnscale/pkg/gnn/aggr"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
)

// basic is PyGAS's GCN (and the same shape with SAGEConv): [dropout]
// [Linear -> ReLU -> dropout] then per hidden layer conv -> [bn] ->
// [+ residual] -> ReLU -> push_and_pull -> dropout, and the last conv
// [-> bn -> residual -> ReLU -> dropout -> Linear].
type basic struct {
	name  string
	convs []gnn.Conv
	bns   []*gnn.BatchNorm
	lins  []*gnn.Linear // Linear option: lins[0] in -> hidden, lins[1] hidden -> out
	cfg   models.Config
	opts  Options
}

func newBasic(c models.Config, o Options, in, out int, r *rand.Rand) (*basic, error) {
	m := &basic{name: c.Name, cfg: c, opts: o}
	if o.Linear {
		m.lins = []*gnn.Linear{gnn.NewLinear(in, c.Hidden, true, gnn.KaimingUniform, r)}
	}
	for i := 0; i < c.Layers; i++ {
		d0, d1 := c.Hidden, c.Hidden
		if i == 0 && !o.Linear {
			d0 = in
		}
		if i == c.Layers-1 && !o.Linear {
			d1 = out
		}
		var conv gnn.Conv
		switch c.Name {
		case "gcn":
			g := gnn.NewGCNConv(d0, d1, r)
			g.Normalize = false // the batch adjacency arrives normalised
			conv = g
		case "sage":
			ag, err := aggr.Resolve(c.Aggr)
			if err != nil {
				return nil, fmt.Errorf("%w: model.aggr: %w", ErrConfig, err)
			}
			s := gnn.NewSAGEConv(d0, d1, ag, r)
			s.Normalize = c.L2Normalize && i < c.Layers-1
			conv = s
		}
		m.convs = append(m.convs, conv)
		if c.BatchNorm && (i < c.Layers-1 || o.Linear) {
			m.bns = append(m.bns, gnn.NewBatchNorm(d1))
		}
	}
	if o.Linear {
		m.lins = append(m.lins, gnn.NewLinear(c.Hidden, out, true, gnn.KaimingUniform, r))
	}
	return m, nil
}

func (m *basic) Params() []ad.Named {
	reg, nonreg := m.Groups()
	return append(reg, nonreg...)
}

// Groups: without Linear the last conv is unregularised, with it the
// linear layers are (PyGAS).
func (m *basic) Groups() (reg, nonreg []ad.Named) {
	last := len(m.convs) - 1
	for i, c := range m.convs {
		if i == last && m.lins == nil {
			break
		}
		reg = append(reg, ad.Prefix("convs."+strconv.Itoa(i), c)...)
	}
	for i, b := range m.bns {
		reg = append(reg, ad.Prefix("bns."+strconv.Itoa(i), b)...)
	}
	if m.lins == nil {
		return reg, ad.Prefix("convs."+strconv.Itoa(last), m.convs[last])
	}
	return reg, append(ad.Prefix("lins.0", m.lins[0]), ad.Prefix("lins.1", m.lins[1])...)
}

func (m *basic) NumLayers() int { return len(m.convs) }

func (m *basic) HistoryDim() int { return m.cfg.Hidden }

func (m *basic) Layer(t *ad.Tape, i int, adj *ad.Sparse, x *ad.Var, _ *State) *ad.Var {
	p := m.cfg.Dropout
	if i == 0 {
		if *m.cfg.DropInput {
			x = t.Dropout(x, p)
		}
		if m.lins != nil {
			x = t.Dropout(t.ReLU(m.lins[0].Forward(t, x)), p)
		}
	} else {
		x = t.Dropout(x, p)
	}
	h := m.convs[i].Forward(t, adj, x)
	last := i == len(m.convs)-1
	if last && m.lins == nil {
		return h
	}
	if m.bns != nil {
		h = m.bns[i].Forward(t, h)
	}
	if m.opts.Residual && h.Cols() == x.Cols() {
		h = t.Add(h, t.SliceRows(x, 0, adj.Rows()))
	}
	h = t.ReLU(h)
	if last {
		return m.lins[1].Forward(t, t.Dropout(h, p))
	}
	return h
}

func (m *basic) String() string {
	s := describe(strings.ToUpper(m.name), m.convs)
	if m.lins != nil {
		s = fmt.Sprintf("%s[%s, %s]", s, m.lins[0], m.lins[1])
	}
	return "GAS-" + s
}
