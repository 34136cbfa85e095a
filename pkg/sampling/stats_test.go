package sampling

import (
	"context"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// star returns a source where node 0 has deg in-neighbours 1..deg with the
// given weights (nil: unweighted) and times.
func star(t *testing.T, deg int, w []float32, tm []int64) *MemorySource {
	t.Helper()
	coo := graph.COO{NumNodes: deg + 1, Weight: w}
	for i := range deg {
		coo.Src = append(coo.Src, int32(i+1))
		coo.Dst = append(coo.Dst, 0)
	}
	csc := coo.ToCSC()
	s, err := FromCSC(&csc, nil, tm)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// draw samples node 0 of src `trials` times with fresh seeds and calls fn
// with each answer's neighbours.
func draw(t *testing.T, src NeighborSource, fanout int, o HopOptions, seed uint64, trials int, fn func(nbrs []int32)) {
	t.Helper()
	h, err := NewLocalHopSampler(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	var a graph.Adjacency
	front := []int32{0}
	for i := range trials {
		o.Seed = derive(seed, uint64(i))
		if err := h.SampleHop(context.Background(), front, fanout, &o, &a); err != nil {
			t.Fatal(err)
		}
		fn(a.Nbrs)
	}
}

func checkChi2(t *testing.T, what string, obs []int, exp []float64) {
	t.Helper()
	x, crit := chi2(obs, exp), chi2Crit(len(obs)-1)
	t.Logf("%s: chi2 = %.1f (critical %.1f at p=0.001, %d dof)", what, x, crit, len(obs)-1)
	if x > crit {
		t.Errorf("%s: chi2 = %.1f > %.1f: observed %v, expected %v", what, x, crit, obs, exp)
	}
}

// subsetIndex encodes a set of neighbours (ids 1..deg) as a bit mask.
func subsetMask(nbrs []int32) int {
	m := 0
	for _, u := range nbrs {
		m |= 1 << (u - 1)
	}
	return m
}

func TestUniformWithoutReplacementIsUniformOverSubsets(t *testing.T) {
	seed := testSeed(t, 21)
	const deg, k, trials = 6, 3, 40000
	// all C(6,3) = 20 subsets equally likely
	idx := map[int]int{}
	for m := 0; m < 1<<deg; m++ {
		if popcount(m) == k {
			idx[m] = len(idx)
		}
	}
	obs := make([]int, len(idx))
	draw(t, star(t, deg, nil, nil), k, HopOptions{}, seed, trials, func(nbrs []int32) {
		obs[idx[subsetMask(nbrs)]]++
	})
	exp := make([]float64, len(obs))
	for i := range exp {
		exp[i] = trials / float64(len(obs))
	}
	checkChi2(t, "subsets", obs, exp)

	// A large fan-out (hash-set path of Floyd) keeps inclusion uniform.
	const deg2, k2, trials2 = 100, 40, 4000
	inc := make([]int, deg2)
	draw(t, star(t, deg2, nil, nil), k2, HopOptions{}, seed+1, trials2, func(nbrs []int32) {
		for _, u := range nbrs {
			inc[u-1]++
		}
	})
	exp2 := make([]float64, deg2)
	for i := range exp2 {
		exp2[i] = trials2 * k2 / deg2
	}
	// inclusion counts of a fixed-size sample are negatively correlated;
	// their chi-square is (1-k/n) times a chi-square, so this test is
	// conservative.
	checkChi2(t, "inclusion k=40 of 100", inc, exp2)
}

func popcount(m int) int {
	c := 0
	for ; m != 0; m &= m - 1 {
		c++
	}
	return c
}

func TestUniformWithReplacement(t *testing.T) {
	seed := testSeed(t, 22)
	const deg, k, trials = 10, 3, 20000
	obs := make([]int, deg)
	draw(t, star(t, deg, nil, nil), k, HopOptions{Replace: true}, seed, trials, func(nbrs []int32) {
		for _, u := range nbrs {
			obs[u-1]++
		}
	})
	exp := make([]float64, deg)
	for i := range exp {
		exp[i] = trials * k / deg
	}
	checkChi2(t, "draws", obs, exp)
}

func TestWeightedFrequencies(t *testing.T) {
	seed := testSeed(t, 23)
	w := []float32{1, 2, 3, 4, 0, 10}
	total := float32(20)
	src := star(t, len(w), w, nil)

	t.Run("one draw proportional to weight", func(t *testing.T) {
		const trials = 30000
		obs := make([]int, len(w))
		draw(t, src, 1, HopOptions{Weighted: true}, seed, trials, func(nbrs []int32) {
			obs[nbrs[0]-1]++
		})
		if obs[4] != 0 {
			t.Fatalf("zero-weight neighbour drawn %d times", obs[4])
		}
		checkChi2(t, "k=1", dropIndex(obs, 4), dropF(expected(w, total, trials), 4))
	})

	t.Run("with replacement proportional to weight", func(t *testing.T) {
		const trials = 10000
		obs := make([]int, len(w))
		draw(t, src, 3, HopOptions{Weighted: true, Replace: true}, seed+1, trials, func(nbrs []int32) {
			for _, u := range nbrs {
				obs[u-1]++
			}
		})
		if obs[4] != 0 {
			t.Fatalf("zero-weight neighbour drawn %d times", obs[4])
		}
		checkChi2(t, "replace", dropIndex(obs, 4), dropF(expected(w, total, 3*trials), 4))
	})

	t.Run("without replacement is successive sampling", func(t *testing.T) {
		// P({a,b}) = wa/W * wb/(W-wa) + wb/W * wa/(W-wb), over the pairs
		// of positive-weight neighbours.
		const trials = 30000
		obs := map[int]int{}
		draw(t, src, 2, HopOptions{Weighted: true}, seed+2, trials, func(nbrs []int32) {
			if len(nbrs) != 2 {
				t.Fatalf("drew %d, want 2", len(nbrs))
			}
			obs[subsetMask(nbrs)]++
		})
		var o []int
		var e []float64
		W := float64(total)
		for a := range w {
			for b := a + 1; b < len(w); b++ {
				wa, wb := float64(w[a]), float64(w[b])
				if wa == 0 || wb == 0 {
					if obs[1<<a|1<<b] != 0 {
						t.Fatalf("pair with a zero weight drawn")
					}
					continue
				}
				p := wa/W*wb/(W-wa) + wb/W*wa/(W-wb)
				o = append(o, obs[1<<a|1<<b])
				e = append(e, p*trials)
			}
		}
		checkChi2(t, "pairs", o, e)
	})
}

func expected(w []float32, total float32, trials int) []float64 {
	e := make([]float64, len(w))
	for i, x := range w {
		e[i] = float64(x/total) * float64(trials)
	}
	return e
}

func dropIndex(x []int, i int) []int     { return append(append([]int(nil), x[:i]...), x[i+1:]...) }
func dropF(x []float64, i int) []float64 { return append(append([]float64(nil), x[:i]...), x[i+1:]...) }

func TestTemporalUniformAmongPast(t *testing.T) {
	seed := testSeed(t, 24)
	tm := []int64{5, 1, 9, 3, 7, 2, 8, 4}
	src := star(t, len(tm), nil, tm)
	const trials, k = 20000, 2
	obs := make([]int, len(tm))
	draw(t, src, k, HopOptions{Temporal: TemporalUniform, Cutoff: []int64{5}}, seed, trials, func(nbrs []int32) {
		for _, u := range nbrs {
			obs[u-1]++
		}
	})
	// admissible: times <= 5 -> entries 0,1,3,5,7 (5 of them)
	var o []int
	var e []float64
	for i, x := range tm {
		if x > 5 {
			if obs[i] != 0 {
				t.Fatalf("future neighbour %d (time %d) sampled %d times", i+1, x, obs[i])
			}
			continue
		}
		o = append(o, obs[i])
		e = append(e, trials*k/5.0)
	}
	checkChi2(t, "temporal", o, e)
}
