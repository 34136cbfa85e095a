package sampling

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
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

// cpuSeconds returns the CPU time (user + system) used by this process.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
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
					cpu0 := cpuSeconds()
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
					cpu := cpuSeconds() - cpu0
					it.Close()
					b.ReportMetric(float64(edges)/b.Elapsed().Seconds(), "edges/s")
					// Per CPU-second of the whole process (workers,
					// consumer, GC): robust when other jobs share the cores.
					b.ReportMetric(float64(edges)/cpu, "edges/cpu-s")
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

// sleepBuilder builds a batch by waiting (no CPU), isolating the
// pipeline's own parallelism from CPU contention.
type sleepBuilder struct {
	d time.Duration
	n int
}

func (s sleepBuilder) Plan(int) (int, error)           { return s.n, nil }
func (s sleepBuilder) NewWorker() (Worker[int], error) { return s, nil }
func (s sleepBuilder) Build(ctx context.Context, _, b int, dst *int) error {
	t := time.NewTimer(s.d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	*dst = b
	return nil
}

// BenchmarkLoaderPipeline measures the pipeline alone: batches that take
// 1ms of waiting each, with 1, 2 and 4 workers. Ideal: 1ms, 0.5ms and
// 0.25ms per batch.
func BenchmarkLoaderPipeline(b *testing.B) {
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			l, _ := NewLoader[int](sleepBuilder{time.Millisecond, b.N}, LoaderOptions{Workers: workers})
			defer l.Close()
			ctx := context.Background()
			it := l.Epoch(ctx, 0)
			b.ResetTimer()
			for range b.N {
				if !it.Next(ctx) {
					b.Fatal(it.Err())
				}
			}
			b.StopTimer()
			it.Close()
		})
	}
}
