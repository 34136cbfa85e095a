package store

import (
	"fmt"
	"math"
	"slices"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// EdgeIndex is the edge index of one edge type in one layout, as users put
// and get it. Exactly one of COO (Layout == COO) and Compressed (CSR: majors
// are sources; CSC: majors are destinations) is used.
type EdgeIndex struct {
	Layout     Layout
	COO        graph.COO
	Compressed graph.Compressed
	// Time holds one timestamp per edge, aligned with COO positions or
	// compressed entries; nil when the edges are untimed.
	Time []int64
}

// FromCOO returns c as an EdgeIndex (not copied).
func FromCOO(c graph.COO) EdgeIndex { return EdgeIndex{Layout: COO, COO: c} }

// FromCSR returns c as an EdgeIndex (not copied).
func FromCSR(c graph.CSR) EdgeIndex { return EdgeIndex{Layout: CSR, Compressed: c.Compressed} }

// FromCSC returns c as an EdgeIndex (not copied).
func FromCSC(c graph.CSC) EdgeIndex { return EdgeIndex{Layout: CSC, Compressed: c.Compressed} }

// NumNodes returns the node count of the index.
func (e *EdgeIndex) NumNodes() int {
	if e.Layout == COO {
		return e.COO.NumNodes
	}
	return e.Compressed.NumNodes
}

// NumEdges returns the edge count of the index.
func (e *EdgeIndex) NumEdges() int64 {
	if e.Layout == COO {
		return e.COO.NumEdges()
	}
	return e.Compressed.NumEdges()
}

// Validate checks the index and names the first bad edge, node or field.
func (e *EdgeIndex) Validate() error {
	var err error
	var ids []int64
	switch e.Layout {
	case COO:
		err, ids = e.COO.Validate(), e.COO.EdgeID
	case CSR, CSC:
		err, ids = e.Compressed.Validate(), e.Compressed.EdgeID
	default:
		return fmt.Errorf("%w: unknown layout %v", ErrInvalid, e.Layout)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalid, e.Layout, err)
	}
	if n := e.NumNodes(); n > math.MaxInt32 {
		return fmt.Errorf("%w: %d nodes, node ids are int32", ErrInvalid, n)
	}
	for i, id := range ids {
		if id < 0 {
			return fmt.Errorf("%w: %s: edge %d has negative id %d", ErrInvalid, e.Layout, i, id)
		}
	}
	if e.Time != nil && int64(len(e.Time)) != e.NumEdges() {
		return fmt.Errorf("%w: %s: %d timestamps for %d edges", ErrInvalid, e.Layout, len(e.Time), e.NumEdges())
	}
	return nil
}

// Topology is the canonical stored form of an edge index: compressed by
// destination (CSC), so the entries of node v are its in-neighbours, in the
// order the edges were put, with explicit edge ids and optional weights and
// timestamps. Backends store and return it; the wrapper converts.
type Topology struct {
	NumNodes int
	Indptr   []int64   // len NumNodes+1
	Src      []int32   // in-neighbour of each entry
	EdgeID   []int64   // id of each entry, never nil
	Weight   []float32 // nil, or one per entry
	Time     []int64   // nil, or one per entry
}

// NumEdges returns the number of entries.
func (t *Topology) NumEdges() int64 { return int64(len(t.Src)) }

// Info describes t as edge type et.
func (t *Topology) Info(et EdgeType) EdgeInfo {
	return EdgeInfo{Type: et, NumNodes: t.NumNodes, NumEdges: t.NumEdges(),
		Weighted: t.Weight != nil, Timed: t.Time != nil}
}

// Validate checks every structural rule of t.
func (t *Topology) Validate() error {
	c := graph.Compressed{NumNodes: t.NumNodes, Indptr: t.Indptr, Indices: t.Src, EdgeID: t.EdgeID, Weight: t.Weight}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%w: topology: %v", ErrInvalid, err)
	}
	m := len(t.Src)
	switch {
	case t.NumNodes > math.MaxInt32:
		return fmt.Errorf("%w: topology: %d nodes, node ids are int32", ErrInvalid, t.NumNodes)
	case len(t.EdgeID) != m:
		return fmt.Errorf("%w: topology: %d edge ids for %d edges", ErrInvalid, len(t.EdgeID), m)
	case t.Time != nil && len(t.Time) != m:
		return fmt.Errorf("%w: topology: %d timestamps for %d edges", ErrInvalid, len(t.Time), m)
	}
	return nil
}

// NewTopology validates e and converts it to a Topology in fresh slices (e
// is not retained).
func NewTopology(e EdgeIndex) (*Topology, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	switch e.Layout {
	case CSC:
		c := &e.Compressed
		t := &Topology{
			NumNodes: c.NumNodes,
			Indptr:   slices.Clone(c.Indptr),
			Src:      slices.Clone(c.Indices[:c.NumEdges()]),
			Weight:   cloneOrNil(c.Weight),
			Time:     cloneOrNil(e.Time),
		}
		if c.EdgeID != nil {
			t.EdgeID = slices.Clone(c.EdgeID)
		} else {
			t.EdgeID = iota64(int(c.NumEdges()))
		}
		if len(t.Indptr) == 0 {
			t.Indptr = []int64{0}
		}
		return t, nil
	case CSR:
		c := &e.Compressed
		src := majors(c)
		return fromPositions(c.NumNodes, src, c.Indices[:len(src)], c.EdgeID, c.Weight, e.Time), nil
	default:
		c := &e.COO
		return fromPositions(c.NumNodes, c.Src, c.Dst, c.EdgeID, c.Weight, e.Time), nil
	}
}

// fromPositions builds a Topology from per-position sources, destinations
// and optional ids (nil = position), weights and times.
func fromPositions(n int, src, dst []int32, ids []int64, w []float32, tm []int64) *Topology {
	tmp := graph.COO{NumNodes: n, Src: src, Dst: dst}
	csc := tmp.ToCSC() // EdgeID[k] = position of entry k
	pos := csc.EdgeID
	t := &Topology{NumNodes: n, Indptr: csc.Indptr, Src: csc.Indices}
	if w != nil {
		t.Weight = make([]float32, len(pos))
		for k, p := range pos {
			t.Weight[k] = w[p]
		}
	}
	if tm != nil {
		t.Time = make([]int64, len(pos))
		for k, p := range pos {
			t.Time[k] = tm[p]
		}
	}
	if ids != nil {
		for k, p := range pos {
			pos[k] = ids[p]
		}
	}
	t.EdgeID = pos
	return t
}

// EdgeIndex converts t to layout in fresh slices. CSC keeps the stored
// (put) order within each destination; COO lists edges by ascending edge id
// and CSR lists the entries of each source by ascending edge id, ties in
// stored order. (With identity edge ids, the default, all three follow the
// order the edges were put.)
func (t *Topology) EdgeIndex(layout Layout) (EdgeIndex, error) {
	m := len(t.Src)
	switch layout {
	case CSC:
		return EdgeIndex{Layout: CSC, Time: cloneOrNil(t.Time), Compressed: graph.Compressed{
			NumNodes: t.NumNodes, Indptr: slices.Clone(t.Indptr), Indices: slices.Clone(t.Src),
			EdgeID: slices.Clone(t.EdgeID), Weight: cloneOrNil(t.Weight)}}, nil
	case CSR:
		// Entries of a source follow edge id order (ties: stored order).
		order := byID(t.EdgeID)
		dstOf := majors(&graph.Compressed{NumNodes: t.NumNodes, Indptr: t.Indptr})
		tmp := graph.COO{NumNodes: t.NumNodes, Src: gather(t.Src, order), Dst: gather(dstOf, order)}
		csr := tmp.ToCSR() // EdgeID[k] = position in order of CSR entry k
		pos := csr.EdgeID
		for k, p := range pos {
			pos[k] = order[p]
		}
		out := EdgeIndex{Layout: CSR, Compressed: csr.Compressed}
		out.Compressed.EdgeID = gather(t.EdgeID, pos)
		if t.Weight != nil {
			out.Compressed.Weight = gather(t.Weight, pos)
		}
		if t.Time != nil {
			out.Time = gather(t.Time, pos)
		}
		return out, nil
	case COO:
		order := byID(t.EdgeID)
		dstOf := majors(&graph.Compressed{NumNodes: t.NumNodes, Indptr: t.Indptr})
		c := graph.COO{NumNodes: t.NumNodes, Src: make([]int32, m), Dst: make([]int32, m), EdgeID: gather(t.EdgeID, order)}
		for i, k := range order {
			c.Src[i] = t.Src[k]
			c.Dst[i] = dstOf[k]
		}
		out := EdgeIndex{Layout: COO, COO: c}
		if t.Weight != nil {
			out.COO.Weight = gather(t.Weight, order)
		}
		if t.Time != nil {
			out.Time = gather(t.Time, order)
		}
		return out, nil
	}
	return EdgeIndex{}, fmt.Errorf("%w: unknown layout %v", ErrInvalid, layout)
}

// AppendNeighbors appends the in-neighbours of each node to dst, the
// reference implementation of EdgeTable.Neighbors over an in-memory
// Topology. Nodes must be in range.
func (t *Topology) AppendNeighbors(nodes []int32, dst *graph.Adjacency) {
	for _, v := range nodes {
		lo, hi := t.Indptr[v], t.Indptr[v+1]
		dst.Nbrs = append(dst.Nbrs, t.Src[lo:hi]...)
		dst.EdgeID = append(dst.EdgeID, t.EdgeID[lo:hi]...)
		if t.Weight != nil {
			dst.Weight = append(dst.Weight, t.Weight[lo:hi]...)
		}
		if t.Time != nil {
			dst.Time = append(dst.Time, t.Time[lo:hi]...)
		}
		dst.Indptr = append(dst.Indptr, int64(len(dst.Nbrs)))
	}
}

// majors returns, per entry of c, its major node.
func majors(c *graph.Compressed) []int32 {
	m := c.NumEdges()
	out := make([]int32, m)
	for v := 0; v < c.NumNodes; v++ {
		for k := c.Indptr[v]; k < c.Indptr[v+1]; k++ {
			out[k] = int32(v)
		}
	}
	return out
}

// byID returns the entry order that sorts ids ascending, stably. Ids that
// are a permutation of [0, m) (the common case) are placed directly.
func byID(ids []int64) []int64 {
	m := len(ids)
	order := make([]int64, m)
	seen := make([]bool, m)
	perm := true
	for k, id := range ids {
		if id >= int64(m) || seen[id] {
			perm = false
			break
		}
		seen[id] = true
		order[id] = int64(k)
	}
	if perm {
		return order
	}
	for k := range order {
		order[k] = int64(k)
	}
	slices.SortStableFunc(order, func(a, b int64) int {
		switch x, y := ids[a], ids[b]; {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	return order
}

func gather[T any](src []T, pos []int64) []T {
	out := make([]T, len(pos))
	for i, p := range pos {
		out[i] = src[p]
	}
	return out
}

func cloneOrNil[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return slices.Clone(s)
}

func iota64(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i)
	}
	return out
}
