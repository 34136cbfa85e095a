package partition

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// TestContractMatchesReference checks contract against a plain map-based
// contraction, on the input level (unit weights) and on a weighted coarse
// level, for graphs with isolated vertices, hubs and duplicate-free random
// edges, with one scratch reused across graphs of shrinking and growing
// size, on one worker and on several.
func TestContractMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t, 7), 7))
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
		{"many-chunks", 40000, 120000, 0, true},
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
			for _, procs := range []int{1, 2, 3} {
				old := runtime.GOMAXPROCS(procs)
				cg, cmap := contract(g, match, &sc)
				runtime.GOMAXPROCS(old)
				for i, tab := range sc.tables {
					if j := slices.IndexFunc(tab, func(x int32) bool { return x != -1 }); j >= 0 {
						t.Fatalf("GOMAXPROCS %d: table %d entry %d is %d after contract, want -1", procs, i, j, tab[j])
					}
				}
				checkContraction(t, g, match, cg, cmap)
			}
		})
	}
}

// TestComposedContractionEqualsTwo checks that contracting a graph through
// the composition of two matchings' maps, members listed by their id one
// level up, gives exactly the graph of two successive contractions
// (lists in the same order, same weights), on 1-3 workers.
func TestComposedContractionEqualsTwo(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t, 9), 9))
	for _, tc := range []struct {
		name      string
		n, m, iso int
	}{
		{"sparse", 500, 800, 50},
		{"dense", 300, 6000, 0},
		{"tiny", 4, 3, 0},
		{"many-chunks", 40000, 160000, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := coreGraph(randomGraph(t, tc.n, tc.m, tc.iso, r))
			m0 := make([]int32, g.n())
			matchRandom(g, m0, 1<<30, r)
			g1, c0 := contract(g, m0, nil)
			m1 := make([]int32, g1.n())
			matchHeavyEdge(g1, m1, 1<<30, r)
			want, c1 := contract(g1, m1, nil)
			for _, procs := range []int{1, 2, 3} {
				old := runtime.GOMAXPROCS(procs)
				_, order := groupByMap(c0, g1.n(), nil)
				got := contractMap(g, composeMaps(c0, c1), want.n(), order, nil)
				runtime.GOMAXPROCS(old)
				if !slices.Equal(got.xadj, want.xadj) || !slices.Equal(got.adj, want.adj) ||
					!slices.Equal(got.adjw, want.adjw) || !slices.Equal(got.vw, want.vw) || got.tvw != want.tvw {
					t.Fatalf("GOMAXPROCS %d: composed contraction differs from two contractions", procs)
				}
			}
		})
	}
}

// checkContraction compares cg with the contraction of g by match computed
// with maps: one coarse vertex per pair in order of its smaller vertex,
// weights summed, edges inside a pair gone, each list in order of first
// appearance (the pair's smaller vertex first).
func checkContraction(t *testing.T, g *wgraph, match []int32, cg *wgraph, cmap []int32) {
	t.Helper()
	n := g.n()
	want := make([]int32, n)
	var cn int32
	for v := range n {
		if m := int(match[v]); v <= m {
			want[v], want[m] = cn, cn
			cn++
		}
	}
	if !slices.Equal(cmap, want) || cg.n() != int(cn) {
		t.Fatalf("map or coarse vertex count differ (%d coarse vertices, want %d)", cg.n(), cn)
	}
	c := 0
	for v := range n {
		m := int(match[v])
		if v > m {
			continue
		}
		pair, w := []int{v, m}, g.vw[v]+g.vw[m]
		if m == v {
			pair, w = pair[:1], g.vw[v]
		}
		if cg.vw[c] != w {
			t.Fatalf("coarse vertex %d weighs %d, want %d", c, cg.vw[c], w)
		}
		var order []int32
		sum := map[int32]int32{}
		for _, x := range pair {
			for e := g.xadj[x]; e < g.xadj[x+1]; e++ {
				cu := want[g.adj[e]]
				if cu == int32(c) {
					continue
				}
				if _, ok := sum[cu]; !ok {
					order = append(order, cu)
				}
				sum[cu] += g.w(e)
			}
		}
		got := cg.adj[cg.xadj[c]:cg.xadj[c+1]]
		if !slices.Equal(got, order) {
			t.Fatalf("coarse vertex %d: neighbours %v, want %v", c, got, order)
		}
		for i, cu := range order {
			if w := cg.adjw[cg.xadj[c]+int64(i)]; w != sum[cu] {
				t.Fatalf("coarse vertex %d: edge to %d weighs %d, want %d", c, cu, w, sum[cu])
			}
		}
		c++
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
