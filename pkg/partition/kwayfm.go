package partition

import (
	"math/rand/v2"
	"slices"
)

// fmDegreeCap keeps vertices of higher degree out of k-way FM: their gain
// is recomputed whenever a neighbour moves, which would cost too much.
const fmDegreeCap = 256

// bestMove returns v's best target part and the gain of moving there, or
// -1 when v fits nowhere else. conn/touched must hold v's connectivity.
func (r *kway) bestMove(v int32) (int32, int32) {
	b := r.bestTarget(v)
	if b < 0 {
		return -1, 0
	}
	return b, r.conn[b] - r.conn[r.part[v]]
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
// keyed by best-move gain starts with the seed and grows with the
// boundary neighbours of moved vertices; moves may lose cut (hill
// climbing) but never break the balance limit; after `limit` moves
// without a new best the search stops and moves after the best are
// undone. Every vertex moves at most once per pass.
func (r *kway) localFM(passes, limit int, rng *rand.Rand) {
	g := r.g
	n := g.n()
	s := fmScratch{q: newPQ(n), locked: make([]bool, n)}
	deg := func(v int32) int64 { return g.xadj[v+1] - g.xadj[v] }
	var seeds []int32
	for pass := 0; pass < passes; pass++ {
		startCut := r.cut
		seeds = append(seeds[:0], r.bnd...)
		slices.Sort(seeds)
		for i := len(seeds) - 1; i > 0; i-- {
			j := rng.IntN(i + 1)
			seeds[i], seeds[j] = seeds[j], seeds[i]
		}
		var touched []int32
		for _, seed := range seeds {
			if s.locked[seed] || r.ed[seed] == 0 || deg(seed) > fmDegreeCap {
				continue
			}
			r.gather(seed)
			_, gain := r.bestMove(seed)
			b := r.bestTarget(seed)
			r.release()
			if b < 0 {
				continue
			}
			s.q.push(seed, int64(gain))
			s.moves = s.moves[:0]
			bestCut, best := r.cut, 0
			for s.q.len() > 0 {
				v := s.q.pop()
				a := r.part[v]
				if r.pw[a] == int64(g.vw[v]) {
					continue
				}
				r.gather(v)
				b := r.bestTarget(v)
				if b < 0 {
					r.release()
					continue
				}
				r.move(v, b)
				r.release()
				s.locked[v] = true
				touched = append(touched, v)
				s.moves = append(s.moves, fmMove{v, a})
				if r.cut < bestCut {
					bestCut, best = r.cut, len(s.moves)
				} else if len(s.moves)-best > limit {
					break
				}
				for e := g.xadj[v]; e < g.xadj[v+1]; e++ {
					u := g.adj[e]
					if s.locked[u] || deg(u) > fmDegreeCap {
						continue
					}
					if r.ed[u] == 0 {
						s.q.remove(u)
						continue
					}
					r.gather(u)
					bu, gu := r.bestMove(u)
					r.release()
					switch {
					case bu < 0:
						s.q.remove(u)
					case s.q.contains(u):
						s.q.update(u, int64(gu))
					default:
						s.q.push(u, int64(gu))
					}
				}
			}
			s.q.clear()
			for i := len(s.moves) - 1; i >= best; i-- {
				m := s.moves[i]
				r.gather(m.v)
				if r.conn[m.from] == 0 {
					r.touched = append(r.touched, m.from)
				}
				r.move(m.v, m.from)
				r.release()
			}
		}
		for _, v := range touched {
			s.locked[v] = false
		}
		if r.cut >= startCut {
			break
		}
	}
}
