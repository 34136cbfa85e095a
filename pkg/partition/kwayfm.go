package partition

import (
	"math/rand/v2"
)

// fmWork bounds the adjacency entries one k-way FM pass may scan, as a
// multiple of the level's entries.
const fmWork = 8

// bestMove returns v's best target part and the gain of moving there, or
// -1 when v fits nowhere else.
func (r *kway) bestMove(v int32) (int32, int32) {
	b, cb := r.bestTarget(v)
	if b < 0 {
		return -1, 0
	}
	return b, cb - r.id[v]
}

// fmScratch holds what k-way FM reuses between calls on one level.
type fmScratch struct {
	q      *pq
	locked []bool
	moves  []fmMove
}

type fmMove struct {
	v    int32
	from int32
}

// localFM runs `passes` passes of localized k-way Fiduccia-Mattheyses
// refinement. Each pass takes the boundary vertices in random order as
// seeds; from each seed not yet touched it runs a local search: a queue
// of vertices grows with the boundary neighbours of moved vertices; the
// best move is taken first; moves may lose cut (hill climbing) but never
// break the balance limit; after `limit` moves without a new best the
// search stops and moves after the best are undone. Every vertex moves at
// most once per pass.
//
// Queue keys are lazy: a vertex enters keyed by ed-id, an upper bound of
// its best gain that costs nothing to keep current; when it reaches the
// top its exact gain is computed, and if that falls below the next key it
// goes back in with the exact gain. So a move costs O(degree) plus heap
// operations, also on dense coarse graphs.
func (r *kway) localFM(passes, limit int, rng *rand.Rand) {
	g := r.g
	n := g.n()
	s := fmScratch{q: newPQ(n), locked: make([]bool, n)}
	var seeds, touched []int32
	for pass := 0; pass < passes; pass++ {
		startCut := r.cut
		seeds = append(seeds[:0], r.bnd...)
		shuffleSorted(seeds, rng)
		touched = touched[:0]
		// Work (adjacency entries scanned) is capped per pass so that dense
		// coarse graphs, where every move re-scores many neighbours, cost
		// O(edges) like a greedy pass.
		var work int64
		budget := fmWork*int64(len(g.adj)) + int64(n)
		// A pass also stops when a window of an eighth of the budget went
		// by without lowering the cut by more than a thousandth: on graphs
		// where hill climbing finds nothing (dense random-like levels), or
		// only crumbs (after the final balance pass: coauthor-cs, k = 8,
		// 26 ms of a 79 ms run for 0.5% of cut), it then costs little.
		window := budget / 8
		nextCheck, cutAtCheck := window, r.cut
		for _, seed := range seeds {
			if work > budget {
				break
			}
			if work > nextCheck {
				if negligibleGain(cutAtCheck, r.cut) {
					break
				}
				nextCheck, cutAtCheck = work+window, r.cut
			}
			if s.locked[seed] || r.ed[seed] == 0 {
				continue
			}
			s.q.push(seed, int64(r.ed[seed]-r.id[seed]))
			s.moves = s.moves[:0]
			bestCut, best := r.cut, 0
			for s.q.len() > 0 && work <= budget {
				v, key := s.q.top()
				a := r.part[v]
				if r.pw[a] == int64(g.vw[v]) {
					s.q.pop()
					continue
				}
				work += g.xadj[v+1] - g.xadj[v]
				b, gain := r.bestMove(v)
				if b < 0 {
					s.q.pop()
					continue
				}
				if int64(gain) < key {
					// Stale upper bound: requeue with the exact gain unless
					// it still beats every other key.
					s.q.update(v, int64(gain))
					if top, _ := s.q.top(); top != v {
						continue
					}
				}
				s.q.pop()
				r.move(v, b)
				s.locked[v] = true
				touched = append(touched, v)
				s.moves = append(s.moves, fmMove{v, a})
				if r.cut < bestCut {
					bestCut, best = r.cut, len(s.moves)
				} else if len(s.moves)-best > limit {
					break
				}
				work += 2 * (g.xadj[v+1] - g.xadj[v])
				for e := g.xadj[v]; e < g.xadj[v+1]; e++ {
					u := g.adj[e]
					if s.locked[u] {
						continue
					}
					switch {
					case r.ed[u] == 0:
						s.q.remove(u)
					case s.q.contains(u):
						s.q.update(u, int64(r.ed[u]-r.id[u]))
					default:
						s.q.push(u, int64(r.ed[u]-r.id[u]))
					}
				}
			}
			s.q.clear()
			for i := len(s.moves) - 1; i >= best; i-- {
				m := s.moves[i]
				work += g.xadj[m.v+1] - g.xadj[m.v]
				r.move(m.v, m.from)
			}
		}
		for _, v := range touched {
			s.locked[v] = false
		}
		if negligibleGain(startCut, r.cut) {
			break
		}
	}
}
