package train

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
)

func datasetsRoot() string {
	if r := os.Getenv("GNNSCALE_DATASETS"); r != "" {
		return r
	}
	return filepath.Join("..", "..", "..", "shared", "datasets")
}

// BenchmarkFullBatchEpochCora times one training step (forward, backward,
// Adam) of the cora GCN config.
func BenchmarkFullBatchEpochCora(b *testing.B) {
	cfg, err := Parse([]byte("mode: full\ndataset: {name: cora, normalize_features: true}\nmodel: {name: gcn, hidden: 16, dropout: 0.5}\noptim: {weight_decay: 5e-4}\n"), nil)
	if err != nil {
		b.Fatal(err)
	}
	cfg.Dataset.Root = datasetsRoot()
	d, err := LoadData(context.Background(), cfg.Dataset)
	if err != nil {
		b.Skip(err)
	}
	bk := cpu.New()
	cfg.Train.Epochs = 1
	m, err := models.Build(cfg.Model, d.X.Cols, d.NumClasses, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	opt, _ := NewOptimizer(cfg.Optim, m)
	tp := ad.New(bk, ad.WithSeed(1))
	x := d.Input(tp)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tp.SetTraining(true)
		out := m.Forward(tp, d.Adj, x)
		loss := tp.CrossEntropy(out, d.Labels, d.Split.Train)
		opt.ZeroGrad()
		tp.Backward(loss)
		opt.Step()
		tp.Reset()
	}
}
