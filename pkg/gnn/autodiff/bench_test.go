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
