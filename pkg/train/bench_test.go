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

// BenchmarkFullBatchEpoch times one training step (forward, cross-entropy,
// backward, optimizer step) of shipped full-batch configs, and separately
// one evaluation forward pass. Profile one with
//
//	go test ./pkg/train -run '^$' -bench 'FullBatchEpoch/gcn2-cora' -cpuprofile cpu.out
func BenchmarkFullBatchEpoch(b *testing.B) {
	for _, name := range []string{"gcn-cora", "gat-cora", "sage-cora", "gin-cora", "appnp-cora", "gcn2-cora",
		"gcn-amazon-photo", "gcn-coauthor-cs"} {
		b.Run(name, func(b *testing.B) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "configs", name+".yaml"))
			if err != nil {
				b.Skip(err)
			}
			cfg, err := Parse(raw, nil)
			if err != nil {
				b.Fatal(err)
			}
			cfg.Dataset.Root = datasetsRoot()
			d, err := LoadData(context.Background(), cfg.Dataset)
			if err != nil {
				b.Skip(err)
			}
			m, err := models.Build(cfg.Model, d.X.Cols, d.NumClasses, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				b.Fatal(err)
			}
			opt, err := NewOptimizer(cfg.Optim, m)
			if err != nil {
				b.Fatal(err)
			}
			tp := ad.New(cpu.New(), ad.WithSeed(1))
			x := d.Input(tp)
			b.Run("train", func(b *testing.B) {
				b.ReportAllocs()
				defer reportCPU(b, cpuNow())
				for i := 0; i < b.N; i++ {
					tp.SetTraining(true)
					out := m.Forward(tp, d.Adj, x)
					loss := tp.CrossEntropy(out, d.Labels, d.Split.Train)
					opt.ZeroGrad()
					tp.Backward(loss)
					opt.Step()
					tp.Reset()
				}
			})
			b.Run("eval", func(b *testing.B) {
				b.ReportAllocs()
				defer reportCPU(b, cpuNow())
				for i := 0; i < b.N; i++ {
					Evaluate(tp, m, d)
				}
			})
		})
	}
}
