package gnn_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	"github.com/gnnscale/gnnscale/pkg/gnn/aggr"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/gnntest"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
)

func backends() []kernels.Backend {
	return []kernels.Backend{gnntest.Reference(), cpu.New()}
}

func conv(c gnn.Conv, in int, rect, local, weighted bool) gnntest.Layer {
	return gnntest.Layer{
		Module: c, In: in, Out: c.OutDim(),
		Forward:     c.Forward,
		Rectangular: rect, RowLocal: local, Weighted: weighted,
	}
}

func layerCases(r *rand.Rand) map[string]gnntest.Layer {
	gcnRaw := gnn.NewGCNConv(4, 3, r)
	gcnRaw.Normalize = false
	sageNorm := gnn.NewSAGEConv(4, 5, aggr.Mean(), r)
	sageNorm.Normalize = true
	sageNoRoot := gnn.NewSAGEConv(5, 3, aggr.Sum(), r) // out < in: projection first
	sageNoRoot.LinR = nil
	gatMean := gnn.NewGATConv(4, 3, 2, false, 0, r)
	appnp := gnn.NewAPPNP(3, 0.1)
	gcn2 := gnn.NewGCN2Conv(4, 0.1, 0.5, 2, true, r)
	gcn2sep := gnn.NewGCN2Conv(4, 0.2, 0.5, 3, false, r)
	gcn2Fwd := func(c *gnn.GCN2Conv) func(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var {
		return func(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var {
			return c.Forward(t, a, x, t.Scale(x, 0.5))
		}
	}
	mlp := gnn.NewMLP([]int{4, 6, 3}, gnn.MLPOptions{Act: gnn.ReLU}, r)
	ginTrain := gnn.NewGINConv(gnn.NewMLP([]int{4, 5, 2}, gnn.MLPOptions{Act: kernels.Act{Kind: kernels.ELU, Alpha: 1}, Norm: gnn.LayerNormKind}, r), 0.3, true)
	return map[string]gnntest.Layer{
		"gcn":           conv(gnn.NewGCNConv(4, 6, r), 4, false, false, true),
		"gcn_out_lt_in": conv(gnn.NewGCNConv(6, 2, r), 6, false, false, true),
		"gcn_raw":       conv(gcnRaw, 4, true, true, true),
		"sage":          conv(gnn.NewSAGEConv(4, 3, nil, r), 4, true, true, false),
		"sage_norm":     conv(sageNorm, 4, true, true, false),
		"sage_sum_proj": conv(sageNoRoot, 5, true, true, false),
		"sage_multi":    conv(gnn.NewSAGEConv(3, 2, aggr.NewMulti(aggr.Max(), aggr.NewSoftmax(1, true, 3), aggr.Std()), r), 3, true, true, false),
		"gat":           conv(gnn.NewGATConv(4, 3, 2, true, 0, r), 4, true, true, false),
		"gat_mean":      conv(gatMean, 4, true, true, false),
		"gin":           conv(gnn.NewGINConv(mlp, 0, false), 4, true, true, false),
		"gin_train_eps": conv(ginTrain, 4, true, true, false),
		"appnp":         {Module: appnp, In: 4, Out: 4, Forward: appnp.Forward},
		"gcn2":          {Module: gcn2, In: 4, Out: 4, Forward: gcn2Fwd(gcn2)},
		"gcn2_separate": {Module: gcn2sep, In: 4, Out: 4, Forward: gcn2Fwd(gcn2sep)},
	}
}

// TestCheckLayers runs the conformance suite on every layer and backend.
func TestCheckLayers(t *testing.T) {
	for _, bk := range backends() {
		r := rand.New(rand.NewPCG(31, 0))
		for name, l := range layerCases(r) {
			t.Run(bk.Name()+"/"+name, func(t *testing.T) {
				opts := l.Grad
				if name == "sage_multi" || name == "gin" || name == "gin_train_eps" {
					opts.Eps = 1e-3 // max/std/ReLU kinks
				}
				l.Grad = opts
				gnntest.CheckLayer(t, bk, l, 41)
			})
		}
	}
}

func TestStrings(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		got  interface{ String() string }
		want string
	}{
		{gnn.NewGCNConv(16, 7, r), "GCNConv(16, 7)"},
		{gnn.NewSAGEConv(8, 32, nil, r), "SAGEConv(8, 32, aggr=mean)"},
		{gnn.NewGATConv(16, 8, 8, true, 0.6, r), "GATConv(16, 8, heads=8)"},
		{gnn.NewGINConv(gnn.NewMLP([]int{3, 4, 5}, gnn.MLPOptions{}, r), 0, false), "GINConv(nn=MLP(3, 4, 5))"},
		{gnn.NewAPPNP(10, 0.1), "APPNP(K=10, alpha=0.1)"},
		{gnn.NewLinear(3, 4, true, gnn.Glorot, r), "Linear(3, 4, bias=true)"},
	}
	for _, tt := range tests {
		if s := tt.got.String(); s != tt.want {
			t.Errorf("String() = %q, want %q", s, tt.want)
		}
	}
}

func TestParamNames(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		m    ad.Module
		want []string
	}{
		{gnn.NewGCNConv(4, 3, r), []string{"lin.weight", "bias"}},
		{gnn.NewSAGEConv(4, 3, nil, r), []string{"lin_l.weight", "lin_l.bias", "lin_r.weight"}},
		{gnn.NewGATConv(4, 3, 2, true, 0, r), []string{"att_src", "att_dst", "bias", "lin.weight"}},
		{gnn.NewGCN2Conv(4, 0.1, 0.5, 1, true, r), []string{"weight1"}},
		{gnn.NewMLP([]int{2, 3, 4}, gnn.MLPOptions{Norm: gnn.BatchNormKind}, r),
			[]string{"lins.0.weight", "lins.0.bias", "lins.1.weight", "lins.1.bias",
				"norms.0.weight", "norms.0.bias", "norms.0.running_mean", "norms.0.running_var"}},
	}
	for _, tt := range tests {
		ps := tt.m.Params()
		if err := ad.CheckNames(ps); err != nil {
			t.Error(err)
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.Name)
		}
		if len(got) != len(tt.want) {
			t.Errorf("%T: names %v, want %v", tt.m, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%T: names %v, want %v", tt.m, got, tt.want)
				break
			}
		}
	}
}
