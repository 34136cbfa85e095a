package gnn_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/gnntest"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
)

// benchConv times forward + backward of one convolution on a random graph
// of 20000 nodes with about 10 in-neighbours each, 64 channels in and out.
func benchConv(b *testing.B, conv gnn.Conv) {
	r := rand.New(rand.NewPCG(1, 1))
	a := ad.MustSparse(gnntest.RandCSR(r, 20000, 20000, 5, false, false))
	x := gnntest.RandDense(r, 20000, 64)
	tp := ad.New(cpu.New())
	tp.SetTraining(true)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := tp.Leaf(x)
		tp.Backward(tp.Sum(conv.Forward(tp, a, in)))
		tp.Reset()
	}
}

func BenchmarkGCNConv(b *testing.B) {
	benchConv(b, gnn.NewGCNConv(64, 64, rand.New(rand.NewPCG(1, 2))))
}

func BenchmarkSAGEConv(b *testing.B) {
	benchConv(b, gnn.NewSAGEConv(64, 64, nil, rand.New(rand.NewPCG(1, 2))))
}

func BenchmarkGATConv(b *testing.B) {
	benchConv(b, gnn.NewGATConv(64, 8, 8, true, 0.6, rand.New(rand.NewPCG(1, 2))))
}
