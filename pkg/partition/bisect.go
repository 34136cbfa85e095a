package partition

import (
	"math"
	"math/rand/v2"
)

// twoWay is the state of a bisection of one graph: the side of every
// vertex, its internal and external weighted degrees, side weights, cut.
type twoWay struct {
	g      *wgraph
	where  []int8
	id, ed []int64
	pw     [2]int64
	cut    int64
	tw     [2]int64 // target weights
	maxw   [2]int64 // balance limits
}

func newTwoWay(g *wgraph, tw, maxw [2]int64) *twoWay {
	n := g.n()
	return &twoWay{g: g, where: make([]int8, n), id: make([]int64, n), ed: make([]int64, n), tw: tw, maxw: maxw}
}

// compute recomputes degrees, weights and cut from where.
func (b *twoWay) compute() {
	g := b.g
	b.pw = [2]int64{}
	b.cut = 0
	for v := 0; v < g.n(); v++ {
		s := b.where[v]
		b.pw[s] += int64(g.vw[v])
		var id, ed int64
		for e := g.xadj[v]; e < g.xadj[v+1]; e++ {
			if b.where[g.adj[e]] == s {
				id += int64(g.w(e))
			} else {
				ed += int64(g.w(e))
			}
		}
		b.id[v], b.ed[v] = id, ed
		b.cut += ed
	}
	b.cut /= 2
}

// overweight is how far the sides exceed their limits (0 when balanced).
func (b *twoWay) overweight() int64 {
	return max(0, b.pw[0]-b.maxw[0]) + max(0, b.pw[1]-b.maxw[1])
}

// move flips v to the other side and updates its neighbours' degrees. If
// q is non-nil, unlocked neighbours' queue entries follow their gains.
func (b *twoWay) move(v int32, q *[2]*pq, locked []bool) {
	g := b.g
	from := b.where[v]
	to := 1 - from
	b.cut -= b.ed[v] - b.id[v]
	b.pw[from] -= int64(g.vw[v])
	b.pw[to] += int64(g.vw[v])
	b.where[v] = to
	b.id[v], b.ed[v] = b.ed[v], b.id[v]
	for e := g.xadj[v]; e < g.xadj[v+1]; e++ {
		u := g.adj[e]
		w := int64(g.w(e))
		if b.where[u] == from {
			b.id[u] -= w
			b.ed[u] += w
		} else {
			b.id[u] += w
			b.ed[u] -= w
		}
		if q == nil || locked[u] {
			continue
		}
		qu := q[b.where[u]]
		switch {
		case qu.contains(u):
			if b.ed[u] > 0 {
				qu.update(u, b.ed[u]-b.id[u])
			} else {
				qu.remove(u)
			}
		case b.ed[u] > 0:
			qu.push(u, b.ed[u]-b.id[u])
		}
	}
}

// better reports whether state (over, cut, diff) beats the best so far:
// balance first, then cut, then closeness to the target.
func better(over, cut, diff, bOver, bCut, bDiff int64) bool {
	if over != bOver {
		return over < bOver
	}
	if cut != bCut {
		return cut < bCut
	}
	return diff < bDiff
}

// fm runs up to niter Fiduccia-Mattheyses passes. Each pass moves boundary
// vertices one at a time, always from the side further above its target,
// highest gain first, each vertex at most once; it stops after `limit`
// moves without a new best state and rolls back to the best one. Passes
// stop when one brings no improvement. q and locked are scratch sized for
// b.g.
func (b *twoWay) fm(niter int, q *[2]*pq, locked []bool, moved []int32) []int32 {
	g := b.g
	n := g.n()
	limit := min(max(n/100, 25), 150)
	for pass := 0; pass < niter; pass++ {
		for v := 0; v < n; v++ {
			if b.ed[v] > 0 {
				q[b.where[v]].push(int32(v), b.ed[v]-b.id[v])
			}
		}
		startCut, startOver := b.cut, b.overweight()
		bestOver, bestCut, bestDiff := startOver, b.cut, abs64(b.pw[0]-b.tw[0])
		moved = moved[:0]
		best := 0
		for {
			from := int8(0)
			if b.pw[1]-b.tw[1] > b.pw[0]-b.tw[0] {
				from = 1
			}
			if q[from].len() == 0 {
				// Move from the other side only if that keeps the balance.
				o := 1 - from
				if q[o].len() == 0 {
					break
				}
				v, _ := q[o].top()
				if b.pw[from]+int64(g.vw[v]) > b.maxw[from] {
					break
				}
				from = o
			}
			v := q[from].pop()
			locked[v] = true
			b.move(v, q, locked)
			moved = append(moved, v)
			over, diff := b.overweight(), abs64(b.pw[0]-b.tw[0])
			if better(over, b.cut, diff, bestOver, bestCut, bestDiff) {
				bestOver, bestCut, bestDiff = over, b.cut, diff
				best = len(moved)
			} else if len(moved)-best > limit {
				break
			}
		}
		q[0].clear()
		q[1].clear()
		for i := len(moved) - 1; i >= best; i-- {
			b.move(moved[i], nil, nil)
		}
		for _, v := range moved {
			locked[v] = false
		}
		if !(b.overweight() < startOver || (b.overweight() == startOver && b.cut < startCut)) {
			break
		}
	}
	return moved
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// grow makes an initial bisection by breadth-first growth of side 0 from a
// random vertex until it reaches its target weight; disconnected pieces are
// entered from further random vertices.
func (b *twoWay) grow(rng *rand.Rand, queue []int32, visited []bool) {
	g := b.g
	n := g.n()
	for v := range b.where {
		b.where[v] = 1
		visited[v] = false
	}
	var pw0 int64
	queue = queue[:0]
	head := 0
	nvisited := 0
	for pw0 < b.tw[0] && nvisited < n {
		if head == len(queue) {
			// Enter an unvisited vertex at random.
			s := int32(rng.IntN(n))
			for visited[s] {
				s++
				if int(s) == n {
					s = 0
				}
			}
			visited[s] = true
			nvisited++
			queue = append(queue, s)
		}
		v := queue[head]
		head++
		if pw0+int64(g.vw[v]) > b.maxw[0] {
			continue
		}
		b.where[v] = 0
		pw0 += int64(g.vw[v])
		for _, u := range g.adj[g.xadj[v]:g.xadj[v+1]] {
			if !visited[u] {
				visited[u] = true
				nvisited++
				queue = append(queue, u)
			}
		}
	}
	b.compute()
}

// bisectParams says how one multilevel bisection runs.
type bisectParams struct {
	tries     int // initial bisections of the coarsest graph, best kept
	coarsenTo int
	niter     int // FM passes per level
}

var defaultBisect = bisectParams{tries: 8, coarsenTo: 40, niter: 8}

// mlBisect bisects g with side 0 aiming at weight tw0 and each side at most
// ub times its target, by coarsening, growing several initial bisections
// on the coarsest graph, and FM refinement at every level on the way back.
// It returns the side of each vertex and the cut.
func mlBisect(g *wgraph, tw0 int64, ub float64, p bisectParams, rng *rand.Rand) ([]int8, int64) {
	tw := [2]int64{tw0, g.tvw - tw0}
	maxw := [2]int64{int64(math.Ceil(ub * float64(tw[0]))), int64(math.Ceil(ub * float64(tw[1])))}
	maxvw := int32(min(int64(math.MaxInt32), max(1, int64(1.5*float64(g.tvw)/float64(p.coarsenTo)))))
	h := coarsen(g, p.coarsenTo, maxvw, rng)
	top := h.top()
	// The fine level's scratch is the largest; coarser levels reuse it.
	n0 := g.n()
	q := [2]*pq{newPQ(n0), newPQ(n0)}
	locked := make([]bool, n0)
	var moved []int32
	var queue []int32

	cur := newTwoWay(top, tw, maxw)
	best := newTwoWay(top, tw, maxw)
	bestSet := false
	for t := 0; t < p.tries; t++ {
		cur.grow(rng, queue, locked)
		for i := range locked[:top.n()] {
			locked[i] = false
		}
		moved = cur.fm(p.niter, &q, locked, moved)
		if !bestSet || better(cur.overweight(), cur.cut, abs64(cur.pw[0]-tw[0]), best.overweight(), best.cut, abs64(best.pw[0]-tw[0])) {
			copy(best.where, cur.where)
			best.compute()
			bestSet = true
		}
	}
	b := best
	cur = nil
	for l := h.depth() - 2; l >= 0; l-- {
		cwhere := b.where
		b = nil
		h.drop(l + 1)
		fine := h.at(l)
		nb := newTwoWay(fine, tw, maxw)
		cmap := h.cmaps[l]
		for v := range nb.where {
			nb.where[v] = cwhere[cmap[v]]
		}
		h.cmaps[l] = nil
		nb.compute()
		moved = nb.fm(p.niter, &q, locked, moved)
		b = nb
	}
	return b.where, b.cut
}
