package partition

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"
)

type partCase struct {
	name string
	g    *Graph
	ks   []int
}

func partCases(t *testing.T, r *rand.Rand) []partCase {
	geo := geometricGraph(t, 3000, 10, r)
	return []partCase{
		{"grid60x50", gridGraph(t, 60, 50), []int{1, 2, 3, 8, 32}},
		{"geometric", geo, []int{2, 7, 16}},
		{"random-isolated", randomGraph(t, 4000, 6000, 1500, r), []int{2, 5, 16}},
		{"few-isolated", fewIsolatedGraph(t), []int{2, 8}},
		{"weighted-geometric", withWeights(geo, 5, 9, r), []int{2, 6, 16}},
		{"all-isolated", mustFromCOO(t, emptyCOO(500)), []int{1, 7}},
		{"tiny", gridGraph(t, 3, 1), []int{3}},
	}
}

func TestPartitionProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t, 1), 2))
	for _, tc := range partCases(t, r) {
		for _, k := range tc.ks {
			t.Run(tc.name+"/k="+itoa(k), func(t *testing.T) {
				g := tc.g
				opts := &Options{Seed: r.Uint64()}
				res, err := Partition(g, k, opts)
				if err != nil {
					t.Fatal(err)
				}
				checkResult(t, g, k, 1.03, res)
				if k > 1 && g.NumEdges() > 0 && g.NumNodes() > 20*k {
					// Beats a random balanced partition by a wide margin.
					rnd := make([]int32, g.NumNodes())
					for v := range rnd {
						rnd[v] = int32(r.IntN(k))
					}
					if rc := bruteCut(g, rnd); float64(res.Cut) > 0.7*float64(rc) {
						t.Errorf("cut %d not well below a random partition's %d", res.Cut, rc)
					}
				}
			})
		}
	}
}

// checkResult verifies a result against the graph from scratch.
func checkResult(t *testing.T, g *Graph, k int, ub float64, res Result) {
	t.Helper()
	n := g.NumNodes()
	if len(res.Part) != n {
		t.Fatalf("%d part ids for %d vertices", len(res.Part), n)
	}
	pw := make([]int64, k)
	cnt := make([]int, k)
	var maxvw int64
	for v, p := range res.Part {
		if p < 0 || int(p) >= k {
			t.Fatalf("vertex %d: part %d out of range", v, p)
		}
		pw[p] += g.vw(v)
		cnt[p]++
		maxvw = max(maxvw, g.vw(v))
	}
	if n >= k {
		for p, c := range cnt {
			if c == 0 {
				t.Errorf("part %d is empty", p)
			}
		}
	}
	if c := bruteCut(g, res.Part); c != res.Cut {
		t.Errorf("reported cut %d, recomputed %d", res.Cut, c)
	}
	if !slices.Equal(pw, res.PartWeights) {
		t.Errorf("reported part weights %v, recomputed %v", res.PartWeights, pw)
	}
	total := g.TotalVertexWeight()
	limit := max(int64(math.Floor(ub*float64(total)/float64(k))), (total+int64(k)-1)/int64(k))
	if g.VWgt != nil {
		limit += maxvw // one vertex of slack when weights vary (documented)
	}
	if m := slices.Max(pw); m > limit {
		t.Errorf("heaviest part %d above limit %d (imbalance %.4f)", m, limit, res.Imbalance)
	}
	if g.VWgt == nil && res.Imbalance > ub+1e-9 && float64(slices.Max(pw)) > math.Ceil(float64(total)/float64(k)) {
		t.Errorf("imbalance %.4f above %.4f", res.Imbalance, ub)
	}
}

func TestPartitionDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t, 3), 4))
	n := 6000
	if raceEnabled {
		n = 2000
	}
	g := randomGraph(t, n, 3*n, n/5, r)
	geo := geometricGraph(t, n/2, 12, r)
	for _, tc := range []struct {
		name string
		g    *Graph
		k    int
	}{{"random", g, 16}, {"geometric", geo, 8}, {"rmat", rmatGraph(t, 11), 8}} {
		t.Run(tc.name, func(t *testing.T) {
			opts := &Options{Seed: 42}
			a, err := Partition(tc.g, tc.k, opts)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := Partition(tc.g, tc.k, opts)
			if !slices.Equal(a.Part, b.Part) {
				t.Fatal("same seed gave different partitions")
			}
			prev := runtime.GOMAXPROCS(1)
			c, _ := Partition(tc.g, tc.k, opts)
			runtime.GOMAXPROCS(prev)
			if !slices.Equal(a.Part, c.Part) {
				t.Fatal("GOMAXPROCS=1 gave a different partition")
			}
			d, _ := Partition(tc.g, tc.k, &Options{Seed: 43})
			if slices.Equal(a.Part, d.Part) {
				t.Error("different seeds gave identical partitions (seed unused?)")
			}
		})
	}
}

func TestPartitionImbalanceOption(t *testing.T) {
	g := gridGraph(t, 80, 80)
	for _, ub := range []float64{1.0, 1.01, 1.1, 1.5} {
		res, err := Partition(g, 6, &Options{Imbalance: ub, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, g, 6, ub, res)
	}
}

// fewIsolatedGraph has 3 degree-0 vertices among 12000, too few to be set
// aside (see fewIsolated).
func fewIsolatedGraph(t *testing.T) *Graph {
	g := gridGraph(t, 120, 100)
	n := g.NumNodes() + 3
	g.Xadj = append(g.Xadj, g.Xadj[n-3], g.Xadj[n-3], g.Xadj[n-3])
	if core, ids := coreGraph(g); ids != nil || core.n() != n {
		t.Fatalf("3 degree-0 vertices among %d were set aside", n)
	}
	return g
}

// Degree-0 vertices fill light parts: a core much smaller than the
// isolated set still gives a balanced result, and the core is cut less
// than when the same core must be balanced on its own.
func TestIsolatedFiller(t *testing.T) {
	core := gridGraph(t, 40, 40)
	n := core.NumNodes() + 1600
	g := &Graph{Xadj: append(slices.Clone(core.Xadj), make([]int64, 1600)...), Adjncy: core.Adjncy}
	for i := core.NumNodes() + 1; i <= n; i++ {
		g.Xadj[i] = g.Xadj[core.NumNodes()]
	}
	res, err := Partition(g, 8, &Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, g, 8, 1.03, res)
	alone, _ := Partition(core, 8, &Options{Seed: 1})
	if res.Cut > alone.Cut {
		t.Errorf("with filler cut %d, core alone %d: filler slack unused", res.Cut, alone.Cut)
	}
}

func TestPartitionErrors(t *testing.T) {
	g := gridGraph(t, 4, 4)
	tests := []struct {
		name string
		g    *Graph
		k    int
		opts *Options
		want error
	}{
		{"k=0", g, 0, nil, ErrParts},
		{"k>n", g, 17, nil, ErrParts},
		{"asymmetric", &Graph{Xadj: []int64{0, 1, 1}, Adjncy: []int32{1}}, 2, nil, ErrInvalidGraph},
		{"self loop", &Graph{Xadj: []int64{0, 1, 2}, Adjncy: []int32{0, 1}}, 2, nil, ErrInvalidGraph},
		{"out of range", &Graph{Xadj: []int64{0, 1, 2}, Adjncy: []int32{5, 0}}, 2, nil, ErrInvalidGraph},
		{"weight mismatch", &Graph{Xadj: []int64{0, 1, 2}, Adjncy: []int32{1, 0}, EWgt: []int32{2, 3}}, 2, nil, ErrInvalidGraph},
		{"zero edge weight", &Graph{Xadj: []int64{0, 1, 2}, Adjncy: []int32{1, 0}, EWgt: []int32{0, 0}}, 2, nil, ErrInvalidGraph},
		{"bad xadj", &Graph{Xadj: []int64{0, 3, 2}, Adjncy: []int32{1, 0}}, 2, nil, ErrInvalidGraph},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Partition(tt.g, tt.k, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			t.Log(err)
		})
	}
	err := (&Options{Imbalance: 0.5, Refine: -1}).Validate()
	if err == nil {
		t.Fatal("bad options accepted")
	}
	t.Log(err)
}

func TestEdgeCutErrors(t *testing.T) {
	g := gridGraph(t, 3, 3)
	if _, _, err := EdgeCut(g, make([]int32, 8), 2); err == nil {
		t.Error("short part vector accepted")
	}
	if _, _, err := EdgeCut(g, []int32{0, 0, 0, 0, 0, 0, 0, 0, 2}, 2); err == nil {
		t.Error("part id out of range accepted")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestPartitionCuts(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t, 9), 1))
	n := 3000
	if raceEnabled {
		n = 1000
	}
	g := randomGraph(t, n, 3*n, n/5, r)
	one, err := Partition(g, 8, &Options{Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	three, err := Partition(g, 8, &Options{Seed: 4, Cuts: 3})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, g, 8, 1.03, three)
	if three.Cut > one.Cut {
		t.Errorf("best of 3 runs cut %d, more than the first run's %d", three.Cut, one.Cut)
	}
	again, _ := Partition(g, 8, &Options{Seed: 4, Cuts: 3})
	if !slices.Equal(three.Part, again.Part) {
		t.Error("Cuts=3 not deterministic")
	}
}
