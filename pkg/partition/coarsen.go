package partition

import (
	"math/rand/v2"
)

// wgraph is the partitioner's working graph, one per level of the
// multilevel hierarchy. adjw may be nil on an input level (all ones); coarse
// levels always carry weights.
type wgraph struct {
	xadj []int64
	adj  []int32
	adjw []int32
	vw   []int32
	tvw  int64
}

func (g *wgraph) n() int { return len(g.xadj) - 1 }

func (g *wgraph) w(e int64) int32 {
	if g.adjw == nil {
		return 1
	}
	return g.adjw[e]
}

// equalEdgeWeights reports whether every edge weight is the same, the case
// in which heavy-edge matching has nothing to go on.
func (g *wgraph) equalEdgeWeights() bool {
	if g.adjw == nil || len(g.adjw) == 0 {
		return true
	}
	w0 := g.adjw[0]
	for _, w := range g.adjw {
		if w != w0 {
			return false
		}
	}
	return true
}

const (
	// coarsenFraction: coarsening stops after a level that keeps more than
	// this fraction of the vertices of the level before it.
	coarsenFraction = 0.85
	// unmatchedFor2Hop: two-hop matching starts when more than this
	// fraction of the vertices are left unmatched.
	unmatchedFor2Hop = 0.10
)

// coarsen builds the hierarchy above g until it has at most `to` vertices
// or stops shrinking. Level 0 is g; cmaps[i] maps the vertices of level i
// to those of level i+1. g is not modified.
// No coarse vertex may weigh more than maxvw (two-hop matching included),
// except that a single fine vertex is never split.
func coarsen(g *wgraph, to int, maxvw int32, rng *rand.Rand) *hierarchy {
	h := &hierarchy{levels: []*wgraph{g}}
	var sc contractScratch
	eq := g.equalEdgeWeights()
	cur := g
	for cur.n() > to {
		n := cur.n()
		match := make([]int32, n)
		var unmatched int
		if eq {
			unmatched = matchRandom(cur, match, maxvw, rng)
		} else {
			unmatched = matchHeavyEdge(cur, match, maxvw, rng)
		}
		if float64(unmatched) > unmatchedFor2Hop*float64(n) {
			unmatched = matchTwoHop(cur, match, maxvw, 2, unmatched)
			if float64(unmatched) > unmatchedFor2Hop*float64(n) {
				matchTwoHop(cur, match, maxvw, 64, unmatched)
			}
		}
		cg, cmap := contract(cur, match, &sc)
		h.push(cg, cmap, match)
		eq = false
		done := float64(cg.n()) > coarsenFraction*float64(n) || len(cg.adj) < cg.n()
		cur = cg
		if done {
			break
		}
	}
	h.seal()
	return h
}

// shuffled returns a random permutation of [0, n).
func shuffled(n int, rng *rand.Rand) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	for i := n - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// matchRandom visits vertices in random order and matches each unmatched
// one with its first unmatched neighbour that fits maxvw. match[v] is set
// to v's mate, or v itself when unmatched. It returns the number of
// vertices left unmatched.
func matchRandom(g *wgraph, match []int32, maxvw int32, rng *rand.Rand) int {
	for i := range match {
		match[i] = -1
	}
	perm := degreeOrder(g, rng)
	xadj, adj, vw := g.xadj, g.adj, g.vw
	unmatched := 0
	for _, v := range perm {
		if match[v] >= 0 {
			continue
		}
		mate := v
		for _, u := range adj[xadj[v]:xadj[v+1]] {
			if match[u] < 0 && vw[v]+vw[u] <= maxvw {
				mate = u
				break
			}
		}
		match[v] = mate
		match[mate] = v
		if mate == v {
			unmatched++
		}
	}
	return unmatched
}

// matchHeavyEdge visits vertices by increasing degree (random among equal
// degrees) and matches each unmatched one with the unmatched neighbour
// joined by the heaviest edge, among those that fit maxvw.
func matchHeavyEdge(g *wgraph, match []int32, maxvw int32, rng *rand.Rand) int {
	for i := range match {
		match[i] = -1
	}
	xadj, adj, vw := g.xadj, g.adj, g.vw
	order := degreeOrder(g, rng)
	unmatched := 0
	for _, v := range order {
		if match[v] >= 0 {
			continue
		}
		mate := v
		best := int32(-1)
		lim := maxvw - vw[v]
		for e := xadj[v]; e < xadj[v+1]; e++ {
			u := adj[e]
			if match[u] < 0 && vw[u] <= lim && g.adjw[e] > best {
				best = g.adjw[e]
				mate = u
			}
		}
		match[v] = mate
		match[mate] = v
		if mate == v {
			unmatched++
		}
	}
	return unmatched
}

// degreeOrder returns the vertices by increasing degree (degrees capped
// at four times the average), in random order among equal degrees.
func degreeOrder(g *wgraph, rng *rand.Rand) []int32 {
	n := g.n()
	xadj := g.xadj
	avg := max(1, int(4*len(g.adj)/max(n, 1)))
	perm := shuffled(n, rng)
	cnt := make([]int32, avg+2)
	deg := func(v int32) int { return min(int(xadj[v+1]-xadj[v]), avg) }
	for _, v := range perm {
		cnt[deg(v)+1]++
	}
	for i := 1; i < len(cnt); i++ {
		cnt[i] += cnt[i-1]
	}
	order := make([]int32, n)
	for _, v := range perm {
		d := deg(v)
		order[cnt[d]] = v
		cnt[d]++
	}
	return order
}

// matchTwoHop pairs unmatched vertices of degree below maxdeg that share a
// neighbour (leaves hanging off the same hub, typically), so that
// coarsening keeps shrinking power-law graphs. It returns the new number of
// unmatched vertices.
func matchTwoHop(g *wgraph, match []int32, maxvw int32, maxdeg int64, unmatched int) int {
	n := g.n()
	xadj, adj, vw := g.xadj, g.adj, g.vw
	// For each pivot u, the list of candidate vertices adjacent to it.
	ptr := make([]int64, n+1)
	for v := 0; v < n; v++ {
		if d := xadj[v+1] - xadj[v]; match[v] == int32(v) && d > 0 && d < maxdeg {
			for _, u := range adj[xadj[v]:xadj[v+1]] {
				ptr[u+1]++
			}
		}
	}
	for u := 0; u < n; u++ {
		ptr[u+1] += ptr[u]
	}
	if ptr[n] == 0 {
		return unmatched
	}
	list := make([]int32, ptr[n])
	pos := make([]int64, n)
	copy(pos, ptr[:n])
	for v := 0; v < n; v++ {
		if d := xadj[v+1] - xadj[v]; match[v] == int32(v) && d > 0 && d < maxdeg {
			for _, u := range adj[xadj[v]:xadj[v+1]] {
				list[pos[u]] = int32(v)
				pos[u]++
			}
		}
	}
	pos = nil
	for u := 0; u < n; u++ {
		l := list[ptr[u]:ptr[u+1]]
		if len(l) < 2 {
			continue
		}
		prev := int32(-1)
		for _, v := range l {
			if match[v] != v {
				continue
			}
			if prev >= 0 && vw[prev]+vw[v] <= maxvw {
				match[prev] = v
				match[v] = prev
				unmatched -= 2
				prev = -1
			} else {
				prev = v
			}
		}
	}
	return unmatched
}

// contract builds the coarse graph of a matching: each matched pair (and
// each unmatched vertex) becomes one coarse vertex numbered in order of its
// smaller fine vertex; parallel edges merge (weights add) and edges inside
// a pair vanish. It returns the coarse graph and the map from g's vertices
// to it. sc (may be nil) holds merge tables reused across calls.
func contract(g *wgraph, match []int32, sc *contractScratch) (*wgraph, []int32) {
	n := g.n()
	cmap := make([]int32, n)
	var cn int32
	for v := int32(0); v < int32(n); v++ {
		if m := match[v]; v <= m {
			cmap[v] = cn
			cmap[m] = cn
			cn++
		}
	}
	// rep[c] = the smaller fine vertex of c; its mate is match[rep[c]].
	rep := make([]int32, cn)
	for v := int32(0); v < int32(n); v++ {
		if v <= match[v] {
			rep[cmap[v]] = v
		}
	}
	cg := &wgraph{vw: make([]int32, cn), tvw: g.tvw}
	for c := range cg.vw {
		v := rep[c]
		cg.vw[c] = g.vw[v]
		if m := match[v]; m != v {
			cg.vw[c] += g.vw[m]
		}
	}
	if sc == nil {
		sc = new(contractScratch)
	}
	contractAdj(g, cg, match, cmap, rep, sc)
	return cg, cmap
}

// contractAdj fills cg's adjacency for contract, in parallel over fixed
// chunks of coarse vertices, so the result is independent of the number of
// goroutines. Two passes: the first counts each coarse vertex's distinct
// neighbours, the second writes them straight into the exactly sized
// coarse arrays. Merging twice costs less than an upper-bound-sized
// temporary copy of the adjacency, which would be the peak of a large
// run's memory and most of the bytes a small run allocates.
func contractAdj(g *wgraph, cg *wgraph, match, cmap, rep []int32, sc *contractScratch) {
	cn := len(rep)
	const chunk = 1 << 12
	nw := workers(cn, chunk)
	sc.reserve(nw)
	deg := make([]int64, cn+1)
	parallelForW(cn, chunk, func(w, lo, hi int) {
		countCoarse(g, match, cmap, rep, sc.table(w, cn), deg, lo, hi)
	})
	for c := range cn {
		deg[c+1] += deg[c]
	}
	cg.xadj = deg
	cg.adj = make([]int32, deg[cn])
	cg.adjw = make([]int32, deg[cn])
	// The count pass left stamps (coarse ids) in the tables; the fill pass
	// wants -1 between coarse vertices, and leaves it.
	for w := range nw {
		t := sc.table(w, cn)
		for i := range t {
			t[i] = -1
		}
	}
	parallelForW(cn, chunk, func(w, lo, hi int) {
		fillCoarse(g, cg, match, cmap, rep, sc.table(w, cn), lo, hi)
	})
}

// countCoarse sets deg[c+1] to the number of distinct coarse neighbours
// of each coarse vertex c in [lo, hi). table[cu] == c marks cu as seen
// for c, so the table needs no reset between coarse vertices (it must
// hold no id in [lo, hi) on entry: -1 or ids of earlier chunks).
func countCoarse(g *wgraph, match, cmap, rep, table []int32, deg []int64, lo, hi int) {
	xadj, adj := g.xadj, g.adj
	for c := lo; c < hi; c++ {
		ci := int32(c)
		table[ci] = ci // the pair's own edges vanish
		var k int64
		v := rep[c]
		for _, u := range adj[xadj[v]:xadj[v+1]] {
			if cu := cmap[u]; table[cu] != ci {
				table[cu] = ci
				k++
			}
		}
		if m := match[v]; m != v {
			for _, u := range adj[xadj[m]:xadj[m+1]] {
				if cu := cmap[u]; table[cu] != ci {
					table[cu] = ci
					k++
				}
			}
		}
		deg[c+1] = k
	}
}

// fillCoarse writes the merged adjacency of the coarse vertices [lo, hi)
// into cg (whose xadj is final). table is all -1 on entry and on return;
// in between, table[cu] is cu's slot in the current coarse vertex's list.
func fillCoarse(g *wgraph, cg *wgraph, match, cmap, rep, table []int32, lo, hi int) {
	xadj, adj, adjw := g.xadj, g.adj, g.adjw
	for c := lo; c < hi; c++ {
		ci := int32(c)
		base := cg.xadj[c]
		out, outw := cg.adj[base:cg.xadj[c+1]], cg.adjw[base:cg.xadj[c+1]]
		k := int32(0)
		v := rep[c]
		pair := [2]int32{v, match[v]}
		np := 2
		if pair[1] == v {
			np = 1
		}
		for _, x := range pair[:np] {
			lo, hi := xadj[x], xadj[x+1]
			var ws []int32 // nil: unit weights
			if adjw != nil {
				ws = adjw[lo:hi]
			}
			for i, u := range adj[lo:hi] {
				cu := cmap[u]
				if cu == ci {
					continue
				}
				w := int32(1)
				if ws != nil {
					w = ws[i]
				}
				if p := table[cu]; p >= 0 {
					outw[p] += w
				} else {
					table[cu] = k
					out[k], outw[k] = cu, w
					k++
				}
			}
		}
		for _, cu := range out[:k] {
			table[cu] = -1
		}
	}
}

// contractScratch holds contract's merge tables, one per worker, reused
// from level to level of one coarsening (and across the many small
// contractions of a recursive bisection). Between uses every table is
// all -1.
type contractScratch struct {
	tables [][]int32
}

// reserve makes room for nw workers' tables (before the workers start).
func (sc *contractScratch) reserve(nw int) {
	for len(sc.tables) < nw {
		sc.tables = append(sc.tables, nil)
	}
}

// table returns worker w's table with at least cn entries, all -1.
func (sc *contractScratch) table(w, cn int) []int32 {
	if len(sc.tables[w]) < cn {
		t := make([]int32, cn)
		for i := range t {
			t[i] = -1
		}
		sc.tables[w] = t
	}
	return sc.tables[w][:cn]
}
