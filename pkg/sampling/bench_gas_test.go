package sampling

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/partition"
)

// gasBenchGraph is a graph renumbered so that each partition is one
// contiguous id range, with its partition book.
type gasBenchGraph struct {
	src *MemorySource
	ptr []int64
}

var gasBenchGraphs = map[string]*gasBenchGraph{}

// loadGASBenchGraph partitions the SBM bench graph into k parts with
// pkg/partition ("multilevel") or cuts its ids into k equal ranges
// ("ranges"), and renumbers it by part (what gnnctl ingest does).
func loadGASBenchGraph(b *testing.B, how string, k int) *gasBenchGraph {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	scale := benchScale()
	if s, err := strconv.Atoi(os.Getenv("GNNSCALE_BENCH_GAS_SCALE")); err == nil && s > 8 && s < 28 {
		scale = s
	}
	key := fmt.Sprintf("%s-%d-%d", how, k, scale)
	if g, ok := gasBenchGraphs[key]; ok {
		return g
	}
	cfg := dataset.DefaultSBM()
	cfg.NumNodes, cfg.NumFeatures, cfg.AvgDegree = 1<<scale, 0, 10
	ds, err := dataset.SBM(cfg)
	if err != nil {
		b.Fatal(err)
	}
	coo := ds.Graph
	n := coo.NumNodes
	part := make([]int32, n)
	start := time.Now()
	switch how {
	case "multilevel":
		pg, err := partition.FromCOO(&coo)
		if err != nil {
			b.Fatal(err)
		}
		res, err := partition.Partition(pg, k, &partition.Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		part = res.Part
	case "ranges":
		for v := range part {
			part[v] = int32(int64(v) * int64(k) / int64(n))
		}
	}
	// Renumber: new ids in part order (stable), ptr from part sizes.
	ptr := make([]int64, k+1)
	for _, p := range part {
		ptr[p+1]++
	}
	for p := range k {
		ptr[p+1] += ptr[p]
	}
	next := append([]int64(nil), ptr[:k]...)
	newID := make([]int32, n)
	for v, p := range part {
		newID[v] = int32(next[p])
		next[p]++
	}
	re := graph.COO{NumNodes: n, Src: make([]int32, len(coo.Src)), Dst: make([]int32, len(coo.Dst))}
	for e := range coo.Src {
		re.Src[e], re.Dst[e] = newID[coo.Src[e]], newID[coo.Dst[e]]
	}
	csc := re.ToCSC()
	src, err := FromCSC(&csc, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("sbm %d nodes, %d edges, %s partition into %d parts in %v", n, csc.NumEdges(), how, k, time.Since(start).Round(time.Millisecond))
	g := &gasBenchGraph{src: src, ptr: ptr}
	gasBenchGraphs[key] = g
	return g
}

// BenchmarkGASBatch measures the time to build one GAS batch (a group of
// partitions plus its complete 1-hop halo, GCN weights with global degrees)
// on one goroutine. One op is one batch.
func BenchmarkGASBatch(b *testing.B) {
	const k, per = 256, 8
	for _, how := range []string{"multilevel", "ranges"} {
		for _, norm := range []bool{false, true} {
			b.Run(fmt.Sprintf("graph=sbm/partition=%s/parts=%d/per-batch=%d/normalize=%v", how, k, per, norm), func(b *testing.B) {
				g := loadGASBenchGraph(b, how, k)
				gb, err := NewGASBatcher(g.src, g.ptr, GASOptions{SelfLoops: norm, Normalize: norm})
				if err != nil {
					b.Fatal(err)
				}
				var out GASBatch
				var halo, edges, in int64
				ctx := context.Background()
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					groups := GASGroups(k, per, true, 1, i/(k/per))
					if err := gb.Build(ctx, groups[i%len(groups)], &out); err != nil {
						b.Fatal(err)
					}
					in += int64(out.BatchSize)
					halo += int64(out.HaloSize())
					edges += out.Adj.NNZ()
				}
				b.ReportMetric(float64(in)/float64(b.N), "in-batch/batch")
				b.ReportMetric(float64(halo)/float64(b.N), "halo/batch")
				b.ReportMetric(float64(edges)/float64(b.N), "edges/batch")
				b.ReportMetric(float64(edges)/b.Elapsed().Seconds(), "edges/s")
			})
		}
	}
}
