package graph

import "fmt"

// Subgraph is the part of a graph induced by a node set, in local ids.
type Subgraph struct {
	// Graph holds the edges whose two endpoints are both in the set, with
	// local node ids (local i is Nodes[i]); its EdgeID holds each kept
	// edge's id in the input graph. Rows keep the input's entry order.
	Graph CSR
	// Nodes maps local ids to input ids: the node set in the given order.
	Nodes []int32
}

// Local returns the local id of input node v, or -1 if v is not in the set.
// It scans Nodes; callers with many lookups should build their own map.
func (s *Subgraph) Local(v int32) int32 {
	for i, u := range s.Nodes {
		if u == v {
			return int32(i)
		}
	}
	return -1
}

// InducedSubgraph returns the subgraph of g induced by nodes: local node i
// is nodes[i], and the kept edges are g's entries (u, v) with u and v both
// in nodes, renumbered, with their edge ids. It reads only the rows of the
// given nodes: O(sum of their degrees) plus a node map that is a dense
// array when nodes is a large share of g and a hash map otherwise. An
// out-of-range or repeated node is an error naming its position.
func InducedSubgraph(g *CSR, nodes []int32) (Subgraph, error) {
	n := g.NumNodes
	var lookup func(v int32) int32
	if int64(len(nodes))*32 >= int64(n) {
		dense := make([]int32, n)
		for i := range dense {
			dense[i] = -1
		}
		for i, v := range nodes {
			if v < 0 || int(v) >= n {
				return Subgraph{}, fmt.Errorf("graph: induced subgraph: node %d at position %d out of range [0, %d)", v, i, n)
			}
			if dense[v] >= 0 {
				return Subgraph{}, fmt.Errorf("graph: induced subgraph: node %d repeated at positions %d and %d", v, dense[v], i)
			}
			dense[v] = int32(i)
		}
		lookup = func(v int32) int32 { return dense[v] }
	} else {
		sparse := make(map[int32]int32, len(nodes))
		for i, v := range nodes {
			if v < 0 || int(v) >= n {
				return Subgraph{}, fmt.Errorf("graph: induced subgraph: node %d at position %d out of range [0, %d)", v, i, n)
			}
			if j, dup := sparse[v]; dup {
				return Subgraph{}, fmt.Errorf("graph: induced subgraph: node %d repeated at positions %d and %d", v, j, i)
			}
			sparse[v] = int32(i)
		}
		lookup = func(v int32) int32 {
			if i, ok := sparse[v]; ok {
				return i
			}
			return -1
		}
	}
	k := len(nodes)
	indptr := make([]int64, k+1)
	var indices []int32
	var ids []int64
	var weight []float32
	if g.Weight != nil {
		weight = []float32{}
	}
	for i, v := range nodes {
		for e := g.Indptr[v]; e < g.Indptr[v+1]; e++ {
			if j := lookup(g.Indices[e]); j >= 0 {
				indices = append(indices, j)
				ids = append(ids, g.ID(e))
				if weight != nil {
					weight = append(weight, g.Weight[e])
				}
			}
		}
		indptr[i+1] = int64(len(indices))
	}
	if indices == nil {
		indices, ids = []int32{}, []int64{}
	}
	sub := CSR{Compressed{NumNodes: k, Indptr: indptr, Indices: indices, EdgeID: ids, Weight: weight}}
	return Subgraph{Graph: sub, Nodes: append([]int32(nil), nodes...)}, nil
}

// InducedSubgraphCOO is [InducedSubgraph] for an edge list: it scans every
// edge once and returns the kept edges in input order, renumbered, with
// their ids (and weights).
func InducedSubgraphCOO(c COO, nodes []int32) (COO, error) {
	local := make([]int32, c.NumNodes)
	for i := range local {
		local[i] = -1
	}
	for i, v := range nodes {
		if v < 0 || int(v) >= c.NumNodes {
			return COO{}, fmt.Errorf("graph: induced subgraph: node %d at position %d out of range [0, %d)", v, i, c.NumNodes)
		}
		if local[v] >= 0 {
			return COO{}, fmt.Errorf("graph: induced subgraph: node %d repeated at positions %d and %d", v, local[v], i)
		}
		local[v] = int32(i)
	}
	out := c.filter(func(e int) bool { return local[c.Src[e]] >= 0 && local[c.Dst[e]] >= 0 })
	for e := range out.Src {
		out.Src[e], out.Dst[e] = local[out.Src[e]], local[out.Dst[e]]
	}
	out.NumNodes = len(nodes)
	return out, nil
}

// MajorRange returns the part of c whose major nodes (destinations of a
// CSC, sources of a CSR) lie in [lo, hi): the same node count, the entries
// of those nodes with their edge ids (made explicit), every other node
// with none. Indices, EdgeID (when c has them) and Weight alias c's; the
// offsets are new. It is how a graph server's share of a renumbered graph
// is cut out: the full neighbourhoods of the nodes it owns.
func (c *Compressed) MajorRange(lo, hi int) Compressed {
	lo, hi = max(lo, 0), min(hi, c.NumNodes)
	if hi < lo {
		hi = lo
	}
	base, end := c.Indptr[lo], c.Indptr[hi]
	out := Compressed{NumNodes: c.NumNodes, Indptr: make([]int64, c.NumNodes+1),
		Indices: c.Indices[base:end:end]}
	for v := lo; v <= hi; v++ {
		out.Indptr[v] = c.Indptr[v] - base
	}
	for v := hi + 1; v <= c.NumNodes; v++ {
		out.Indptr[v] = end - base
	}
	if c.EdgeID != nil {
		out.EdgeID = c.EdgeID[base:end:end]
	} else {
		out.EdgeID = make([]int64, end-base)
		for k := range out.EdgeID {
			out.EdgeID[k] = base + int64(k)
		}
	}
	if c.Weight != nil {
		out.Weight = c.Weight[base:end:end]
	}
	return out
}
