package partition

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// splitGraph returns the subgraphs induced by the vertices of side 0 and of
// side 1 for the sides with need[s], and for each the map from its
// vertices back to g's (nil for the other sides). Cut edges are dropped;
// edge weights are always materialised.
func splitGraph(g *wgraph, where []int8, need [2]bool) (sub [2]*wgraph, back [2][]int32) {
	n := g.n()
	local := make([]int32, n)
	var cnt [2]int32
	for v := 0; v < n; v++ {
		s := where[v]
		local[v] = cnt[s]
		cnt[s]++
	}
	for s := 0; s < 2; s++ {
		if need[s] {
			sub[s] = &wgraph{xadj: make([]int64, cnt[s]+1), vw: make([]int32, cnt[s])}
			back[s] = make([]int32, cnt[s])
		}
	}
	var m [2]int64
	for v := 0; v < n; v++ {
		s := where[v]
		if !need[s] {
			continue
		}
		for _, u := range g.adj[g.xadj[v]:g.xadj[v+1]] {
			if where[u] == s {
				m[s]++
			}
		}
	}
	for s := 0; s < 2; s++ {
		if need[s] {
			sub[s].adj = make([]int32, m[s])
			sub[s].adjw = make([]int32, m[s])
		}
	}
	var at [2]int64
	for v := 0; v < n; v++ {
		s := where[v]
		h := sub[s]
		if h == nil {
			continue
		}
		lv := local[v]
		back[s][lv] = int32(v)
		h.vw[lv] = g.vw[v]
		h.tvw += int64(g.vw[v])
		for e := g.xadj[v]; e < g.xadj[v+1]; e++ {
			if u := g.adj[e]; where[u] == s {
				h.adj[at[s]] = local[u]
				h.adjw[at[s]] = g.w(e)
				at[s]++
			}
		}
		h.xadj[lv+1] = at[s]
	}
	return sub, back
}

// seedFor derives an independent stream seed for a task from a parent seed.
func seedFor(parent uint64, task uint64) uint64 {
	return mix(parent ^ mix(task+0x632be59bd9b4e019))
}

// recursiveBisection splits g into k parts numbered first, first+1, ...
// by bisecting it (sides weighted k/2 : k-k/2), then each side, and so on.
// ub is the per-bisection imbalance allowed. part receives each vertex's
// part. The two halves of a bisection are split in parallel.
func recursiveBisection(g *wgraph, k int, first int32, ub float64, p bisectParams, seed uint64, part []int32) {
	if k == 1 || g.n() == 0 {
		for v := range part {
			part[v] = first
		}
		return
	}
	k1 := k / 2
	tw0 := int64(math.Round(float64(g.tvw) * float64(k1) / float64(k)))
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	where, _ := mlBisect(g, tw0, ub, p, rng)
	// A side that becomes a single part needs no subgraph: its vertices
	// take their part here (for k = 2 nothing is split at all).
	need := [2]bool{k1 > 1, k-k1 > 1}
	for v, s := range where {
		if !need[s] {
			part[v] = first + int32(s)*int32(k1)
		}
	}
	if !need[0] && !need[1] {
		return
	}
	sub, back := splitGraph(g, where, need)
	where = nil
	big := g.n() > 2000
	// g is not used below, so (unless the caller holds it) it can be
	// collected while the halves recurse; each half likewise drops its
	// subgraph once split, which keeps the memory of deep recursions at
	// about twice the graph.
	var parts [2][]int32
	do := func(s int) func() {
		return func() {
			kk, f := k1, first
			if s == 1 {
				kk, f = k-k1, first+int32(k1)
			}
			gs := sub[s]
			if gs == nil {
				return
			}
			sub[s] = nil
			parts[s] = make([]int32, gs.n())
			recursiveBisection(gs, kk, f, ub, p, seedFor(seed, uint64(s+1)), parts[s])
		}
	}
	if big && need[0] && need[1] {
		parallelDo(do(0), do(1))
	} else {
		do(0)()
		do(1)()
	}
	for s := 0; s < 2; s++ {
		for lv, v := range back[s] {
			part[v] = parts[s][lv]
		}
	}
}

// parallelTriesMaxEntries: initialPartition runs its tries in parallel on
// coarsest graphs with at most this many adjacency entries, one after
// another above. Each try coarsens the graph again (mlBisect), and on
// graphs whose coarsest level stays dense (a 1M-vertex SBM: 33k vertices,
// 13M entries) two concurrent hierarchies were the peak of the whole run's
// memory (1.28 GB against 0.71 GB after coarsening); one at a time still
// uses both cores in contractMap.
const parallelTriesMaxEntries = 1 << 21

// initialPartition partitions the coarsest graph into k parts: tries
// independent recursive bisections (in parallel on small graphs) whose k-way cut and
// balance (against maxpw) are compared. It returns them best first
// (least overweight, then lowest cut; earlier tries first among equals).
func initialPartition(g *wgraph, k int, maxpw []int64, tries int, p bisectParams, seed uint64) [][]int32 {
	// Per-bisection imbalance so that log2(k) nested bisections compound
	// to the k-way limit (measured on the mean part weight).
	avg := float64(g.tvw) / float64(k)
	ubk := float64(maxpw[0]) / max(avg, 1)
	levels := math.Ceil(math.Log2(float64(k)))
	ub := math.Pow(max(ubk, 1.0001), 1/max(levels, 1))
	results := make([][]int32, tries)
	tasks := make([]func(), tries)
	for t := range tasks {
		tasks[t] = func() {
			part := make([]int32, g.n())
			recursiveBisection(g, k, 0, ub, p, seedFor(seed, uint64(1000+t)), part)
			results[t] = part
		}
	}
	if len(g.adj) <= parallelTriesMaxEntries {
		parallelDo(tasks...)
	} else {
		for _, task := range tasks {
			task()
		}
	}
	type scored struct {
		t         int
		over, cut int64
	}
	order := make([]scored, tries)
	for t, part := range results {
		cut, pw := cutAndWeights(g, part, k)
		var over int64
		for i, w := range pw {
			over += max(0, w-maxpw[i])
		}
		order[t] = scored{t, over, cut}
	}
	slices.SortStableFunc(order, func(a, b scored) int {
		if a.over != b.over {
			return cmp.Compare(a.over, b.over)
		}
		return cmp.Compare(a.cut, b.cut)
	})
	best := make([][]int32, tries)
	for i, x := range order {
		best[i] = results[x.t]
	}
	return best
}

// cutAndWeights computes the edge cut and part weights of a k-way
// partition of g from scratch.
func cutAndWeights(g *wgraph, part []int32, k int) (int64, []int64) {
	pw := make([]int64, k)
	var cut int64
	for v := 0; v < g.n(); v++ {
		pv := part[v]
		pw[pv] += int64(g.vw[v])
		for e := g.xadj[v]; e < g.xadj[v+1]; e++ {
			if part[g.adj[e]] != pv {
				cut += int64(g.w(e))
			}
		}
	}
	return cut / 2, pw
}
