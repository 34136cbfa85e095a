package partition

import (
	"math/rand/v2"
	"slices"
)

// kway is the state of a k-way partition of one level during refinement:
// each vertex's part, its internal (id) and external (ed) weighted degree,
// the boundary set (vertices with ed > 0) and the part weights.
type kway struct {
	g      *wgraph
	k      int
	part   []int32
	id, ed []int32
	bnd    []int32 // boundary vertices
	bndPos []int32 // slot in bnd, or -1
	pw     []int64
	maxpw  []int64
	cut    int64

	conn    []int32 // per-part connectivity scratch, all zero between uses
	touched []int32
}

func newKway(g *wgraph, k int, part []int32, maxpw []int64) *kway {
	n := g.n()
	r := &kway{g: g, k: k, part: part, id: make([]int32, n), ed: make([]int32, n),
		bndPos: make([]int32, n), pw: make([]int64, k), maxpw: maxpw,
		conn: make([]int32, k), touched: make([]int32, 0, 64)}
	parallelFor(n, 1<<13, func(lo, hi int) {
		for v := lo; v < hi; v++ {
			pv := part[v]
			var id, ed int32
			for e := g.xadj[v]; e < g.xadj[v+1]; e++ {
				if part[g.adj[e]] == pv {
					id += g.w(e)
				} else {
					ed += g.w(e)
				}
			}
			r.id[v], r.ed[v] = id, ed
		}
	})
	var cut int64
	for v := 0; v < n; v++ {
		r.pw[part[v]] += int64(g.vw[v])
		r.bndPos[v] = -1
		if r.ed[v] > 0 {
			r.bndPos[v] = int32(len(r.bnd))
			r.bnd = append(r.bnd, int32(v))
			cut += int64(r.ed[v])
		}
	}
	r.cut = cut / 2
	return r
}

func (r *kway) setBoundary(v int32) {
	in := r.bndPos[v] >= 0
	if r.ed[v] > 0 && !in {
		r.bndPos[v] = int32(len(r.bnd))
		r.bnd = append(r.bnd, v)
	} else if r.ed[v] == 0 && in {
		i := r.bndPos[v]
		last := r.bnd[len(r.bnd)-1]
		r.bnd[i] = last
		r.bndPos[last] = i
		r.bnd = r.bnd[:len(r.bnd)-1]
		r.bndPos[v] = -1
	}
}

// gather fills conn/touched with v's connectivity to every part it
// touches (its own part included). Call release after.
func (r *kway) gather(v int32) {
	g := r.g
	for e := g.xadj[v]; e < g.xadj[v+1]; e++ {
		p := r.part[g.adj[e]]
		if r.conn[p] == 0 {
			r.touched = append(r.touched, p)
		}
		r.conn[p] += g.w(e)
	}
}

func (r *kway) release() {
	for _, p := range r.touched {
		r.conn[p] = 0
	}
	r.touched = r.touched[:0]
}

// move moves v to part b (conn must hold v's connectivity) and updates
// the degrees and boundary status of v and its neighbours.
func (r *kway) move(v int32, b int32) {
	g := r.g
	a := r.part[v]
	r.cut -= int64(r.conn[b] - r.conn[a])
	vw := int64(g.vw[v])
	r.pw[a] -= vw
	r.pw[b] += vw
	r.part[v] = b
	total := r.id[v] + r.ed[v]
	r.id[v] = r.conn[b]
	r.ed[v] = total - r.conn[b]
	r.setBoundary(v)
	for e := g.xadj[v]; e < g.xadj[v+1]; e++ {
		u := g.adj[e]
		w := g.w(e)
		switch r.part[u] {
		case a:
			r.id[u] -= w
			r.ed[u] += w
			r.setBoundary(u)
		case b:
			r.id[u] += w
			r.ed[u] -= w
			r.setBoundary(u)
		}
	}
}

// bestTarget returns the part other than v's own with the largest
// connectivity among those v fits in (ties: the lighter part), or -1.
func (r *kway) bestTarget(v int32) int32 {
	a := r.part[v]
	vw := int64(r.g.vw[v])
	best := int32(-1)
	for _, p := range r.touched {
		if p == a || r.pw[p]+vw > r.maxpw[p] {
			continue
		}
		if best < 0 || r.conn[p] > r.conn[best] || (r.conn[p] == r.conn[best] && r.pw[p] < r.pw[best]) {
			best = p
		}
	}
	return best
}

// bestTargetSlack is bestTarget where a part may exceed its limit by
// slack times the gain of the move.
func (r *kway) bestTargetSlack(v int32, slack float64) int32 {
	a := r.part[v]
	vw := int64(r.g.vw[v])
	best := int32(-1)
	for _, p := range r.touched {
		if p == a {
			continue
		}
		gain := r.conn[p] - r.conn[a]
		if r.pw[p]+vw > r.maxpw[p]+int64(slack*float64(max(gain, 0))) {
			continue
		}
		if best < 0 || r.conn[p] > r.conn[best] || (r.conn[p] == r.conn[best] && r.pw[p] < r.pw[best]) {
			best = p
		}
	}
	return best
}

// greedy runs up to niter passes of greedy boundary refinement: every
// boundary vertex that could gain (ed >= id) is visited in random order and
// moved to its best-connected part if that lowers the cut, or keeps it
// and improves balance. A pass that moves less than a thousandth of the
// vertices ends the refinement.
//
// With slack > 0 a move of positive gain may also overload its target,
// by up to slack times the gain (METIS's "fudge factor" idea): on
// power-law graphs such moves win far more cut than the balance pass that
// must follow gives back.
func (r *kway) greedy(niter int, rng *rand.Rand, slack float64) {
	g := r.g
	var cand []int32
	for it := 0; it < niter; it++ {
		cand = cand[:0]
		for _, v := range r.bnd {
			if r.ed[v] >= r.id[v] {
				cand = append(cand, v)
			}
		}
		slices.Sort(cand) // bnd order depends on history; make visits reproducible
		for i := len(cand) - 1; i > 0; i-- {
			j := rng.IntN(i + 1)
			cand[i], cand[j] = cand[j], cand[i]
		}
		moves := 0
		startCut := r.cut
		for i, v := range cand {
			if r.ed[v] < r.id[v] {
				continue
			}
			a := r.part[v]
			if r.pw[a] == int64(g.vw[v]) {
				continue // never empty a part
			}
			r.gather(v)
			b := r.bestTarget(v)
			if slack > 0 {
				b = r.bestTargetSlack(v, slack)
			}
			if b >= 0 {
				gain := r.conn[b] - r.conn[a]
				vw := int64(g.vw[v])
				// Zero-gain moves are taken when they help balance and, on
				// every other candidate, anyway (into a part with room): a
				// walk on the plateau that lets later moves gain.
				zeroOK := r.pw[b]+vw < r.pw[a] || r.pw[a] > r.maxpw[a] || (i%2 == 0 && r.pw[b]+vw <= r.maxpw[b])
				if gain > 0 || (gain == 0 && zeroOK) {
					r.move(v, b)
					moves++
				}
			}
			r.release()
		}
		if moves == 0 || r.cut == startCut {
			break
		}
	}
}

// overweight reports whether any part is above its limit.
func (r *kway) overweight() bool {
	for i, w := range r.pw {
		if w > r.maxpw[i] {
			return true
		}
	}
	return false
}

// balance moves vertices out of parts above their limit: boundary vertices
// first, those whose move costs least cut first, to the best-connected part
// with room; then, if a part is still too heavy, any of its vertices to the
// lightest part with room.
func (r *kway) balance() {
	g := r.g
	type cand struct {
		v    int32
		gain int32
	}
	var cs []cand
	for _, v := range r.bnd {
		a := r.part[v]
		if r.pw[a] <= r.maxpw[a] {
			continue
		}
		r.gather(v)
		if b := r.bestTarget(v); b >= 0 {
			cs = append(cs, cand{v, r.conn[b] - r.conn[a]})
		}
		r.release()
	}
	slices.SortFunc(cs, func(x, y cand) int {
		if x.gain != y.gain {
			return int(y.gain - x.gain)
		}
		return int(x.v - y.v)
	})
	for _, c := range cs {
		a := r.part[c.v]
		if r.pw[a] <= r.maxpw[a] || r.pw[a] == int64(g.vw[c.v]) {
			continue
		}
		r.gather(c.v)
		if b := r.bestTarget(c.v); b >= 0 {
			r.move(c.v, b)
		}
		r.release()
	}
	if !r.overweight() {
		return
	}
	for v := int32(0); v < int32(g.n()); v++ {
		a := r.part[v]
		if r.pw[a] <= r.maxpw[a] || r.pw[a] == int64(g.vw[v]) {
			continue
		}
		light := int32(-1)
		for p := range r.pw {
			if int32(p) != a && r.pw[p]+int64(g.vw[v]) <= r.maxpw[p] && (light < 0 || r.pw[p] < r.pw[light]) {
				light = int32(p)
			}
		}
		if light < 0 {
			continue
		}
		r.gather(v)
		if r.conn[light] == 0 {
			r.touched = append(r.touched, light)
		}
		r.move(v, light)
		r.release()
	}
}

// slackFactor lets a positive-gain greedy move overload its target part
// by up to this many vertex-weight units per unit of gain (METIS's
// "fudge factor" for cut refinement is 5). Overloads are repaired by the
// balance passes of the finer levels and the final level.
const slackFactor = 5.0

// refine improves the cut of one level. Greedy moves may overload parts
// (see slackFactor); on the finer half of the levels, a part more than 2%
// above its limit is rebalanced first, and on the finest level the result
// is always brought within the limits and refined once more under them.
func (r *kway) refine(niter int, rng *rand.Rand, late, finest bool) {
	if late && r.overweightBy(0.02) {
		r.balance()
	}
	r.greedy(niter, rng, slackFactor)
	r.localFM(2, 50, rng)
	if finest && r.overweight() {
		r.balance()
		r.greedy(niter, rng, 0)
		r.localFM(2, 50, rng)
	}
}

// overweightBy reports whether a part exceeds its limit by more than the
// fraction f.
func (r *kway) overweightBy(f float64) bool {
	for i, w := range r.pw {
		if float64(w) > (1+f)*float64(r.maxpw[i]) {
			return true
		}
	}
	return false
}
