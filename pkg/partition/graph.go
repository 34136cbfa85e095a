package partition

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// ErrInvalidGraph marks a graph that breaks the partitioner's input
// contract (ids out of range, self loops, asymmetry, bad weights).
var ErrInvalidGraph = errors.New("invalid graph")

// Graph is an undirected graph in the compressed adjacency form METIS uses:
// the neighbours of vertex v are Adjncy[Xadj[v]:Xadj[v+1]], and every edge
// {u, v} appears twice, once in each endpoint's list, with the same weight.
// There are no self loops. VWgt holds one non-negative weight per vertex and
// EWgt one positive weight per adjacency entry; nil means all ones.
//
// The partitioner never modifies a Graph; it may alias its slices while it
// runs.
type Graph struct {
	Xadj   []int64
	Adjncy []int32
	VWgt   []int32
	EWgt   []int32
}

// NumNodes returns the number of vertices.
func (g *Graph) NumNodes() int { return max(len(g.Xadj)-1, 0) }

// NumEdges returns the number of undirected edges (half the adjacency
// entries).
func (g *Graph) NumEdges() int64 { return int64(len(g.Adjncy)) / 2 }

// TotalVertexWeight returns the sum of the vertex weights.
func (g *Graph) TotalVertexWeight() int64 {
	if g.VWgt == nil {
		return int64(g.NumNodes())
	}
	var s int64
	for _, w := range g.VWgt {
		s += int64(w)
	}
	return s
}

func (g *Graph) vw(v int) int64 {
	if g.VWgt == nil {
		return 1
	}
	return int64(g.VWgt[v])
}

func (g *Graph) ew(e int64) int64 {
	if g.EWgt == nil {
		return 1
	}
	return int64(g.EWgt[e])
}

// Validate checks the input contract and names the first offending vertex
// or entry: offsets, ids in range, no self loops, positive edge weights,
// non-negative vertex weights, totals that fit the partitioner's 32-bit
// weights, and symmetry. Errors wrap ErrInvalidGraph.
func (g *Graph) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("partition: %w: %s", ErrInvalidGraph, fmt.Sprintf(format, args...))
	}
	if len(g.Xadj) == 0 {
		return bad("empty Xadj (need n+1 offsets)")
	}
	n := len(g.Xadj) - 1
	if n > math.MaxInt32-1 {
		return bad("%d vertices exceed the int32 id range", n)
	}
	if g.Xadj[0] != 0 {
		return bad("Xadj[0] = %d, want 0", g.Xadj[0])
	}
	if g.Xadj[n] != int64(len(g.Adjncy)) {
		return bad("Xadj[%d] = %d but %d adjacency entries", n, g.Xadj[n], len(g.Adjncy))
	}
	if g.VWgt != nil && len(g.VWgt) != n {
		return bad("%d vertex weights for %d vertices", len(g.VWgt), n)
	}
	if g.EWgt != nil && len(g.EWgt) != len(g.Adjncy) {
		return bad("%d edge weights for %d adjacency entries", len(g.EWgt), len(g.Adjncy))
	}
	var tvw, tew int64
	for v := 0; v < n; v++ {
		if g.Xadj[v+1] < g.Xadj[v] {
			return bad("vertex %d: offsets decrease (%d > %d)", v, g.Xadj[v], g.Xadj[v+1])
		}
		if w := g.vw(v); w < 0 {
			return bad("vertex %d: negative weight %d", v, w)
		} else {
			tvw += w
		}
		for e := g.Xadj[v]; e < g.Xadj[v+1]; e++ {
			u := g.Adjncy[e]
			if u < 0 || int(u) >= n {
				return bad("vertex %d: neighbour %d out of range [0, %d)", v, u, n)
			}
			if int(u) == v {
				return bad("vertex %d: self loop", v)
			}
			w := g.ew(e)
			if w <= 0 {
				return bad("vertex %d: edge to %d has non-positive weight %d", v, u, w)
			}
			tew += w
		}
	}
	if tvw > math.MaxInt32 {
		return bad("total vertex weight %d exceeds %d", tvw, math.MaxInt32)
	}
	if tew > math.MaxInt32 {
		return bad("total edge weight %d (both directions) exceeds %d", tew, math.MaxInt32)
	}
	if v, ok := g.asymmetricVertex(); !ok {
		return bad("%s", g.describeAsymmetry(v, 0))
	}
	return nil
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
// first mismatching vertex and false, or -1 and true.
func (g *Graph) asymmetricVertex() (int, bool) {
	n := g.NumNodes()
	out := make([]uint64, n)
	in := make([]uint64, n)
	for v := 0; v < n; v++ {
		var s uint64
		for e := g.Xadj[v]; e < g.Xadj[v+1]; e++ {
			u := g.Adjncy[e]
			w := uint64(g.ew(e)) << 32
			s += mix(uint64(uint32(u)) | w)
			in[u] += mix(uint64(uint32(v)) | w)
		}
		out[v] = s
	}
	for v := 0; v < n; v++ {
		if out[v] != in[v] {
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

// FromCOO builds the partitioner's input from an edge list: each edge
// becomes undirected, duplicate edges (in either direction) merge into one
// edge of weight 1, and self loops are dropped. COO edge weights are not
// used (METIS weights are integers; build a Graph by hand to weight edges).
// Neighbour lists come out sorted.
func FromCOO(c *graph.COO) (*Graph, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("partition: %w", err)
	}
	n := c.NumNodes
	if n > math.MaxInt32-1 {
		return nil, fmt.Errorf("partition: %w: %d vertices exceed the int32 id range", ErrInvalidGraph, n)
	}
	xadj := make([]int64, n+1)
	for e := range c.Src {
		s, d := c.Src[e], c.Dst[e]
		if s != d {
			xadj[s+1]++
			xadj[d+1]++
		}
	}
	for v := 0; v < n; v++ {
		xadj[v+1] += xadj[v]
	}
	adj := make([]int32, xadj[n])
	pos := slices.Clone(xadj[:n])
	for e := range c.Src {
		s, d := c.Src[e], c.Dst[e]
		if s != d {
			adj[pos[s]] = d
			pos[s]++
			adj[pos[d]] = s
			pos[d]++
		}
	}
	pos = nil
	// Sort and dedupe each list in place (parallel, fixed chunks), then
	// compact the lists towards the front.
	newDeg := make([]int64, n)
	parallelFor(n, 1<<12, func(lo, hi int) {
		for v := lo; v < hi; v++ {
			l := adj[xadj[v]:xadj[v+1]]
			slices.Sort(l)
			newDeg[v] = int64(len(slices.Compact(l)))
		}
	})
	var at int64
	for v := 0; v < n; v++ {
		start := xadj[v]
		copy(adj[at:at+newDeg[v]], adj[start:start+newDeg[v]])
		xadj[v] = at
		at += newDeg[v]
	}
	xadj[n] = at
	if at < int64(len(adj)) {
		adj = slices.Clone(adj[:at])
	}
	g := &Graph{Xadj: xadj, Adjncy: adj}
	if 2*g.NumEdges() > math.MaxInt32 {
		return nil, fmt.Errorf("partition: %w: %d edges: total edge weight exceeds the 32-bit limit", ErrInvalidGraph, g.NumEdges())
	}
	return g, nil
}
