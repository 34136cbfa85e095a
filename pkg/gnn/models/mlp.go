package models

import (
	"math/rand/v2"
	"strconv"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// mlp ignores the graph: the features-only baseline. All but the last
// layer are regularised.
type mlp struct {
	net *gnn.MLP
	cfg Config
}

func newMLP(c Config, in, out int, r *rand.Rand) *mlp {
	ch := []int{in}
	for i := 0; i < c.Layers-1; i++ {
		ch = append(ch, c.Hidden)
	}
	ch = append(ch, out)
	norm := gnn.NoNorm
	if c.BatchNorm {
		norm = gnn.BatchNormKind
	}
	return &mlp{cfg: c, net: gnn.NewMLP(ch, gnn.MLPOptions{Act: gnn.ReLU, Dropout: c.Dropout, Norm: norm}, r)}
}

func (m *mlp) Params() []ad.Named { return ad.Prefix("mlp", m.net) }

func (m *mlp) Groups() (reg, nonreg []ad.Named) {
	last := len(m.net.Lins) - 1
	for _, p := range m.Params() {
		if p.Name == "mlp.lins."+strconv.Itoa(last)+".weight" || p.Name == "mlp.lins."+strconv.Itoa(last)+".bias" {
			nonreg = append(nonreg, p)
		} else {
			reg = append(reg, p)
		}
	}
	return reg, nonreg
}

func (m *mlp) Forward(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var {
	if *m.cfg.DropInput {
		x = t.Dropout(x, m.cfg.Dropout)
	}
	return m.net.Forward(t, t.SliceRows(x, 0, a.Rows()))
}

func (m *mlp) String() string { return m.net.String() }
