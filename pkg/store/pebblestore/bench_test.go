package pebblestore_test

import (
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// benchStore returns a store with rows x cols random rows, warmed so every
// chunk is in the row cache (unless rowCache < 0).
func benchStore(b *testing.B, rows, cols int, rowCache int64) *store.Store {
	b.Helper()
	s, err := pebblestore.Open("db", &pebblestore.Options{FS: vfs.NewMem(), Logger: quiet, RowCacheBytes: rowCache,
		BlockCacheBytes: 256 << 20})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := b.Context()
	k := store.Key{Name: "x"}
	if err := s.Create(ctx, store.AttrInfo{Key: k, Rows: int64(rows), Cols: cols}); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	src := tensor.New(4096, cols)
	for i := range src.Data {
		src.Data[i] = r.Float32()
	}
	for lo := 0; lo < rows; lo += 4096 {
		n := min(4096, rows-lo)
		if err := s.PutRange(ctx, k, int64(lo), src.RowView(0, n)); err != nil {
			b.Fatal(err)
		}
	}
	ids := make([]int64, 4096)
	for lo := 0; lo < rows; lo += 4096 {
		n := min(4096, rows-lo)
		for i := range ids[:n] {
			ids[i] = int64(lo + i)
		}
		if err := s.Get(ctx, k, ids[:n], src.RowView(0, n)); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func benchGather(b *testing.B, rowCache int64) {
	const rows, cols, batch = 1 << 16, 128, 1024
	s := benchStore(b, rows, cols, rowCache)
	r := rand.New(rand.NewPCG(3, 4))
	pool := make([][]int64, 64)
	for i := range pool {
		pool[i] = make([]int64, batch)
		for j := range pool[i] {
			pool[i][j] = r.Int64N(rows)
		}
	}
	dst := tensor.New(batch, cols)
	k := store.Key{Name: "x"}
	b.ReportAllocs()
	b.SetBytes(batch * cols * 4)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Get(b.Context(), k, pool[i%len(pool)], dst); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkGatherWarm: random 1024-row gathers of 128-float rows, every
// chunk in the row cache.
func BenchmarkGatherWarm(b *testing.B) { benchGather(b, 256<<20) }

// BenchmarkGatherBlockCache: the same through Pebble's block cache only.
func BenchmarkGatherBlockCache(b *testing.B) { benchGather(b, -1) }

// BenchmarkNeighbors: in-neighbours of 1024 random nodes of a 64Ki-node,
// 1Mi-edge graph, warm.
func BenchmarkNeighbors(b *testing.B) {
	const n, m = 1 << 16, 1 << 20
	s, err := pebblestore.Open("db", &pebblestore.Options{FS: vfs.NewMem(), Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(5, 6))
	c := graph.COO{NumNodes: n, Src: make([]int32, m), Dst: make([]int32, m)}
	for e := range c.Src {
		c.Src[e], c.Dst[e] = int32(r.IntN(n)), int32(r.IntN(n))
	}
	if err := s.PutEdges(b.Context(), store.DefaultEdgeType, store.FromCOO(c)); err != nil {
		b.Fatal(err)
	}
	nodes := make([]int32, 1024)
	var adj graph.Adjacency
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range nodes {
			nodes[j] = int32(r.IntN(n))
		}
		if err := s.Neighbors(b.Context(), store.DefaultEdgeType, nodes, &adj); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(nodes))/b.Elapsed().Seconds(), "nodes/s")
}
