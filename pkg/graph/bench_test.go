package graph_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/graph/graphtest"
)

// skewed returns m edges over n nodes whose endpoints follow a power law
// (u = n * x^3 for uniform x), like R-MAT hubs.
func skewed(n, m int) graph.COO {
	r := rand.New(rand.NewPCG(1, 2))
	c := graph.COO{NumNodes: n, Src: make([]int32, m), Dst: make([]int32, m)}
	for e := range m {
		x, y := r.Float64(), r.Float64()
		c.Src[e] = int32(float64(n) * x * x * x)
		c.Dst[e] = int32(float64(n) * y * y * y)
	}
	return c
}

func benchInputs() []struct {
	name string
	g    graph.COO
} {
	r := rand.New(rand.NewPCG(3, 4))
	return []struct {
		name string
		g    graph.COO
	}{
		{"uniform-1M-8M", graphtest.RandomCOO(r, 1<<20, 8<<20, false)},
		{"skewed-1M-8M", skewed(1<<20, 8<<20)},
	}
}

func bench(b *testing.B, fn func(c graph.COO) int64) {
	for _, in := range benchInputs() {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				fn(in.g)
			}
			b.ReportMetric(float64(in.g.NumEdges())*float64(b.N)/time.Since(start).Seconds(), "edges/s")
		})
	}
}

func BenchmarkToCSR(b *testing.B) {
	bench(b, func(c graph.COO) int64 { g := c.ToCSR(); return g.NumEdges() })
}

func BenchmarkSortedCSR(b *testing.B) {
	bench(b, func(c graph.COO) int64 { g := graph.SortedCSR(c); return g.NumEdges() })
}

func BenchmarkTranspose(b *testing.B) {
	for _, in := range benchInputs() {
		g := in.g.ToCSR()
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				g.Transpose()
			}
			b.ReportMetric(float64(g.NumEdges())*float64(b.N)/time.Since(start).Seconds(), "edges/s")
		})
	}
}

func BenchmarkSymmetrize(b *testing.B) {
	bench(b, func(c graph.COO) int64 { g := graph.Symmetrize(c); return g.NumEdges() })
}

func BenchmarkCoalesce(b *testing.B) {
	bench(b, func(c graph.COO) int64 { g := graph.Coalesce(c); return g.NumEdges() })
}

func BenchmarkGCNNorm(b *testing.B) {
	bench(b, func(c graph.COO) int64 { g := graph.GCNNorm(c); return g.NumEdges() })
}
