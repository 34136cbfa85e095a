package partition

import (
	"flag"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/graph"
)

var seedFlag = flag.Uint64("seed", 0, "seed for randomized tests (0: a fixed default)")

// testSeed returns the seed of a randomized test and logs it so a failure
// can be replayed with -seed.
func testSeed(t testing.TB, def uint64) uint64 {
	t.Helper()
	s := def
	if *seedFlag != 0 {
		s = *seedFlag
	}
	t.Logf("seed %d (replay with -seed %d)", s, s)
	return s
}

func mustFromCOO(t testing.TB, c graph.COO) *Graph {
	t.Helper()
	g, err := FromCOO(&c)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// gridGraph is the w x h 4-neighbour grid.
func gridGraph(t testing.TB, w, h int) *Graph {
	c := graph.COO{NumNodes: w * h}
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			v := int32(i*w + j)
			if j+1 < w {
				c.Src, c.Dst = append(c.Src, v), append(c.Dst, v+1)
			}
			if i+1 < h {
				c.Src, c.Dst = append(c.Src, v), append(c.Dst, v+int32(w))
			}
		}
	}
	return mustFromCOO(t, c)
}

// geometricGraph joins random points of the unit square closer than the
// radius giving average degree deg (brute force, small n only).
func geometricGraph(t testing.TB, n int, deg float64, r *rand.Rand) *Graph {
	rad := math.Sqrt(deg / (math.Pi * float64(n)))
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i], y[i] = r.Float64(), r.Float64()
	}
	c := graph.COO{NumNodes: n}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if dx, dy := x[i]-x[j], y[i]-y[j]; dx*dx+dy*dy < rad*rad {
				c.Src, c.Dst = append(c.Src, int32(i)), append(c.Dst, int32(j))
			}
		}
	}
	return mustFromCOO(t, c)
}

// randomGraph has m random edges among the first n-iso vertices and iso
// vertices of degree 0 mixed in at random ids.
func randomGraph(t testing.TB, n, m, iso int, r *rand.Rand) *Graph {
	ids := r.Perm(n)[:n-iso]
	c := graph.COO{NumNodes: n}
	for e := 0; e < m; e++ {
		c.Src = append(c.Src, int32(ids[r.IntN(len(ids))]))
		c.Dst = append(c.Dst, int32(ids[r.IntN(len(ids))]))
	}
	return mustFromCOO(t, c)
}

// withWeights gives g random vertex weights in [1, maxVW] and symmetric
// random edge weights in [1, maxEW].
func withWeights(g *Graph, maxVW, maxEW int, r *rand.Rand) *Graph {
	n := g.NumNodes()
	w := &Graph{Xadj: g.Xadj, Adjncy: g.Adjncy, VWgt: make([]int32, n), EWgt: make([]int32, len(g.Adjncy))}
	for v := range w.VWgt {
		w.VWgt[v] = int32(1 + r.IntN(maxVW))
	}
	for v := 0; v < n; v++ {
		for e := g.Xadj[v]; e < g.Xadj[v+1]; e++ {
			u := int(g.Adjncy[e])
			if u < v {
				continue
			}
			x := int32(1 + r.IntN(maxEW))
			w.EWgt[e] = x
			for f := g.Xadj[u]; f < g.Xadj[u+1]; f++ {
				if int(g.Adjncy[f]) == v {
					w.EWgt[f] = x
				}
			}
		}
	}
	return w
}

// bruteCut recomputes the cut from an explicit edge set, each undirected
// edge once (u < v), independently of EdgeCut.
func bruteCut(g *Graph, part []int32) int64 {
	var cut int64
	for v := 0; v < g.NumNodes(); v++ {
		for e := g.Xadj[v]; e < g.Xadj[v+1]; e++ {
			u := int(g.Adjncy[e])
			if u > v && part[u] != part[v] {
				if g.EWgt != nil {
					cut += int64(g.EWgt[e])
				} else {
					cut++
				}
			}
		}
	}
	return cut
}

// rmatGraph is an R-MAT graph with 2^scale vertices (Graph500
// parameters, edge factor 8): power-law degrees and many degree-0
// vertices, so Partition refines two candidates.
func rmatGraph(t testing.TB, scale int) *Graph {
	c, err := dataset.RMATEdges(dataset.RMATConfig{Scale: scale, EdgeFactor: 8, Permute: true,
		Symmetrize: true, NoSelfLoops: true, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	g := mustFromCOO(t, c)
	core, _ := coreGraph(g)
	if !powerLaw(core) {
		t.Fatalf("R-MAT scale %d not detected as power-law", scale)
	}
	return g
}

func emptyCOO(n int) graph.COO { return graph.COO{NumNodes: n} }
