package partition

import (
	"fmt"
	"math"
)

// Validate checks the input contract and names the first offending vertex
// or entry: offsets, ids in range, no self loops, positive edge weights,
// non-negative vertex weights, totals that fit the partitioner's 32-bit
// weights, and symmetry. Errors wrap ErrInvalidGraph.
func (g *Graph) Validate() error {
	if _, msg := g.check(0); msg != "" {
		return fmt.Errorf("partition: %w: %s", ErrInvalidGraph, msg)
	}
	return nil
}

// check is Validate's work: it returns the offending vertex (-1 when the
// problem is not one vertex's) and a message printing vertex ids plus
// base (1 for METIS files), or "" for a valid graph. The per-vertex checks
// run in parallel over fixed chunks; the lowest offending vertex is
// reported.
func (g *Graph) check(base int) (int, string) {
	if len(g.Xadj) == 0 {
		return -1, "empty Xadj (need n+1 offsets)"
	}
	n := len(g.Xadj) - 1
	if n > math.MaxInt32-1 {
		return -1, fmt.Sprintf("%d vertices exceed the int32 id range", n)
	}
	if g.Xadj[0] != 0 {
		return -1, fmt.Sprintf("Xadj[0] = %d, want 0", g.Xadj[0])
	}
	if g.Xadj[n] != int64(len(g.Adjncy)) {
		return -1, fmt.Sprintf("Xadj[%d] = %d but %d adjacency entries", n, g.Xadj[n], len(g.Adjncy))
	}
	if g.VWgt != nil && len(g.VWgt) != n {
		return -1, fmt.Sprintf("%d vertex weights for %d vertices", len(g.VWgt), n)
	}
	if g.EWgt != nil && len(g.EWgt) != len(g.Adjncy) {
		return -1, fmt.Sprintf("%d edge weights for %d adjacency entries", len(g.EWgt), len(g.Adjncy))
	}
	// Offsets first: the chunks below slice Adjncy by them.
	for v := 0; v < n; v++ {
		if g.Xadj[v+1] < g.Xadj[v] {
			return v, fmt.Sprintf("vertex %d: offsets decrease (%d > %d)", v+base, g.Xadj[v], g.Xadj[v+1])
		}
	}
	const chunk = 1 << 14
	type result struct {
		bad      int
		msg      string
		tvw, tew int64
		sym      uint64
	}
	res := make([]result, (n+chunk-1)/chunk)
	parallelFor(n, chunk, func(lo, hi int) {
		r := &res[lo/chunk]
		r.bad = -1
		for v := lo; v < hi; v++ {
			if msg := g.checkVertex(v, base, &r.tvw, &r.tew, &r.sym); msg != "" {
				r.bad, r.msg = v, msg
				return
			}
		}
	})
	var tvw, tew int64
	var sym uint64
	for _, r := range res {
		if r.bad >= 0 {
			return r.bad, r.msg
		}
		tvw += r.tvw
		tew += r.tew
		sym += r.sym
	}
	if tvw > math.MaxInt32 {
		return -1, fmt.Sprintf("total vertex weight %d exceeds %d", tvw, math.MaxInt32)
	}
	if tew > math.MaxInt32 {
		return -1, fmt.Sprintf("total edge weight %d (both directions) exceeds %d", tew, math.MaxInt32)
	}
	if sym != 0 {
		if v, ok := g.asymmetricVertex(); !ok {
			return v, fmt.Sprintf("vertex %d: %s", v+base, g.describeAsymmetry(v, base))
		}
		return -1, "not symmetric: some edge is not listed by both endpoints with the same weight"
	}
	return -1, ""
}

// checkVertex checks v's weight and entries, adds its weights to *tvw and
// *tew and its entries' symmetry fingerprints to *sym, and returns a
// message for the first problem or "".
//
// Symmetry: every entry v -> u (weight w) adds edgeHash(v, u, w) and
// subtracts edgeHash(u, v, w). When every entry is mirrored the terms
// cancel exactly; otherwise the sum is non-zero except by a 64-bit hash
// collision. A global sum needs no per-vertex arrays and splits over
// chunks; asymmetricVertex then finds a vertex to name.
func (g *Graph) checkVertex(v, base int, tvw, tew *int64, sym *uint64) string {
	n := len(g.Xadj) - 1
	if w := g.vw(v); w < 0 {
		return fmt.Sprintf("vertex %d: negative weight %d", v+base, w)
	} else {
		*tvw += w
	}
	s := *sym
	for e := g.Xadj[v]; e < g.Xadj[v+1]; e++ {
		u := g.Adjncy[e]
		if u < 0 || int(u) >= n {
			if base == 0 {
				return fmt.Sprintf("vertex %d: neighbour %d out of range [0, %d)", v, u, n)
			}
			return fmt.Sprintf("vertex %d: neighbour %d out of range [%d, %d]", v+base, int(u)+base, base, n-1+base)
		}
		if int(u) == v {
			return fmt.Sprintf("vertex %d: self loop", v+base)
		}
		w := g.ew(e)
		if w <= 0 {
			return fmt.Sprintf("vertex %d: edge to %d has non-positive weight %d", v+base, int(u)+base, w)
		}
		*tew += w
		if g.EWgt == nil {
			s += mix(uint64(v)<<32|uint64(u)) - mix(uint64(u)<<32|uint64(v))
		} else {
			s += edgeHash(uint32(v), uint32(u), uint32(w)) - edgeHash(uint32(u), uint32(v), uint32(w))
		}
	}
	*sym = s
	return ""
}

// edgeHash fingerprints the directed entry a -> b of weight w (without
// edge weights, mix(a<<32 | b) does).
func edgeHash(a, b, w uint32) uint64 {
	return mix(mix(uint64(a)<<32|uint64(b)) ^ uint64(w))
}

// mix is a 64-bit finaliser (splitmix64) used to fingerprint adjacency.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// asymmetricVertex compares, for every vertex v, a fingerprint of the
// multiset of (neighbour, weight) pairs v lists with that of the pairs
// (u, weight) of vertices u listing v. A symmetric graph always matches; an
// asymmetric one matches only by a 64-bit hash collision. It returns the
// first mismatching vertex and false, or -1 and true. It runs only once
// check's global fingerprint has found the graph asymmetric.
func (g *Graph) asymmetricVertex() (int, bool) {
	n := g.NumNodes()
	diff := make([]uint64, n) // out - in
	for v := 0; v < n; v++ {
		for e := g.Xadj[v]; e < g.Xadj[v+1]; e++ {
			u := g.Adjncy[e]
			w := uint64(g.ew(e)) << 32
			diff[v] += mix(uint64(uint32(u)) | w)
			diff[u] -= mix(uint64(uint32(v)) | w)
		}
	}
	for v, d := range diff {
		if d != 0 {
			return v, false
		}
	}
	return -1, true
}

// describeAsymmetry names an entry of v that its neighbour does not
// mirror, or else a vertex that lists v without v listing it; ids are
// printed plus base (1 for METIS files).
func (g *Graph) describeAsymmetry(v int, base int) string {
	lists := func(x, y int, w int64) bool {
		for f := g.Xadj[x]; f < g.Xadj[x+1]; f++ {
			if int(g.Adjncy[f]) == y && g.ew(f) == w {
				return true
			}
		}
		return false
	}
	for e := g.Xadj[v]; e < g.Xadj[v+1]; e++ {
		u := int(g.Adjncy[e])
		if w := g.ew(e); !lists(u, v, w) {
			return fmt.Sprintf("not symmetric: vertex %d lists %d (weight %d) but %d does not list %d with that weight", v+base, u+base, w, u+base, v+base)
		}
	}
	for u := 0; u < g.NumNodes(); u++ {
		for e := g.Xadj[u]; e < g.Xadj[u+1]; e++ {
			if int(g.Adjncy[e]) == v && !lists(v, u, g.ew(e)) {
				return fmt.Sprintf("not symmetric: vertex %d lists %d (weight %d) but %d does not list %d with that weight", u+base, v+base, g.ew(e), v+base, u+base)
			}
		}
	}
	return fmt.Sprintf("not symmetric: vertex %d is listed more or fewer times than it lists its neighbours", v+base)
}
