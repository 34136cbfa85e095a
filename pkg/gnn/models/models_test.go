package models_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/gnntest"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func configs() map[string]models.Config {
	return map[string]models.Config{
		"gcn":      {Name: "gcn", Hidden: 5, Dropout: 0.5},
		"gcn_bn":   {Name: "gcn", Hidden: 5, Layers: 3, BatchNorm: true},
		"gat":      {Name: "gat", Hidden: 3, Heads: 2, OutHeads: 2, Dropout: 0.6},
		"sage":     {Name: "sage", Hidden: 4, Aggr: "max", L2Normalize: true},
		"gin":      {Name: "gin", Hidden: 4, TrainEps: true},
		"appnp":    {Name: "appnp", Hidden: 4, K: 3},
		"gcn2":     {Name: "gcn2", Hidden: 4, Layers: 4, SharedWeights: new(bool)},
		"mlp":      {Name: "mlp", Hidden: 4, Layers: 3, BatchNorm: true},
		"sage_sum": {Name: "sage", Hidden: 4, Aggr: "sum", Layers: 3},
	}
}

// TestModelsGradients checks the shape, the parameter split and the
// gradients of every model through finite differences.
func TestModelsGradients(t *testing.T) {
	const seed = 51
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	a := ad.MustSparse(gnntest.RandCSR(r, 10, 10, 3, false, false))
	x := gnntest.RandDense(r, 10, 6)
	bk := cpu.New()
	for name, c := range configs() {
		t.Run(name, func(t *testing.T) {
			m, err := models.Build(c, 6, 3, rand.New(rand.NewPCG(seed, 1)))
			if err != nil {
				t.Fatal(err)
			}
			ps := m.Params()
			if err := ad.CheckNames(ps); err != nil {
				t.Fatal(err)
			}
			reg, nonreg := m.Groups()
			if len(reg)+len(nonreg) != len(ps) {
				t.Fatalf("groups hold %d+%d params, model %d", len(reg), len(nonreg), len(ps))
			}
			tp := ad.New(bk)
			if out := m.Forward(tp, a, tp.Const(x)); out.Rows() != 10 || out.Cols() != 3 {
				t.Fatalf("logits %s", out.Value.Shape())
			}
			var trainable []ad.Named
			for _, p := range ps {
				if p.Param.NeedsGrad() {
					trainable = append(trainable, p)
				}
			}
			gnntest.GradCheck(t, bk, []*tensor.Dense{x}, trainable, func(tp *ad.Tape, in []*ad.Var) *ad.Var {
				return m.Forward(tp, a, in[0])
			}, gnntest.GradOpts{Seed: seed, Eps: 3e-4, MaxProbe: 8})
		})
	}
}

func TestConfigValidate(t *testing.T) {
	c := models.Config{Name: "transformer", Hidden: -1, Dropout: 1.5}
	c.EnsureDefaults()
	err := c.Validate()
	if !errors.Is(err, models.ErrConfig) {
		t.Fatalf("Validate = %v", err)
	}
	for _, want := range []string{"model.name", "model.hidden", "model.dropout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if _, err := models.Build(models.Config{Name: "sage", Aggr: "nope"}, 3, 2, rand.New(rand.NewPCG(1, 1))); err == nil || !strings.Contains(err.Error(), "model.aggr") {
		t.Fatalf("bad aggr: %v", err)
	}
}
