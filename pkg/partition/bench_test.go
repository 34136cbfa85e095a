package partition

import (
	"math/rand/v2"
	"testing"
)

func benchPartition(b *testing.B, g *Graph, k int) {
	b.ReportAllocs()
	var cut int64
	for i := 0; i < b.N; i++ {
		res, err := Partition(g, k, &Options{Seed: uint64(i)})
		if err != nil {
			b.Fatal(err)
		}
		cut = res.Cut
	}
	b.ReportMetric(float64(cut), "cut")
}

func BenchmarkPartitionGrid300(b *testing.B) { benchPartition(b, gridGraph(b, 300, 300), 16) }

func BenchmarkPartitionRandom(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	benchPartition(b, randomGraph(b, 20000, 60000, 4000, r), 16)
}
