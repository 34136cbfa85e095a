package partition

// contract builds the coarse graph of a matching: each matched pair (and
// each unmatched vertex) becomes one coarse vertex numbered in order of its
// smaller fine vertex; parallel edges merge (weights add) and edges inside
// a pair vanish. It returns the coarse graph and the map from g's vertices
// to it. sc (may be nil) holds merge tables reused across calls.
func contract(g *wgraph, match []int32, sc *contractScratch) (*wgraph, []int32) {
	cmap, cn := matchMap(match)
	return contractMap(g, cmap, cn, nil, sc), cmap
}

// matchMap numbers the coarse vertices of a matching in order of their
// smaller fine vertex and returns the map from fine to coarse ids and the
// number of coarse vertices.
func matchMap(match []int32) ([]int32, int) {
	cmap := make([]int32, len(match))
	var cn int32
	for v := range int32(len(match)) {
		if m := match[v]; v <= m {
			cmap[v] = cn
			cmap[m] = cn
			cn++
		}
	}
	return cmap, int(cn)
}

// composeMaps returns the map from level l's vertices to level l+2's:
// up[down[v]].
func composeMaps(down, up []int32) []int32 {
	f := make([]int32, len(down))
	parallelFor(len(down), 1<<14, func(lo, hi int) {
		for v := lo; v < hi; v++ {
			f[v] = up[down[v]]
		}
	})
	return f
}

// contractMap builds the graph in which each fine vertex v becomes coarse
// vertex cmap[v] (every id in [0, cn) used): vertex weights add, parallel
// edges merge (weights add) and edges inside a coarse vertex vanish. A
// coarse vertex lists its neighbours in order of first appearance over its
// members, taken in the order they appear in order (nil: increasing id).
// So a matching contracts as contract does, and the map composed of two
// matchings' maps, with order listing the fine vertices by their id one
// level up (groupByMap), contracts two levels at once into exactly the
// graph two contractions give, without building the level between.
//
// It runs in parallel over fixed chunks of coarse vertices, so the result
// is independent of the number of goroutines. Two passes: the first counts
// each coarse vertex's distinct neighbours, the second writes them straight
// into the exactly sized coarse arrays. Merging twice costs less than an
// upper-bound-sized temporary copy of the adjacency, which would be the
// peak of a large run's memory and most of the bytes a small run
// allocates.
func contractMap(g *wgraph, cmap []int32, cn int, order []int32, sc *contractScratch) *wgraph {
	if sc == nil {
		sc = new(contractScratch)
	}
	mptr, members := groupByMap(cmap, cn, order)
	cg := &wgraph{vw: make([]int32, cn), tvw: g.tvw}
	const chunk = 1 << 12
	nw := workers(cn, chunk)
	sc.reserve(nw)
	deg := make([]int64, cn+1)
	parallelForW(cn, chunk, func(w, lo, hi int) {
		for c := lo; c < hi; c++ {
			var vw int32
			for _, x := range members[mptr[c]:mptr[c+1]] {
				vw += g.vw[x]
			}
			cg.vw[c] = vw
		}
		countCoarse(g, cmap, mptr, members, sc.table(w, cn), deg, lo, hi)
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
		fillCoarse(g, cg, cmap, mptr, members, sc.table(w, cn), lo, hi)
	})
	return cg
}

// groupByMap lists the fine vertices of every coarse vertex: those of c
// are members[mptr[c]:mptr[c+1]], in the order they appear in order (nil:
// increasing id). A counting sort.
func groupByMap(cmap []int32, cn int, order []int32) (mptr, members []int32) {
	mptr = make([]int32, cn+1)
	for _, c := range cmap {
		mptr[c+1]++
	}
	for c := range cn {
		mptr[c+1] += mptr[c]
	}
	members = make([]int32, len(cmap))
	if order == nil {
		for v, c := range cmap {
			members[mptr[c]] = int32(v)
			mptr[c]++
		}
	} else {
		for _, v := range order {
			c := cmap[v]
			members[mptr[c]] = v
			mptr[c]++
		}
	}
	// mptr[c] now holds the start of c+1: shift back.
	copy(mptr[1:], mptr[:cn])
	mptr[0] = 0
	return mptr, members
}

// countCoarse sets deg[c+1] to the number of distinct coarse neighbours
// of each coarse vertex c in [lo, hi). table[cu] == c marks cu as seen
// for c, so the table needs no reset between coarse vertices (it must
// hold no id in [lo, hi) on entry: -1 or ids of earlier chunks).
func countCoarse(g *wgraph, cmap, mptr, members, table []int32, deg []int64, lo, hi int) {
	xadj, adj := g.xadj, g.adj
	for c := lo; c < hi; c++ {
		ci := int32(c)
		table[ci] = ci // edges inside c vanish
		var k int64
		for _, x := range members[mptr[c]:mptr[c+1]] {
			for _, u := range adj[xadj[x]:xadj[x+1]] {
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
func fillCoarse(g *wgraph, cg *wgraph, cmap, mptr, members, table []int32, lo, hi int) {
	xadj, adj, adjw := g.xadj, g.adj, g.adjw
	for c := lo; c < hi; c++ {
		ci := int32(c)
		base := cg.xadj[c]
		out, outw := cg.adj[base:cg.xadj[c+1]], cg.adjw[base:cg.xadj[c+1]]
		k := int32(0)
		for _, x := range members[mptr[c]:mptr[c+1]] {
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

// table returns worker w's table with at least cn entries, all -1. A
// table more than four times too long (levels shrink about twofold) is
// replaced, so that the first coarse level's tables are not held to the
// end of coarsening.
func (sc *contractScratch) table(w, cn int) []int32 {
	if t := len(sc.tables[w]); t < cn || t > 4*cn && t > 1<<16 {
		t := make([]int32, cn)
		for i := range t {
			t[i] = -1
		}
		sc.tables[w] = t
	}
	return sc.tables[w][:cn]
}
