package rpc_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// BenchmarkRemoteGet: random batches of rows of 128 float32 from a
// 1M-row attribute, through the gRPC feature server on loopback (memory
// store behind it), against the same Get on the local store.
func BenchmarkRemoteGet(b *testing.B) {
	const rows, cols = 1 << 20, 128
	ctx := context.Background()
	addr, local := serveFeaturesB(b)
	remote := dialB(b, addr)
	key := store.Key{Name: "x"}
	if err := local.Create(ctx, store.AttrInfo{Key: key, Rows: rows, Cols: cols}); err != nil {
		b.Fatal(err)
	}
	src := tensor.New(1<<16, cols)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range src.Data {
		src.Data[i] = r.Float32()
	}
	for lo := int64(0); lo < rows; lo += int64(src.Rows) {
		if err := store.PutRange(ctx, local, key, lo, src); err != nil {
			b.Fatal(err)
		}
	}
	for _, batch := range benchBatches {
		ids := make([]int64, batch)
		dst := tensor.New(batch, cols)
		for _, side := range []struct {
			name string
			fs   store.FeatureStore
		}{{"local", local}, {"remote", remote}} {
			b.Run(fmt.Sprintf("%s/batch=%d", side.name, batch), func(b *testing.B) {
				b.SetBytes(int64(batch * cols * 4))
				for b.Loop() {
					for i := range ids {
						ids[i] = r.Int64N(rows)
					}
					if err := side.fs.Get(ctx, key, ids, dst); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds()/1e6, "Mrows/s")
			})
		}
	}
}

var benchBatches = []int{1, 64, 1024, 8192}

// BenchmarkRoundTrip: the floor of one call, ListAttrs on an empty
// store, client and server in this process on loopback TCP.
func BenchmarkRoundTrip(b *testing.B) {
	addr, _ := serveFeaturesB(b)
	remote := dialB(b, addr)
	ctx := context.Background()
	for b.Loop() {
		if _, err := remote.Attrs(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
