package rpc_test

import (
	"context"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/stats"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpctest"
	"github.com/gnnscale/gnnscale/pkg/sampling"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
)

// wireBytes counts the bytes a client receives.
type wireBytes struct{ in atomic.Int64 }

func (w *wireBytes) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (w *wireBytes) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}
func (w *wireBytes) HandleConn(context.Context, stats.ConnStats) {}
func (w *wireBytes) HandleRPC(_ context.Context, s stats.RPCStats) {
	if p, ok := s.(*stats.InPayload); ok {
		w.in.Add(int64(p.WireLength))
	}
}

// BenchmarkNeighborSampling: NeighborLoader batches (1024 seeds, fan-outs
// [15, 10, 5]) from a graph server holding an R-MAT graph (2^18 nodes,
// 4M edges: a power law, where every frontier has high-degree nodes),
// sampled on the client from the server's
// neighbour lists (client) or on the server (pushdown). Reports the
// bytes received per batch and the sampled edges per second.
func BenchmarkNeighborSampling(b *testing.B) {
	ctx := context.Background()
	coo, err := dataset.RMATEdges(dataset.RMATConfig{Scale: 18, EdgeFactor: 16, Permute: true, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	local := store.NewGraph(memstore.New())
	defer local.Close()
	if err := local.PutEdges(ctx, store.DefaultEdgeType, store.FromCOO(coo)); err != nil {
		b.Fatal(err)
	}
	addr := rpctest.Serve(b, nil, local)
	for _, mode := range []string{"client", "pushdown"} {
		b.Run(mode, func(b *testing.B) {
			var wb wireBytes
			conn, err := grpc.NewClient(addr, append(rpc.DialOptions(), grpc.WithStatsHandler(&wb))...)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			gc := rpc.NewGraphClient(conn)
			var newHop func() (sampling.HopSampler, error)
			if mode == "pushdown" {
				newHop = func() (sampling.HopSampler, error) { return gc.HopSampler(ctx, store.DefaultEdgeType) }
			} else {
				g := store.NewGraph(gc)
				view, err := store.View(ctx, g, store.DefaultEdgeType)
				if err != nil {
					b.Fatal(err)
				}
				newHop = func() (sampling.HopSampler, error) { return sampling.NewLocalHopSampler(view, nil) }
			}
			hop, err := newHop()
			if err != nil {
				b.Fatal(err)
			}
			s, err := sampling.NewNeighborSampler(hop, sampling.NeighborOptions{Fanouts: []int{15, 10, 5}})
			if err != nil {
				b.Fatal(err)
			}
			seeds := make([]int32, 1024)
			var out sampling.Output
			var edges int64
			wb.in.Store(0)
			b.ResetTimer()
			for i := range b.N {
				for j := range seeds {
					seeds[j] = int32((i*1024 + j) * 7919 % coo.NumNodes)
				}
				if err := s.Sample(ctx, seeds, nil, uint64(i), &out); err != nil {
					b.Fatal(err)
				}
				edges += int64(len(out.Row))
			}
			b.ReportMetric(float64(wb.in.Load())/float64(b.N)/(1<<20), "MiB-received/batch")
			b.ReportMetric(float64(edges)/b.Elapsed().Seconds()/1e6, "Medges/s")
		})
	}
}
