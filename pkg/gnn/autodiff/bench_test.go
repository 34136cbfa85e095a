package autodiff_test

import (
	"testing"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
)

func BenchmarkMask(b *testing.B) {
	tp := ad.New(cpu.New(), ad.WithSeed(1))
	b.SetBytes(2708 * 1433 * 4)
	for i := 0; i < b.N; i++ {
		tp.Mask(2708, 1433, 0.5)
		tp.Reset()
	}
}

// BenchmarkDropout times dropout forward and backward of a hidden feature
// matrix (Cora's 2708 nodes x 64 channels, GCNII's 64 layers each run it).
func BenchmarkDropout(b *testing.B) {
	tp := ad.New(cpu.New(cpu.WithWorkers(1)), ad.WithSeed(1))
	tp.SetTraining(true)
	x := ad.NewParam(2708, 64)
	b.SetBytes(2708 * 64 * 4)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tp.Backward(tp.Sum(tp.Dropout(x.Var, 0.6)))
		tp.Reset()
	}
}
