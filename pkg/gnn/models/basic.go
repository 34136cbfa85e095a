package models

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	"github.com/gnnscale/gnnscale/pkg/gnn/aggr"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// basic is PyGAS's GCN (and PyG's BasicGNN shape) for GCN, GraphSAGE and
// GIN: [dropout] conv -> [bn] -> ReLU -> dropout ... -> conv. The last
// convolution maps to the classes and is the unregularised group.
type basic struct {
	name  string
	convs []gnn.Conv
	bns   []*gnn.BatchNorm
	cfg   Config
}

func newBasic(c Config, in, out int, r *rand.Rand) (*basic, error) {
	m := &basic{name: c.Name, cfg: c}
	for i := 0; i < c.Layers; i++ {
		d0, d1 := c.Hidden, c.Hidden
		if i == 0 {
			d0 = in
		}
		if i == c.Layers-1 {
			d1 = out
		}
		var conv gnn.Conv
		switch c.Name {
		case "gcn":
			g := gnn.NewGCNConv(d0, d1, r)
			g.Normalize = *c.Normalize
			conv = g
		case "sage":
			ag, err := aggr.Resolve(c.Aggr)
			if err != nil {
				return nil, fmt.Errorf("%w: model.aggr: %w", ErrConfig, err)
			}
			s := gnn.NewSAGEConv(d0, d1, ag, r)
			s.Normalize = c.L2Normalize && i < c.Layers-1
			conv = s
		case "gin":
			mlp := gnn.NewMLP([]int{d0, d1, d1}, gnn.MLPOptions{Act: gnn.ReLU}, r)
			conv = gnn.NewGINConv(mlp, 0, c.TrainEps)
		}
		m.convs = append(m.convs, conv)
		if c.BatchNorm && i < c.Layers-1 {
			m.bns = append(m.bns, gnn.NewBatchNorm(d1))
		}
	}
	return m, nil
}

func (m *basic) Params() []ad.Named {
	reg, nonreg := m.Groups()
	return append(reg, nonreg...)
}

func (m *basic) Groups() (reg, nonreg []ad.Named) {
	last := len(m.convs) - 1
	for i, c := range m.convs[:last] {
		reg = append(reg, ad.Prefix("convs."+strconv.Itoa(i), c)...)
	}
	for i, b := range m.bns {
		reg = append(reg, ad.Prefix("bns."+strconv.Itoa(i), b)...)
	}
	return reg, ad.Prefix("convs."+strconv.Itoa(last), m.convs[last])
}

func (m *basic) Forward(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var {
	if *m.cfg.DropInput {
		x = t.Dropout(x, m.cfg.Dropout)
	}
	for i, c := range m.convs {
		x = c.Forward(t, a, x)
		if i == len(m.convs)-1 {
			break
		}
		if m.bns != nil {
			x = m.bns[i].Forward(t, x)
		}
		x = t.Dropout(t.ReLU(x), m.cfg.Dropout)
	}
	return x
}

func (m *basic) String() string { return describe(strings.ToUpper(m.name), m.convs) }

func describe[T fmt.Stringer](name string, parts []T) string {
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = p.String()
	}
	return name + "(" + strings.Join(s, ", ") + ")"
}
