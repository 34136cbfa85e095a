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
