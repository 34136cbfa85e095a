package gas

import (
	"fmt"
	"math/rand/v2"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
)

// appnp is PyGAS's APPNP: dropout -> Linear -> ReLU -> dropout -> Linear
// gives x_0 for every node of the batch, then K propagation steps
// x <- (1-α) Â x + α x_0 with a history (of width out) after each of the
// first K-1: layer 0 is the MLP and the first step, layer k the (k+1)-th
// step. The first linear layer is regularised.
type appnp struct {
	lins  [2]*gnn.Linear
	k     int
	alpha float32
	cfg   models.Config
	out   int
}

func newAPPNP(c models.Config, in, out int, r *rand.Rand) *appnp {
	m := &appnp{cfg: c, k: c.K, alpha: float32(c.Alpha), out: out}
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

func (m *appnp) NumLayers() int { return m.k }

func (m *appnp) HistoryDim() int { return m.out }

func (m *appnp) Layer(t *ad.Tape, i int, adj *ad.Sparse, x *ad.Var, st *State) *ad.Var {
	if i == 0 {
		p := m.cfg.Dropout
		if *m.cfg.DropInput {
			x = t.Dropout(x, p)
		}
		x = t.Dropout(t.ReLU(m.lins[0].Forward(t, x)), p)
		x = m.lins[1].Forward(t, x)
		st.X0 = t.SliceRows(x, 0, adj.Rows())
	}
	h := gnn.Propagate(t, adj, x, gnn.Spec{Weighted: true})
	return t.Axpby(1-m.alpha, h, m.alpha, st.X0)
}

func (m *appnp) String() string {
	return fmt.Sprintf("GAS-APPNP(%s, %s, K=%d, alpha=%g)", m.lins[0], m.lins[1], m.k, m.alpha)
}
