package graph

import (
	"runtime"
	"sync"
)

// ToCSR builds the source-indexed form of c. Entries of a node keep the
// order of the edge list (the sort is stable), and EdgeID records each
// entry's original edge id. c must be valid.
func (c *COO) ToCSR() CSR { return CSR{compress(c, c.Src, c.Dst, false)} }

// ToCSC builds the destination-indexed form of c, stable as ToCSR.
func (c *COO) ToCSC() CSC { return CSC{compress(c, c.Dst, c.Src, false)} }

// ToCOO expands a CSR back to an edge list in entry order.
func (g *CSR) ToCOO() COO {
	src, dst := g.expand()
	return COO{NumNodes: g.NumNodes, Src: src, Dst: dst, EdgeID: g.ids(), Weight: cloneF(g.Weight)}
}

// ToCOO expands a CSC back to an edge list in entry order.
func (g *CSC) ToCOO() COO {
	dst, src := g.expand()
	return COO{NumNodes: g.NumNodes, Src: src, Dst: dst, EdgeID: g.ids(), Weight: cloneF(g.Weight)}
}

// Transpose returns the CSC holding the same edges as g (identical edge
// ids), i.e. the in-neighbour view of g's out-neighbour view. It is a
// stable counting sort of g's entries, so the result's entries are always
// sorted by source, ties (duplicate edges) in g's entry order.
func (g *CSR) Transpose() CSC { return CSC{g.transpose()} }

// Transpose returns the CSR holding the same edges as g, ordered as
// [CSR.Transpose] describes.
func (g *CSC) Transpose() CSR { return CSR{g.transpose()} }

// transpose is a stable counting sort of the entries of c by their minor
// node, without materialising an edge list: the major node of each entry is
// implied by the chunk of rows a worker scans.
func (c *Compressed) transpose() Compressed {
	n, m := c.NumNodes, c.NumEdges()
	chunks := rowChunks(c.Indptr, workerCount(int(m)))
	w := len(chunks) - 1
	counts := make([][]int64, w)
	parallelFor(w, func(p int) {
		cnt := make([]int64, n)
		for _, k := range c.Indices[c.Indptr[chunks[p]]:c.Indptr[chunks[p+1]]] {
			cnt[k]++
		}
		counts[p] = cnt
	})
	out := Compressed{NumNodes: n, Indptr: offsets(counts, n), Indices: make([]int32, m), EdgeID: make([]int64, m)}
	if c.Weight != nil {
		out.Weight = make([]float32, m)
	}
	parallelFor(w, func(p int) {
		pos := counts[p]
		for v := chunks[p]; v < chunks[p+1]; v++ {
			for k := c.Indptr[v]; k < c.Indptr[v+1]; k++ {
				u := c.Indices[k]
				at := pos[u]
				pos[u]++
				out.Indices[at] = int32(v)
				out.EdgeID[at] = c.ID(k)
				if c.Weight != nil {
					out.Weight[at] = c.Weight[k]
				}
			}
		}
	})
	return out
}

// expand returns, per entry, its major node and its minor node.
func (c *Compressed) expand() (major, minor []int32) {
	m := c.NumEdges()
	major = make([]int32, m)
	chunks := rowChunks(c.Indptr, 4*workerCount(int(m)))
	parallelFor(len(chunks)-1, func(p int) {
		for v := chunks[p]; v < chunks[p+1]; v++ {
			for k := c.Indptr[v]; k < c.Indptr[v+1]; k++ {
				major[k] = int32(v)
			}
		}
	})
	minor = append([]int32(nil), c.Indices[:m]...)
	return major, minor
}

// ids returns a materialised copy of the edge ids (identity if nil).
func (c *Compressed) ids() []int64 {
	if c.EdgeID != nil {
		return append([]int64(nil), c.EdgeID...)
	}
	return nil
}

func cloneF(w []float32) []float32 {
	if w == nil {
		return nil
	}
	return append([]float32(nil), w...)
}

// compress is a parallel stable counting sort of the edges of c by key.
// Each worker counts its chunk, the per-(worker, key) counts become write
// offsets (worker p's edges of a key follow those of workers q < p, which
// keeps the sort stable), and each worker scatters its chunk.
//
// With both set, every edge e emits two entries, key[e] -> other[e] and
// other[e] -> key[e], in that order, and each entry's EdgeID is the
// position e (not c.ID(e)): the caller maps positions to ids. Entries of a
// node are then ordered by position, the forward entry of an edge first.
func compress(c *COO, key, other []int32, both bool) Compressed {
	n, m := c.NumNodes, len(key)
	workers := workerCount(m)
	chunk := (m + workers - 1) / max(workers, 1)
	counts := make([][]int64, workers)
	parallelFor(workers, func(p int) {
		cnt := make([]int64, n)
		lo, hi := min(p*chunk, m), min((p+1)*chunk, m)
		for _, k := range key[lo:hi] {
			cnt[k]++
		}
		if both {
			for _, k := range other[lo:hi] {
				cnt[k]++
			}
		}
		counts[p] = cnt
	})
	indptr := offsets(counts, n)
	total := indptr[n]
	out := Compressed{NumNodes: n, Indptr: indptr, Indices: make([]int32, total), EdgeID: make([]int64, total)}
	if c.Weight != nil {
		out.Weight = make([]float32, total)
	}
	parallelFor(workers, func(p int) {
		pos := counts[p]
		lo, hi := min(p*chunk, m), min((p+1)*chunk, m)
		for e := lo; e < hi; e++ {
			k, o := key[e], other[e]
			at := pos[k]
			pos[k]++
			out.Indices[at] = o
			if both {
				out.EdgeID[at] = int64(e)
			} else {
				out.EdgeID[at] = c.ID(int64(e))
			}
			if c.Weight != nil {
				out.Weight[at] = c.Weight[e]
			}
			if both {
				at = pos[o]
				pos[o]++
				out.Indices[at] = k
				out.EdgeID[at] = int64(e)
				if c.Weight != nil {
					out.Weight[at] = c.Weight[e]
				}
			}
		}
	})
	return out
}

// offsets turns per-(worker, node) counts into the node offsets (returned,
// length n+1) and, in place, into each worker's first write position per
// node: worker p's entries of node v follow those of workers q < p. All
// arithmetic is int64, so totals above 2^31 are exact.
func offsets(counts [][]int64, n int) []int64 {
	indptr := make([]int64, n+1)
	var run int64
	for v := 0; v < n; v++ {
		indptr[v] = run
		for p := range counts {
			cnt := counts[p][v]
			counts[p][v] = run
			run += cnt
		}
	}
	indptr[n] = run
	return indptr
}

// workerCount picks how many goroutines to split m items over: one per
// available core, but only when there is enough work to pay for them.
func workerCount(m int) int {
	const minPerWorker = 1 << 15
	w := runtime.GOMAXPROCS(0)
	if m/minPerWorker < w {
		w = max(1, m/minPerWorker)
	}
	return w
}

// parallelFor runs fn(0..k-1) on up to GOMAXPROCS goroutines and waits.
func parallelFor(k int, fn func(i int)) {
	if k <= 1 {
		if k == 1 {
			fn(0)
		}
		return
	}
	w := min(k, runtime.GOMAXPROCS(0))
	var next int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= int64(k) {
					return
				}
				fn(int(i))
			}
		}()
	}
	wg.Wait()
}

// parallelRange calls fn on disjoint chunks covering [0, n).
func parallelRange(n int, fn func(lo, hi int)) {
	w := workerCount(n)
	if w <= 1 {
		fn(0, n)
		return
	}
	chunk := (n + w - 1) / w
	parallelFor((n+chunk-1)/chunk, func(i int) {
		fn(i*chunk, min((i+1)*chunk, n))
	})
}

// rowChunks splits the rows of indptr into at most k consecutive ranges of
// about equal entry counts (rows are never split). It returns the k'+1
// boundaries, first 0 and last the row count.
func rowChunks(indptr []int64, k int) []int {
	n := len(indptr) - 1
	if n <= 0 {
		return []int{0, max(n, 0)}
	}
	k = max(1, min(k, n))
	m := indptr[n]
	bounds := make([]int, 0, k+1)
	bounds = append(bounds, 0)
	for p := 1; p < k; p++ {
		target := m / int64(k) * int64(p)
		// First row whose start is >= target.
		lo, hi := bounds[len(bounds)-1], n
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if indptr[mid] < target {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo > bounds[len(bounds)-1] && lo < n {
			bounds = append(bounds, lo)
		}
	}
	return append(bounds, n)
}
