package partition

import (
	"fmt"
	"slices"
)

// fewIsolated: coreGraph keeps degree-0 vertices in the core when they are
// fewer than one in fewIsolated. Setting them aside copies the whole
// adjacency (renumbered), 64 MB on the 1M-vertex random geometric graph
// and SBM, each of which has a single degree-0 vertex; a handful of
// singletons in the hierarchy changes nothing else.
const fewIsolated = 1000

// coreGraph returns g without its degree-0 vertices as a working graph,
// and the original id of each core vertex. When g has no degree-0 vertex,
// or fewer than one in fewIsolated, the core is g itself (aliasing its
// slices) and the ids are nil.
func coreGraph(g *Graph) (*wgraph, []int32) {
	n := g.NumNodes()
	iso := 0
	for v := 0; v < n; v++ {
		if g.Xadj[v+1] == g.Xadj[v] {
			iso++
		}
	}
	vwOf := func(ids []int32) ([]int32, int64) {
		vw := make([]int32, len(ids))
		var t int64
		for i, v := range ids {
			vw[i] = int32(g.vw(int(v)))
			t += int64(vw[i])
		}
		return vw, t
	}
	if iso == 0 || iso < n/fewIsolated {
		c := &wgraph{xadj: g.Xadj, adj: g.Adjncy, adjw: g.EWgt, vw: g.VWgt}
		if c.vw == nil {
			c.vw = make([]int32, n)
			for i := range c.vw {
				c.vw[i] = 1
			}
			c.tvw = int64(n)
		} else {
			c.tvw = g.TotalVertexWeight()
		}
		return c, nil
	}
	ids := make([]int32, 0, n-iso)
	local := make([]int32, n)
	for v := 0; v < n; v++ {
		if g.Xadj[v+1] > g.Xadj[v] {
			local[v] = int32(len(ids))
			ids = append(ids, int32(v))
		}
	}
	c := &wgraph{xadj: make([]int64, len(ids)+1), adj: make([]int32, len(g.Adjncy))}
	c.vw, c.tvw = vwOf(ids)
	if g.EWgt != nil {
		c.adjw = slices.Clone(g.EWgt) // entries keep their order
	}
	parallelFor(len(ids), 1<<14, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v := ids[i]
			for e := g.Xadj[v]; e < g.Xadj[v+1]; e++ {
				c.adj[e] = local[g.Adjncy[e]]
			}
		}
	})
	for i, v := range ids {
		c.xadj[i+1] = g.Xadj[v+1]
	}
	return c, ids
}

// fill places the degree-0 vertices (those not in coreIDs) heaviest first,
// each into the currently lightest part (lowest index among equals), which
// evens out the part weights the core partition left.
func fill(g *Graph, part []int32, coreIDs []int32, k int, coreN int) {
	n := g.NumNodes()
	if coreIDs == nil && coreN == n {
		return
	}
	pw := make([]int64, k)
	var iso []int32
	for v := 0; v < n; v++ {
		if g.Xadj[v+1] > g.Xadj[v] {
			pw[part[v]] += g.vw(v)
		} else {
			iso = append(iso, int32(v))
		}
	}
	slices.SortStableFunc(iso, func(a, b int32) int {
		return int(g.vw(int(b)) - g.vw(int(a)))
	})
	h := newPartHeap(pw)
	for _, v := range iso {
		p := h.min()
		part[v] = p
		h.add(p, g.vw(int(v)))
	}
}

// partHeap is a min-heap of parts by weight (ties: lower part id).
type partHeap struct {
	w    []int64
	heap []int32
}

func newPartHeap(w []int64) *partHeap {
	h := &partHeap{w: w, heap: make([]int32, len(w))}
	for i := range h.heap {
		h.heap[i] = int32(i)
	}
	for i := len(h.heap)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
	return h
}

func (h *partHeap) less(i, j int) bool {
	a, b := h.heap[i], h.heap[j]
	return h.w[a] < h.w[b] || (h.w[a] == h.w[b] && a < b)
}

func (h *partHeap) min() int32 { return h.heap[0] }

// add increases the weight of the minimum part p by x.
func (h *partHeap) add(p int32, x int64) {
	h.w[p] += x
	h.down(0)
}

func (h *partHeap) down(i int) {
	n := len(h.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && h.less(r, l) {
			c = r
		}
		if !h.less(c, i) {
			return
		}
		h.heap[i], h.heap[c] = h.heap[c], h.heap[i]
		i = c
	}
}

// ensureNonEmpty gives every empty part one vertex, taken from the
// heaviest part holding more than one vertex: the one with the fewest
// neighbours in its own part.
func ensureNonEmpty(g *Graph, part []int32, k int) {
	n := g.NumNodes()
	if n < k {
		return
	}
	cnt := make([]int, k)
	pw := make([]int64, k)
	for v := 0; v < n; v++ {
		cnt[part[v]]++
		pw[part[v]] += g.vw(v)
	}
	for p := 0; p < k; p++ {
		if cnt[p] > 0 {
			continue
		}
		from := -1
		for q := 0; q < k; q++ {
			if cnt[q] > 1 && (from < 0 || pw[q] > pw[from]) {
				from = q
			}
		}
		best, bestIn := -1, int64(0)
		for v := 0; v < n; v++ {
			if int(part[v]) != from {
				continue
			}
			var in int64
			for e := g.Xadj[v]; e < g.Xadj[v+1]; e++ {
				if part[g.Adjncy[e]] == part[v] {
					in += g.ew(e)
				}
			}
			if best < 0 || in < bestIn {
				best, bestIn = v, in
			}
		}
		part[best] = int32(p)
		cnt[from]--
		cnt[p]++
		pw[from] -= g.vw(best)
		pw[p] += g.vw(best)
	}
}

// EdgeCut computes, from scratch, the edge cut of a k-way partition of g
// (each undirected edge counted once, by weight) and the part weights. It
// fails if part has the wrong length or an id outside [0, k).
func EdgeCut(g *Graph, part []int32, k int) (int64, []int64, error) {
	n := g.NumNodes()
	if len(part) != n {
		return 0, nil, fmt.Errorf("partition: %d part ids for %d vertices", len(part), n)
	}
	pw := make([]int64, k)
	for v, p := range part {
		if p < 0 || int(p) >= k {
			return 0, nil, fmt.Errorf("partition: vertex %d: part %d out of range [0, %d)", v, p, k)
		}
		pw[p] += g.vw(v)
	}
	var cut int64
	for v := 0; v < n; v++ {
		for e := g.Xadj[v]; e < g.Xadj[v+1]; e++ {
			if part[g.Adjncy[e]] != part[v] {
				cut += g.ew(e)
			}
		}
	}
	return cut / 2, pw, nil
}

// Imbalance returns the heaviest part weight divided by total/k (1 is
// perfect balance).
func Imbalance(weights []int64, total int64) float64 {
	if total == 0 || len(weights) == 0 {
		return 1
	}
	return float64(slices.Max(weights)) * float64(len(weights)) / float64(total)
}
