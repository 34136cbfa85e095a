package partition

import (
	"math/rand/v2"
	"slices"
)

// kway is the state of a k-way partition of one level during refinement:
// each vertex's part, its internal (id) and external (ed) weighted degree,
// for every boundary vertex (ed > 0) the list of the other parts it is
// connected to with the weight of those connections (METIS's "ckrinfo"),
// the boundary set and the part weights. Moves keep all of it current, so
// finding a vertex's best target costs the length of its list, not its
// degree.
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

	// The neighbour-part list of v is pool[nstart[v] : nstart[v]+nn[v]]
	// (nstart -1: no slot yet). A slot holds min(degree, k-1) entries and
	// is given to a vertex the first time it needs one.
	nstart []int32
	nn     []int32
	pool   []nbr
}

// nbr is one entry of a neighbour-part list: part p holds neighbours of
// the vertex joined to it by total edge weight c > 0.
type nbr struct{ p, c int32 }

func newKway(g *wgraph, k int, part []int32, maxpw []int64) *kway {
	n := g.n()
	r := &kway{g: g, k: k, part: part, id: make([]int32, n), ed: make([]int32, n),
		bndPos: make([]int32, n), pw: make([]int64, k), maxpw: maxpw,
		nstart: make([]int32, n), nn: make([]int32, n)}
	const chunk = 1 << 13
	parallelFor(n, chunk, func(lo, hi int) {
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
	var cut, slots int64
	for v := 0; v < n; v++ {
		r.pw[part[v]] += int64(g.vw[v])
		r.bndPos[v] = -1
		r.nstart[v] = -1
		if r.ed[v] > 0 {
			r.bndPos[v] = int32(len(r.bnd))
			r.bnd = append(r.bnd, int32(v))
			cut += int64(r.ed[v])
			r.nstart[v] = int32(slots)
			slots += int64(r.slotSize(int32(v)))
		}
	}
	r.cut = cut / 2
	r.pool = make([]nbr, slots, slots+slots/4+16)
	// Fill the lists of the boundary vertices in parallel, each worker
	// gathering connectivity in its own dense table.
	tables := make([][]int32, workers(len(r.bnd), chunk))
	parallelForW(len(r.bnd), chunk, func(w, lo, hi int) {
		conn := tables[w]
		if conn == nil {
			conn = make([]int32, k)
			tables[w] = conn
		}
		for _, v := range r.bnd[lo:hi] {
			pv := part[v]
			s := r.nstart[v]
			m := int32(0)
			for e := g.xadj[v]; e < g.xadj[v+1]; e++ {
				p := part[g.adj[e]]
				if p == pv {
					continue
				}
				if conn[p] == 0 {
					r.pool[s+m].p = p
					m++
				}
				conn[p] += g.w(e)
			}
			for i := s; i < s+m; i++ {
				r.pool[i].c = conn[r.pool[i].p]
				conn[r.pool[i].p] = 0
			}
			r.nn[v] = m
		}
	})
	return r
}

func (r *kway) slotSize(v int32) int32 {
	return int32(min(r.g.xadj[v+1]-r.g.xadj[v], int64(r.k-1)))
}

// nbrs returns v's neighbour-part list (parts other than its own).
func (r *kway) nbrs(v int32) []nbr {
	s := r.nstart[v]
	if s < 0 {
		return nil
	}
	return r.pool[s : s+r.nn[v]]
}

// conn returns v's connectivity to part p (p not v's own part).
func (r *kway) conn(v, p int32) int32 {
	for _, x := range r.nbrs(v) {
		if x.p == p {
			return x.c
		}
	}
	return 0
}

// addConn adds w to u's connectivity to part p (not u's own part).
func (r *kway) addConn(u, p, w int32) {
	s := r.nstart[u]
	if s < 0 {
		s = int32(len(r.pool))
		r.nstart[u] = s
		r.pool = append(r.pool, make([]nbr, r.slotSize(u))...)
	}
	l := r.pool[s : s+r.nn[u]]
	for i := range l {
		if l[i].p == p {
			l[i].c += w
			return
		}
	}
	r.pool[s+r.nn[u]] = nbr{p, w}
	r.nn[u]++
}

// subConn removes w from u's connectivity to part p, dropping the entry
// when it reaches zero.
func (r *kway) subConn(u, p, w int32) {
	s := r.nstart[u]
	l := r.pool[s : s+r.nn[u]]
	for i := range l {
		if l[i].p == p {
			if l[i].c -= w; l[i].c == 0 {
				l[i] = l[len(l)-1]
				r.nn[u]--
			}
			return
		}
	}
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

// move moves v to part b and updates the degrees, neighbour-part lists
// and boundary status of v and its neighbours.
func (r *kway) move(v int32, b int32) {
	g := r.g
	a := r.part[v]
	cb, ia := r.conn(v, b), r.id[v]
	r.cut -= int64(cb - ia)
	vw := int64(g.vw[v])
	r.pw[a] -= vw
	r.pw[b] += vw
	r.part[v] = b
	total := r.id[v] + r.ed[v]
	r.id[v] = cb
	r.ed[v] = total - cb
	if cb > 0 {
		r.subConn(v, b, cb)
	}
	if ia > 0 {
		r.addConn(v, a, ia)
	}
	r.setBoundary(v)
	for e := g.xadj[v]; e < g.xadj[v+1]; e++ {
		u := g.adj[e]
		w := g.w(e)
		switch r.part[u] {
		case a:
			r.id[u] -= w
			r.ed[u] += w
			r.addConn(u, b, w)
			r.setBoundary(u)
		case b:
			r.id[u] += w
			r.ed[u] -= w
			r.subConn(u, a, w)
			r.setBoundary(u)
		default:
			r.subConn(u, a, w)
			r.addConn(u, b, w)
		}
	}
}

// bestTarget returns the part other than v's own with the largest
// connectivity among those v fits in (ties: the lighter part) and that
// connectivity, or -1.
func (r *kway) bestTarget(v int32) (int32, int32) {
	vw := int64(r.g.vw[v])
	best, bc := int32(-1), int32(0)
	for _, x := range r.nbrs(v) {
		p := x.p
		if r.pw[p]+vw > r.maxpw[p] {
			continue
		}
		if best < 0 || x.c > bc || (x.c == bc && r.pw[p] < r.pw[best]) {
			best, bc = p, x.c
		}
	}
	return best, bc
}

// bestTargetSlack is bestTarget where a part may exceed its limit by
// slack times the gain of the move.
func (r *kway) bestTargetSlack(v int32, slack float64) (int32, int32) {
	vw := int64(r.g.vw[v])
	ia := r.id[v]
	best, bc := int32(-1), int32(0)
	for _, x := range r.nbrs(v) {
		p := x.p
		gain := x.c - ia
		if r.pw[p]+vw > r.maxpw[p]+int64(slack*float64(max(gain, 0))) {
			continue
		}
		if best < 0 || x.c > bc || (x.c == bc && r.pw[p] < r.pw[best]) {
			best, bc = p, x.c
		}
	}
	return best, bc
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
		if b, cb := r.bestTarget(v); b >= 0 {
			cs = append(cs, cand{v, cb - r.id[v]})
		}
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
		if b, _ := r.bestTarget(c.v); b >= 0 {
			r.move(c.v, b)
		}
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
		r.move(v, light)
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
	r.maybeLocalFM(rng)
	if finest && r.overweight() {
		r.balance()
		r.greedy(niter, rng, 0)
		r.maybeLocalFM(rng)
	}
}

// fmMaxVertices: k-way FM refines only levels of at most this many
// vertices. On the finest levels of large graphs one FM pass costs more
// than the rest of the level together (grid 1000x1000, k = 128: 0.8 s of
// 1.5 s with FM on every level) while gaining 1-3% of cut, most of which
// the coarser levels already won (with this limit: 0.75 s, cut +2.5%).
const fmMaxVertices = 150_000

func (r *kway) maybeLocalFM(rng *rand.Rand) {
	if r.g.n() <= fmMaxVertices {
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
