package graph

import (
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// COO is an edge list: edge e goes from Src[e] to Dst[e].
type COO struct {
	NumNodes int
	Src, Dst []int32
	// EdgeID maps position e to the id of the original edge; nil means the
	// identity (edge e has id e).
	EdgeID []int64
	// Weight holds one weight per edge; nil means unweighted (all ones).
	Weight []float32
}

// Compressed is the shared layout of CSR and CSC: for each major node v the
// entries [Indptr[v], Indptr[v+1]) name the minor endpoints Indices[k], the
// edge ids EdgeID[k] (nil = identity) and weights Weight[k] (nil = ones).
type Compressed struct {
	NumNodes int
	Indptr   []int64
	Indices  []int32
	EdgeID   []int64
	Weight   []float32
}

// CSR indexes edges by source: the entries of node v are its out-neighbours.
type CSR struct{ Compressed }

// CSC indexes edges by destination: the entries of node v are its
// in-neighbours (the sources that send to v).
type CSC struct{ Compressed }

// NumEdges returns the number of edges.
func (c *COO) NumEdges() int64 { return int64(len(c.Src)) }

// NumEdges returns the number of edges.
func (c *Compressed) NumEdges() int64 {
	if len(c.Indptr) == 0 {
		return 0
	}
	return c.Indptr[len(c.Indptr)-1]
}

// Degree returns the number of entries of node v.
func (c *Compressed) Degree(v int32) int64 { return c.Indptr[v+1] - c.Indptr[v] }

// Neighbors returns the entries of node v, aliasing c.
func (c *Compressed) Neighbors(v int32) []int32 { return c.Indices[c.Indptr[v]:c.Indptr[v+1]] }

// ID returns the edge id of entry k.
func (c *Compressed) ID(k int64) int64 {
	if c.EdgeID == nil {
		return k
	}
	return c.EdgeID[k]
}

// ID returns the edge id of position e.
func (c *COO) ID(e int64) int64 {
	if c.EdgeID == nil {
		return e
	}
	return c.EdgeID[e]
}

// Matrix returns the adjacency as a sparse matrix view (no copy): for a CSR,
// the src x dst matrix; for a CSC, the dst x src matrix, i.e. row v of
// Matrix() times X sums the features of v's in-neighbours.
func (c *Compressed) Matrix() tensor.CSR {
	return tensor.CSR{Rows: c.NumNodes, Cols: c.NumNodes, Indptr: c.Indptr, Indices: c.Indices, Values: c.Weight}
}

// Validate checks the edge list and names the first bad edge.
func (c *COO) Validate() error {
	if c.NumNodes < 0 {
		return fmt.Errorf("graph: coo: negative node count %d", c.NumNodes)
	}
	if len(c.Src) != len(c.Dst) {
		return fmt.Errorf("graph: coo: %d sources but %d destinations", len(c.Src), len(c.Dst))
	}
	if c.EdgeID != nil && len(c.EdgeID) != len(c.Src) {
		return fmt.Errorf("graph: coo: %d edge ids for %d edges", len(c.EdgeID), len(c.Src))
	}
	if c.Weight != nil && len(c.Weight) != len(c.Src) {
		return fmt.Errorf("graph: coo: %d weights for %d edges", len(c.Weight), len(c.Src))
	}
	for e := range c.Src {
		if s, d := c.Src[e], c.Dst[e]; s < 0 || int(s) >= c.NumNodes || d < 0 || int(d) >= c.NumNodes {
			return fmt.Errorf("graph: coo: edge %d (%d -> %d): node out of range [0, %d)", e, s, d, c.NumNodes)
		}
	}
	return nil
}

// Validate checks offsets, indices, ids and weights, naming the first bad
// node or entry.
func (c *Compressed) Validate() error {
	m := tensor.CSR{Rows: c.NumNodes, Cols: c.NumNodes, Indptr: c.Indptr, Indices: c.Indices, Values: c.Weight}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	if c.EdgeID != nil && int64(len(c.EdgeID)) != c.NumEdges() {
		return fmt.Errorf("graph: %d edge ids for %d edges", len(c.EdgeID), c.NumEdges())
	}
	return nil
}
