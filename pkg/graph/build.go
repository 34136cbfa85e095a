package graph

import (
	"runtime"
	"sync"
)

// ToCSR builds the source-indexed form of c. Entries of a node keep the
// order of the edge list (the sort is stable), and EdgeID records each
// entry's original edge id. c must be valid.
func (c *COO) ToCSR() CSR { return CSR{compress(c, c.Src, c.Dst)} }

// ToCSC builds the destination-indexed form of c, stable as ToCSR.
func (c *COO) ToCSC() CSC { return CSC{compress(c, c.Dst, c.Src)} }

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
// ids), i.e. the in-neighbour view of g's out-neighbour view.
func (g *CSR) Transpose() CSC {
	coo := g.ToCOO()
	return coo.ToCSC()
}

// Transpose returns the CSR holding the same edges as g.
func (g *CSC) Transpose() CSR {
	coo := g.ToCOO()
	return coo.ToCSR()
}

// expand returns, per entry, its major node and its minor node.
func (c *Compressed) expand() (major, minor []int32) {
	m := c.NumEdges()
	major = make([]int32, m)
	parallelRange(c.NumNodes, func(lo, hi int) {
		for v := lo; v < hi; v++ {
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
func compress(c *COO, key, other []int32) Compressed {
	n, m := c.NumNodes, len(key)
	workers := workerCount(m)
	chunk := (m + workers - 1) / max(workers, 1)
	counts := make([][]int64, workers)
	var wg sync.WaitGroup
	for p := 0; p < workers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			cnt := make([]int64, n)
			for _, k := range key[min(p*chunk, m):min((p+1)*chunk, m)] {
				cnt[k]++
			}
			counts[p] = cnt
		}(p)
	}
	wg.Wait()

	indptr := make([]int64, n+1)
	var run int64
	for v := 0; v < n; v++ {
		indptr[v] = run
		for p := 0; p < workers; p++ {
			cnt := counts[p][v]
			counts[p][v] = run
			run += cnt
		}
	}
	indptr[n] = run

	out := Compressed{NumNodes: n, Indptr: indptr, Indices: make([]int32, m), EdgeID: make([]int64, m)}
	if c.Weight != nil {
		out.Weight = make([]float32, m)
	}
	for p := 0; p < workers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			pos := counts[p]
			lo, hi := min(p*chunk, m), min((p+1)*chunk, m)
			for e := lo; e < hi; e++ {
				k := key[e]
				at := pos[k]
				pos[k]++
				out.Indices[at] = other[e]
				out.EdgeID[at] = c.ID(int64(e))
				if c.Weight != nil {
					out.Weight[at] = c.Weight[e]
				}
			}
		}(p)
	}
	wg.Wait()
	return out
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

// parallelRange calls fn on disjoint chunks covering [0, n).
func parallelRange(n int, fn func(lo, hi int)) {
	w := workerCount(n)
	if w <= 1 {
		fn(0, n)
		return
	}
	chunk := (n + w - 1) / w
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	wg.Wait()
}
