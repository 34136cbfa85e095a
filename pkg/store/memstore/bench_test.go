package memstore_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// BenchmarkGather: random 1024-row gathers of 128-float rows from a 2^18-row
// table, against a plain copy loop over the same data (BenchmarkPlainGather).
func BenchmarkGather(b *testing.B) {
	const rows, cols, batch = 1 << 18, 128, 1024
	ctx := b.Context()
	s := memstore.Open()
	defer s.Close()
	k := store.Key{Name: "x"}
	data := tensor.New(rows, cols)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data.Data {
		data.Data[i] = r.Float32()
	}
	if err := s.Create(ctx, store.AttrInfo{Key: k, Rows: rows, Cols: cols}); err != nil {
		b.Fatal(err)
	}
	if err := s.PutRange(ctx, k, 0, data); err != nil {
		b.Fatal(err)
	}
	pool := make([][]int64, 64)
	for i := range pool {
		pool[i] = make([]int64, batch)
		for j := range pool[i] {
			pool[i][j] = r.Int64N(rows)
		}
	}
	dst := tensor.New(batch, cols)
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(batch * cols * 4)
		for i := 0; i < b.N; i++ {
			if err := s.Get(ctx, k, pool[i%len(pool)], dst); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(batch * cols * 4)
		for i := 0; i < b.N; i++ {
			for j, id := range pool[i%len(pool)] {
				copy(dst.Data[j*cols:(j+1)*cols], data.Data[int(id)*cols:int(id+1)*cols])
			}
		}
		b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
	})
}
