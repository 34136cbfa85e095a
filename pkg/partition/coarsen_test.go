package partition

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestContractPathsAgree checks that the one-pass contraction of small
// graphs builds exactly the graph the parallel two-pass contraction
// builds, on the input level (unit weights) and on a weighted coarse
// level, for graphs with isolated vertices, hubs and duplicate-free random
// edges.
func TestContractPathsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	// One scratch for every case: the later, smaller graphs reuse the
	// buffers (and the table) of the earlier ones.
	var sc contractScratch
	for _, tc := range []struct {
		name        string
		n, m, iso   int
		weightedTop bool
	}{
		{"sparse", 500, 800, 50, false},
		{"dense", 300, 6000, 0, false},
		{"weighted", 2000, 9000, 100, true},
		{"tiny", 3, 2, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := coreGraph(randomGraph(t, tc.n, tc.m, tc.iso, r))
			if tc.weightedTop {
				// One contraction first, so the graph under test carries
				// merged edge weights and vertex weights above one.
				match := make([]int32, g.n())
				matchRandom(g, match, 1<<30, r)
				g, _ = contract(g, match, nil)
			}
			match := make([]int32, g.n())
			matchRandom(g, match, 1<<30, r)
			small, cmap := contract(g, match, &sc) // small: under contractOnePass
			if len(g.adj) > contractOnePass {
				t.Fatalf("test graph too large for the one-pass path")
			}
			rep := make([]int32, small.n())
			for v := range match {
				rep[cmap[v]] = min(int32(v), match[v])
			}
			par := &wgraph{vw: slices.Clone(small.vw), tvw: small.tvw}
			contractParallel(g, par, match, cmap, rep)
			if !slices.Equal(small.xadj, par.xadj) || !slices.Equal(small.adj, par.adj) || !slices.Equal(small.adjw, par.adjw) {
				t.Fatalf("one-pass and parallel contraction differ:\nxadj %v\n vs  %v", small.xadj[:min(10, len(small.xadj))], par.xadj[:min(10, len(par.xadj))])
			}
			// And the coarse graph is what contraction means: the total
			// edge weight minus the weight inside pairs.
			var fine, inside, coarse int64
			for v := 0; v < g.n(); v++ {
				for e := g.xadj[v]; e < g.xadj[v+1]; e++ {
					fine += int64(g.w(e))
					if cmap[g.adj[e]] == cmap[v] {
						inside += int64(g.w(e))
					}
				}
			}
			for _, w := range small.adjw {
				coarse += int64(w)
			}
			if coarse != fine-inside {
				t.Fatalf("coarse edge weight %d, want %d - %d", coarse, fine, inside)
			}
		})
	}
}

// BenchmarkContract times one contraction of an R-MAT graph's level 1
// (weighted, power-law), the step that dominates coarsening.
func BenchmarkContract(b *testing.B) {
	g, _ := coreGraph(rmatGraph(b, 17))
	r := rand.New(rand.NewPCG(1, 1))
	match := make([]int32, g.n())
	matchRandom(g, match, 1<<30, r)
	g, _ = contract(g, match, nil)
	match = make([]int32, g.n())
	matchHeavyEdge(g, match, 1<<30, r)
	for b.Loop() {
		contract(g, match, nil)
	}
	b.ReportMetric(float64(len(g.adj)), "entries")
}
