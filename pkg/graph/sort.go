package graph

import (
	"slices"
	"sort"
)

// SortedCSR builds the CSR of c with every row's entries sorted by
// destination; entries with the same destination (duplicate edges) keep
// edge-list order. It is [COO.ToCSR] followed by an in-place row sort.
func SortedCSR(c COO) CSR {
	g := c.ToCSR()
	g.sortRows()
	return g
}

// SortedCSC builds the CSC of c with every column's entries sorted by
// source, duplicates in edge-list order.
func SortedCSC(c COO) CSC {
	g := c.ToCSC()
	g.sortRows()
	return g
}

// Sort returns the edges of c ordered by (source, destination); edges equal
// in both keep their order in c. Edge ids and weights move with their edges.
func Sort(c COO) COO {
	g := SortedCSR(c)
	return g.moveToCOO()
}

// Coalesce returns the edges of c sorted by (source, destination) with
// duplicate edges removed. Of each group of equal edges the first in c's
// order is kept, with its edge id and weight (weights are not summed).
func Coalesce(c COO) COO {
	g := SortedCSR(c)
	d := CSR{g.dedupe(nil)}
	return d.moveToCOO()
}

// Symmetrize returns the union of c and its reverse, deduplicated and
// sorted by (source, destination): (u, v) is in the result once iff (u, v)
// or (v, u) is in c; a self loop (u, u) stays once. Both directions of a
// pair carry the edge id and weight of the same representative: the first
// edge of c, in c's order, joining u and v in either direction. So
// Symmetrize of an already symmetric, duplicate-free graph maps (u, v) and
// (v, u) to one id, the smaller-position one of the two.
func Symmetrize(c COO) COO {
	g := SymmetrizeCSR(c)
	return g.moveToCOO()
}

// SymmetrizeCSR is [Symmetrize] returning the sorted CSR directly (rows
// sorted by column), which saves a conversion when a CSR is wanted next.
func SymmetrizeCSR(c COO) CSR {
	g := CSR{compress(&c, c.Src, c.Dst, true)}
	// Entries hold positions e; sorting by (column, position) and keeping
	// the first of each run picks the smallest position for both (u, v)
	// and (v, u), since both runs hold exactly the edges joining u and v.
	g.sortRows()
	d := g.dedupe(nil)
	if c.EdgeID != nil {
		parallelRange(len(d.EdgeID), func(lo, hi int) {
			for k := lo; k < hi; k++ {
				d.EdgeID[k] = c.EdgeID[d.EdgeID[k]]
			}
		})
	}
	return CSR{d}
}

// moveToCOO is ToCOO for a CSR the caller is done with: the destination,
// id and weight slices move into the result instead of being copied.
func (g *CSR) moveToCOO() COO {
	src := make([]int32, g.NumEdges())
	chunks := rowChunks(g.Indptr, 4*workerCount(len(src)))
	parallelFor(len(chunks)-1, func(p int) {
		for v := chunks[p]; v < chunks[p+1]; v++ {
			for k := g.Indptr[v]; k < g.Indptr[v+1]; k++ {
				src[k] = int32(v)
			}
		}
	})
	out := COO{NumNodes: g.NumNodes, Src: src, Dst: g.Indices, EdgeID: g.EdgeID, Weight: g.Weight}
	*g = CSR{}
	return out
}

// RowsSorted reports whether every node's entries are in non-decreasing
// order of their minor node.
func (c *Compressed) RowsSorted() bool {
	for v := 0; v < c.NumNodes; v++ {
		if !slices.IsSorted(c.Indices[c.Indptr[v]:c.Indptr[v+1]]) {
			return false
		}
	}
	return true
}

// sortRows sorts each node's entries by minor node in place, stable with
// respect to their current order. Rows are sorted in parallel with a
// per-worker scratch of O(max degree).
func (c *Compressed) sortRows() {
	if c.EdgeID == nil {
		c.EdgeID = identity(c.NumEdges())
	}
	chunks := rowChunks(c.Indptr, 8*workerCount(int(c.NumEdges())))
	parallelFor(len(chunks)-1, func(p int) {
		var keys []uint64
		var ids []int64
		var ws []float32
		for v := chunks[p]; v < chunks[p+1]; v++ {
			lo, hi := c.Indptr[v], c.Indptr[v+1]
			row := c.Indices[lo:hi]
			if slices.IsSorted(row) {
				continue
			}
			if hi-lo <= 16 {
				c.insertionSort(lo, hi)
				continue
			}
			if hi-lo >= 1<<32 { // ranks do not fit the key
				sort.Stable(rowSorter{c, lo, hi})
				continue
			}
			// Key = column << 32 | rank within the row: unique, so an
			// unstable sort of the keys is a stable sort of the row.
			keys = keys[:0]
			for i, col := range row {
				keys = append(keys, uint64(uint32(col))<<32|uint64(i))
			}
			slices.Sort(keys)
			ids = append(ids[:0], c.EdgeID[lo:hi]...)
			if c.Weight != nil {
				ws = append(ws[:0], c.Weight[lo:hi]...)
			}
			for i, key := range keys {
				r := int(uint32(key))
				row[i] = int32(key >> 32)
				c.EdgeID[lo+int64(i)] = ids[r]
				if c.Weight != nil {
					c.Weight[lo+int64(i)] = ws[r]
				}
			}
		}
	})
}

// rowSorter sorts entries [lo, hi) of c by minor node (with sort.Stable).
type rowSorter struct {
	c      *Compressed
	lo, hi int64
}

func (r rowSorter) Len() int { return int(r.hi - r.lo) }
func (r rowSorter) Less(i, j int) bool {
	return r.c.Indices[r.lo+int64(i)] < r.c.Indices[r.lo+int64(j)]
}
func (r rowSorter) Swap(i, j int) {
	a, b := r.lo+int64(i), r.lo+int64(j)
	c := r.c
	c.Indices[a], c.Indices[b] = c.Indices[b], c.Indices[a]
	c.EdgeID[a], c.EdgeID[b] = c.EdgeID[b], c.EdgeID[a]
	if c.Weight != nil {
		c.Weight[a], c.Weight[b] = c.Weight[b], c.Weight[a]
	}
}

// insertionSort stably sorts entries [lo, hi) by minor node.
func (c *Compressed) insertionSort(lo, hi int64) {
	for i := lo + 1; i < hi; i++ {
		for j := i; j > lo && c.Indices[j-1] > c.Indices[j]; j-- {
			c.Indices[j-1], c.Indices[j] = c.Indices[j], c.Indices[j-1]
			c.EdgeID[j-1], c.EdgeID[j] = c.EdgeID[j], c.EdgeID[j-1]
			if c.Weight != nil {
				c.Weight[j-1], c.Weight[j] = c.Weight[j], c.Weight[j-1]
			}
		}
	}
}

// dedupe returns a copy of the row-sorted c keeping, of each run of equal
// entries in a row, the first. If keep is non-nil, only entries k with
// keep(v, k) true are considered at all (used to drop self loops).
func (c *Compressed) dedupe(keep func(v int32, k int64) bool) Compressed {
	first := func(v int, k int64) bool {
		if keep != nil && !keep(int32(v), k) {
			return false
		}
		// The previous kept-candidate in this row with the same column.
		for j := k - 1; j >= c.Indptr[v] && c.Indices[j] == c.Indices[k]; j-- {
			if keep == nil || keep(int32(v), j) {
				return false
			}
		}
		return true
	}
	return c.filter(first)
}

// filter returns a copy of c holding the entries k of node v with
// pick(v, k) true, in order. pick is called twice per entry, concurrently.
func (c *Compressed) filter(pick func(v int, k int64) bool) Compressed {
	n := c.NumNodes
	cnt := make([]int64, n+1)
	chunks := rowChunks(c.Indptr, 4*workerCount(int(c.NumEdges())))
	parallelFor(len(chunks)-1, func(p int) {
		for v := chunks[p]; v < chunks[p+1]; v++ {
			var d int64
			for k := c.Indptr[v]; k < c.Indptr[v+1]; k++ {
				if pick(v, k) {
					d++
				}
			}
			cnt[v+1] = d
		}
	})
	for v := 0; v < n; v++ {
		cnt[v+1] += cnt[v]
	}
	m := cnt[n]
	out := Compressed{NumNodes: n, Indptr: cnt, Indices: make([]int32, m), EdgeID: make([]int64, m)}
	if c.Weight != nil {
		out.Weight = make([]float32, m)
	}
	parallelFor(len(chunks)-1, func(p int) {
		for v := chunks[p]; v < chunks[p+1]; v++ {
			at := out.Indptr[v]
			for k := c.Indptr[v]; k < c.Indptr[v+1]; k++ {
				if !pick(v, k) {
					continue
				}
				out.Indices[at] = c.Indices[k]
				out.EdgeID[at] = c.ID(k)
				if c.Weight != nil {
					out.Weight[at] = c.Weight[k]
				}
				at++
			}
		}
	})
	return out
}

// identity returns [0, 1, ..., m-1].
func identity(m int64) []int64 {
	ids := make([]int64, m)
	parallelRange(int(m), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			ids[k] = int64(k)
		}
	})
	return ids
}
