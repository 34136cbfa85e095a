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
		cmap, cn := matchMap(match)
		var cg *wgraph
		if l := h.depth() - 1; h.droppable(l) {
			// Level l goes as soon as its matching is known: the level
			// above it is built straight from level l-1 through both
			// maps, so the two are never held together.
			h.drop(l)
			cur = nil
			f := composeMaps(h.cmaps[l-1], cmap)
			_, order := groupByMap(h.cmaps[l-1], n, nil)
			cg = contractMap(h.levels[l-1], f, cn, order, &sc)
		} else {
			cg = contractMap(cur, cmap, cn, nil, &sc)
		}
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
