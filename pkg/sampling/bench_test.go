package sampling

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/graph"
)

// Benchmarks run on the R-MAT and SBM generators of pkg/dataset. The graph
// size is 2^GNNSCALE_BENCH_SCALE nodes with about 10 in-edges per node
// (default scale 16 so `go test -bench .` stays quick; bench/sampling.sh
// uses 20: 1M nodes, 10M edges).

type benchGraph struct {
	csc graph.CSC
	src *MemorySource
}

var (
	benchMu     sync.Mutex
	benchGraphs = map[string]*benchGraph{}
)

func benchScale() int {
	if s, err := strconv.Atoi(os.Getenv("GNNSCALE_BENCH_SCALE")); err == nil && s > 4 && s < 28 {
		return s
	}
	return 16
}

func loadBenchGraph(b *testing.B, name string) *benchGraph {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	scale := benchScale()
	key := fmt.Sprintf("%s-%d", name, scale)
	if g, ok := benchGraphs[key]; ok {
		return g
	}
	start := time.Now()
	var coo graph.COO
	switch name {
	case "rmat":
		c, err := dataset.RMATEdges(dataset.RMATConfig{Scale: scale, EdgeFactor: 10, Permute: true, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		coo = c
	case "sbm":
		cfg := dataset.DefaultSBM()
		cfg.NumNodes, cfg.NumFeatures, cfg.AvgDegree = 1<<scale, 0, 10
		ds, err := dataset.SBM(cfg)
		if err != nil {
			b.Fatal(err)
		}
		coo = ds.Graph
	default:
		b.Fatalf("unknown bench graph %q", name)
	}
	g := &benchGraph{csc: coo.ToCSC()}
	src, err := FromCSC(&g.csc, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	g.src = src
	b.Logf("%s: %d nodes, %d edges, built in %v", name, g.csc.NumNodes, g.csc.NumEdges(), time.Since(start).Round(time.Millisecond))
	benchGraphs[key] = g
	return g
}

func fanoutName(f []int) string {
	s := ""
	for i, x := range f {
		if i > 0 {
			s += "-"
		}
		s += strconv.Itoa(x)
	}
	return s
}

// BenchmarkNeighborLoader measures sampled edges per second through the
// full loader (shuffled seeds, batch 1024, relabelling included) with 1
// and 2 workers. One op is one batch.
func BenchmarkNeighborLoader(b *testing.B) {
	for _, gname := range []string{"rmat", "sbm"} {
		for _, fan := range [][]int{{15, 10, 5}, {25, 10}} {
			for _, workers := range []int{1, 2} {
				b.Run(fmt.Sprintf("graph=%s/fanout=%s/workers=%d", gname, fanoutName(fan), workers), func(b *testing.B) {
					g := loadBenchGraph(b, gname)
					l, err := NewNeighborLoader(g.src, NeighborLoaderOptions{
						Sampler: NeighborOptions{Fanouts: fan}, BatchSize: 1024, Shuffle: true, Seed: 1,
						Loader: LoaderOptions{Workers: workers, Prefetch: 2 * workers},
					})
					if err != nil {
						b.Fatal(err)
					}
					defer l.Close()
					ctx := context.Background()
					var edges, nodes int64
					epoch := 0
					it := l.Epoch(ctx, epoch)
					b.ReportAllocs()
					b.ResetTimer()
					for range b.N {
						if !it.Next(ctx) {
							if err := it.Close(); err != nil {
								b.Fatal(err)
							}
							epoch++
							it = l.Epoch(ctx, epoch)
							if !it.Next(ctx) {
								b.Fatal(it.Err())
							}
						}
						edges += int64(len(it.Batch().Row))
						nodes += int64(len(it.Batch().NID))
					}
					b.StopTimer()
					it.Close()
					b.ReportMetric(float64(edges)/b.Elapsed().Seconds(), "edges/s")
					b.ReportMetric(float64(edges)/float64(b.N), "edges/batch")
					b.ReportMetric(float64(nodes)/float64(b.N), "nodes/batch")
				})
			}
		}
	}
}

// BenchmarkNeighborSample measures one sampler on the calling goroutine
// (no loader), for profiling the hot path.
func BenchmarkNeighborSample(b *testing.B) {
	for _, gname := range []string{"rmat", "sbm"} {
		for _, fan := range [][]int{{15, 10, 5}, {25, 10}} {
			b.Run(fmt.Sprintf("graph=%s/fanout=%s", gname, fanoutName(fan)), func(b *testing.B) {
				g := loadBenchGraph(b, gname)
				hop, _ := NewLocalHopSampler(g.src, nil)
				s, err := NewNeighborSampler(hop, NeighborOptions{Fanouts: fan})
				if err != nil {
					b.Fatal(err)
				}
				n := g.csc.NumNodes
				order := epochOrder(nil, n, true, 1, 0)
				seeds := make([]int32, 1024)
				var out Output
				var edges int64
				ctx := context.Background()
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					for j := range seeds {
						seeds[j] = order[(i*1024+j)%n]
					}
					if err := s.Sample(ctx, seeds, nil, BatchSeed(1, 0, i), &out); err != nil {
						b.Fatal(err)
					}
					edges += int64(len(out.Row))
				}
				b.ReportMetric(float64(edges)/b.Elapsed().Seconds(), "edges/s")
			})
		}
	}
}
