package sampling

import (
	"context"
	"flag"
	"math"
	"math/rand/v2"
	"testing"

	"go.uber.org/goleak"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

var seedFlag = flag.Uint64("seed", 0, "seed for randomized tests (0: the fixed default)")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testSeed returns the seed of a randomized test and logs it so that a
// failure replays with -seed.
func testSeed(t testing.TB, def uint64) uint64 {
	t.Helper()
	s := def
	if *seedFlag != 0 {
		s = *seedFlag
	}
	t.Logf("seed %d (replay with -seed=%d)", s, s)
	return s
}

// testGraph is a random multigraph (self loops and parallel edges
// included) with weights, edge times and node times, in COO and CSC.
type testGraph struct {
	coo      graph.COO
	csc      graph.CSC
	edgeTime []int64 // per CSC entry
	nodeTime []int64
	src      *MemorySource
}

func newTestGraph(t testing.TB, seed uint64, n, m int) *testGraph {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	coo := graph.COO{NumNodes: n, Src: make([]int32, m), Dst: make([]int32, m), Weight: make([]float32, m)}
	for e := range m {
		coo.Src[e] = int32(r.IntN(n))
		coo.Dst[e] = int32(r.IntN(n))
		coo.Weight[e] = float32(r.IntN(4)) // includes zero weights
	}
	csc := coo.ToCSC()
	g := &testGraph{coo: coo, csc: csc, nodeTime: make([]int64, n), edgeTime: make([]int64, m)}
	for v := range n {
		g.nodeTime[v] = int64(r.IntN(100))
	}
	for k := range g.edgeTime {
		g.edgeTime[k] = int64(r.IntN(100))
	}
	src, err := FromCSC(&g.csc, nil, g.edgeTime)
	if err != nil {
		t.Fatal(err)
	}
	g.src = src
	return g
}

// slowSource hides the CSCViewer fast path, so samplers use Neighbors.
type slowSource struct{ s NeighborSource }

func (s slowSource) NumNodes() int { return s.s.NumNodes() }
func (s slowSource) Neighbors(ctx context.Context, nodes []int32, dst *graph.Adjacency) error {
	return s.s.Neighbors(ctx, nodes, dst)
}

// chi2Crit approximates the upper 0.001 quantile of the chi-square
// distribution with k degrees of freedom (Wilson–Hilferty).
func chi2Crit(k int) float64 {
	const z = 3.0902 // standard normal 0.999 quantile
	f := float64(k)
	c := 1 - 2/(9*f) + z*math.Sqrt(2/(9*f))
	return f * c * c * c
}

// chi2 returns sum (obs-exp)^2/exp.
func chi2(obs []int, exp []float64) float64 {
	s := 0.0
	for i := range obs {
		d := float64(obs[i]) - exp[i]
		s += d * d / exp[i]
	}
	return s
}
