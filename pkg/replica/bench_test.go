package replica

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// BenchmarkPut: one Put of 1024 random rows x 128 float32 (512 KiB) into
// plain Pebble, and through the leader of a 3-replica group on loopback
// (raft-boltdb log, Pebble on every replica, all on this machine's disk),
// Pebble with its default options in both.
//
//	go test ./pkg/replica -run '^$' -bench Put -benchtime 3s
func BenchmarkPut(b *testing.B) {
	const rows, cols, batch = 1 << 16, 128, 1024
	bench := func(b *testing.B, fs store.FeatureStore) {
		ctx := b.Context()
		if err := fs.Create(ctx, store.AttrInfo{Key: keyX, Rows: rows, Cols: cols}); err != nil {
			b.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		src := tensor.New(batch, cols)
		for i := range src.Data {
			src.Data[i] = r.Float32()
		}
		ids := make([]int64, batch)
		b.ReportAllocs()
		b.SetBytes(batch * cols * 4)
		for b.Loop() {
			for i := range ids {
				ids[i] = r.Int64N(rows)
			}
			if err := fs.Put(ctx, keyX, ids, src); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
	}
	b.Run("pebble", func(b *testing.B) {
		st, err := pebblestore.Open(filepath.Join(b.TempDir(), "store"), &pebblestore.Options{Logger: testLogger()})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		bench(b, st)
	})
	b.Run("raft3", func(b *testing.B) {
		c := newClusterAt(b, 3, testOptions(), clusterConfig{pebble: &pebblestore.Options{Logger: testLogger()}})
		bench(b, c.nodes[c.leader()].rep.Features())
	})
}
