package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// Brute-force references the graph checks compare stores against.

// randomEdges returns a random COO edge index with shuffled edge ids,
// optional weights and timestamps, and some parallel edges and self loops.
func randomEdges(r *rand.Rand, n, m int, weighted, timed bool) store.EdgeIndex {
	c := graph.COO{NumNodes: n, Src: make([]int32, m), Dst: make([]int32, m), EdgeID: make([]int64, m)}
	perm := r.Perm(m)
	for e := 0; e < m; e++ {
		c.Src[e] = int32(r.IntN(n))
		// Skewed destinations: a few hubs with many in-edges.
		if r.IntN(4) == 0 {
			c.Dst[e] = int32(r.IntN(min(n, 5)))
		} else {
			c.Dst[e] = int32(r.IntN(n))
		}
		c.EdgeID[e] = int64(perm[e]) * 3 // ids need not be dense
	}
	if m > 3 {
		c.Src[1], c.Dst[1] = c.Src[0], c.Dst[0] // parallel edge
		c.Src[2] = c.Dst[2]                     // self loop
	}
	ei := store.FromCOO(c)
	if weighted {
		ei.COO.Weight = make([]float32, m)
		for e := range ei.COO.Weight {
			ei.COO.Weight[e] = r.Float32()
		}
	}
	if timed {
		ei.Time = make([]int64, m)
		for e := range ei.Time {
			ei.Time[e] = r.Int64N(1e9)
		}
	}
	return ei
}

// inEdge is one in-neighbour entry of the brute-force reference.
type inEdge struct {
	src  int32
	id   int64
	w    float32
	time int64
}

// bruteIn lists, per node, its in-edges in put order, by scanning the
// index in the order its layout defines (COO positions, or compressed
// entries).
func bruteIn(ei store.EdgeIndex) [][]inEdge {
	n := ei.NumNodes()
	in := make([][]inEdge, n)
	add := func(pos int, src, dst int32, id int64, w []float32) {
		e := inEdge{src: src, id: id, w: 1}
		if w != nil {
			e.w = w[pos]
		}
		if ei.Time != nil {
			e.time = ei.Time[pos]
		}
		in[dst] = append(in[dst], e)
	}
	switch ei.Layout {
	case store.COO:
		c := ei.COO
		for e := range c.Src {
			add(e, c.Src[e], c.Dst[e], c.ID(int64(e)), c.Weight)
		}
	case store.CSR, store.CSC:
		c := ei.Compressed
		for v := 0; v < c.NumNodes; v++ {
			for k := c.Indptr[v]; k < c.Indptr[v+1]; k++ {
				if ei.Layout == store.CSR {
					add(int(k), int32(v), c.Indices[k], c.ID(k), c.Weight)
				} else {
					add(int(k), c.Indices[k], int32(v), c.ID(k), c.Weight)
				}
			}
		}
	}
	return in
}

// compareAdj checks adj against the reference for nodes; "" if equal.
func compareAdj(nodes []int32, adj *graph.Adjacency, ref [][]inEdge) string {
	if adj.Len() != len(nodes) {
		return fmt.Sprintf("answer has %d nodes, want %d", adj.Len(), len(nodes))
	}
	weighted := len(adj.Weight) > 0
	timed := len(adj.Time) > 0
	for i, v := range nodes {
		got := adj.Of(i)
		want := ref[v]
		if len(got) != len(want) {
			return fmt.Sprintf("node %d (query %d): %d neighbours, want %d", v, i, len(got), len(want))
		}
		for j, e := range want {
			k := adj.Indptr[i] + int64(j)
			if adj.Nbrs[k] != e.src || adj.EdgeID[k] != e.id ||
				(weighted && adj.Weight[k] != e.w) || (timed && adj.Time[k] != e.time) {
				return fmt.Sprintf("node %d entry %d: got (src %d, id %d), want (src %d, id %d, w %v, t %d)",
					v, j, adj.Nbrs[k], adj.EdgeID[k], e.src, e.id, e.w, e.time)
			}
		}
	}
	return ""
}

// equalIndex compares two edge indexes field by field.
func equalIndex(a, b store.EdgeIndex) string {
	if a.Layout != b.Layout || a.NumNodes() != b.NumNodes() || a.NumEdges() != b.NumEdges() {
		return fmt.Sprintf("layout/size differ: %v %d/%d vs %v %d/%d", a.Layout, a.NumNodes(), a.NumEdges(), b.Layout, b.NumNodes(), b.NumEdges())
	}
	if !slices.Equal(a.Time, b.Time) {
		return "times differ"
	}
	if a.Layout == store.COO {
		x, y := a.COO, b.COO
		switch {
		case !slices.Equal(x.Src, y.Src) || !slices.Equal(x.Dst, y.Dst):
			return "coo endpoints differ"
		case !slices.Equal(x.EdgeID, y.EdgeID):
			return "coo edge ids differ"
		case !slices.Equal(x.Weight, y.Weight):
			return "coo weights differ"
		}
		return ""
	}
	x, y := a.Compressed, b.Compressed
	switch {
	case !slices.Equal(x.Indptr, y.Indptr):
		return "indptr differs"
	case !slices.Equal(x.Indices, y.Indices):
		return "indices differ"
	case !slices.Equal(x.EdgeID, y.EdgeID):
		return "edge ids differ"
	case !slices.Equal(x.Weight, y.Weight):
		return "weights differ"
	}
	return ""
}

// sortedCOO returns the COO edges of ei sorted by edge id (stable), the
// documented order of GetEdges(COO).
func sortedCOO(ei store.EdgeIndex) store.EdgeIndex {
	c := ei.COO
	m := len(c.Src)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmpInt64(c.ID(int64(a)), c.ID(int64(b)))
	})
	out := graph.COO{NumNodes: c.NumNodes, Src: make([]int32, m), Dst: make([]int32, m), EdgeID: make([]int64, m)}
	res := store.EdgeIndex{Layout: store.COO}
	if c.Weight != nil {
		out.Weight = make([]float32, m)
	}
	if ei.Time != nil {
		res.Time = make([]int64, m)
	}
	for i, e := range order {
		out.Src[i], out.Dst[i], out.EdgeID[i] = c.Src[e], c.Dst[e], c.ID(int64(e))
		if c.Weight != nil {
			out.Weight[i] = c.Weight[e]
		}
		if ei.Time != nil {
			res.Time[i] = ei.Time[e]
		}
	}
	res.COO = out
	return res
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// bruteCompressed builds the CSR (byDst false) or CSC (byDst true) of a COO
// index by brute force, in the documented orders of GetEdges: entries of a
// destination in COO order, entries of a source by edge id.
func bruteCompressed(ei store.EdgeIndex, byDst bool) store.EdgeIndex {
	c := ei.COO
	n := c.NumNodes
	out := graph.Compressed{NumNodes: n, Indptr: make([]int64, n+1)}
	res := store.EdgeIndex{Layout: store.CSR}
	if byDst {
		res.Layout = store.CSC
	}
	if c.Weight != nil {
		out.Weight = []float32{}
	}
	if ei.Time != nil {
		res.Time = []int64{}
	}
	out.Indices, out.EdgeID = []int32{}, []int64{}
	order := make([]int, len(c.Src)) // CSR: by edge id; CSC: put order
	for i := range order {
		order[i] = i
	}
	if !byDst {
		slices.SortStableFunc(order, func(a, b int) int { return cmpInt64(c.ID(int64(a)), c.ID(int64(b))) })
	}
	for v := 0; v < n; v++ {
		for _, e := range order {
			major, minor := c.Src[e], c.Dst[e]
			if byDst {
				major, minor = minor, major
			}
			if int(major) != v {
				continue
			}
			out.Indices = append(out.Indices, minor)
			out.EdgeID = append(out.EdgeID, c.ID(int64(e)))
			if c.Weight != nil {
				out.Weight = append(out.Weight, c.Weight[e])
			}
			if ei.Time != nil {
				res.Time = append(res.Time, ei.Time[e])
			}
		}
		out.Indptr[v+1] = int64(len(out.Indices))
	}
	res.Compressed = out
	return res
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func randomNodes(r *rand.Rand, n, count int) []int32 {
	nodes := make([]int32, count)
	for i := range nodes {
		nodes[i] = int32(r.IntN(n))
	}
	if count > 2 {
		nodes[1] = nodes[0] // a duplicate
	}
	return nodes
}
