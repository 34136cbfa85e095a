package graph

import "math"

// OutDegree returns the number of edges leaving each node.
func OutDegree(c COO) []int64 { return countBy(c.NumNodes, c.Src) }

// InDegree returns the number of edges entering each node.
func InDegree(c COO) []int64 { return countBy(c.NumNodes, c.Dst) }

// WeightedOutDegree returns, per node, the sum of the weights of the edges
// leaving it (the edge count if c is unweighted), summed in float64.
func WeightedOutDegree(c COO) []float64 { return sumBy(c.NumNodes, c.Src, c.Weight) }

// WeightedInDegree returns, per node, the sum of the weights of the edges
// entering it, summed in float64.
func WeightedInDegree(c COO) []float64 { return sumBy(c.NumNodes, c.Dst, c.Weight) }

// Degrees returns the number of entries of every node (out-degrees of a
// CSR, in-degrees of a CSC).
func (c *Compressed) Degrees() []int64 {
	d := make([]int64, c.NumNodes)
	for v := range d {
		d[v] = c.Indptr[v+1] - c.Indptr[v]
	}
	return d
}

// countBy counts the occurrences of each node in key, in parallel with
// per-worker counters merged in worker order.
func countBy(n int, key []int32) []int64 {
	m := len(key)
	w := workerCount(m)
	chunk := (m + w - 1) / max(w, 1)
	parts := make([][]int64, w)
	parallelFor(w, func(p int) {
		cnt := make([]int64, n)
		for _, k := range key[min(p*chunk, m):min((p+1)*chunk, m)] {
			cnt[k]++
		}
		parts[p] = cnt
	})
	if w == 0 {
		return make([]int64, n)
	}
	out := parts[0]
	for _, part := range parts[1:] {
		for v, x := range part {
			out[v] += x
		}
	}
	return out
}

// sumBy sums weights (ones if nil) per node of key, sequentially so the
// float64 result does not depend on the core count.
func sumBy(n int, key []int32, weight []float32) []float64 {
	out := make([]float64, n)
	for e, k := range key {
		if weight == nil {
			out[k]++
		} else {
			out[k] += float64(weight[e])
		}
	}
	return out
}

// GCNNorm returns the edges of D^-1/2 (A + I) D^-1/2 (Kipf and Welling's
// renormalisation) as edge weights: first a self loop of weight 1 is added
// to every node that has none ([AddRemainingSelfLoops]; existing loops keep
// their weight), then edge (u, v) of weight w gets w / sqrt(deg(u) deg(v)),
// where deg is the weighted in-degree of the looped graph (PyG's gcn_norm
// with flow source_to_target). Nodes of zero degree give weight 0 instead
// of Inf. Edge ids are kept; added loops have id [SelfLoopID].
func GCNNorm(c COO) COO {
	out := AddRemainingSelfLoops(c, 1)
	if out.Weight == nil {
		out.Weight = make([]float32, len(out.Src))
		for e := range out.Weight {
			out.Weight[e] = 1
		}
	}
	deg := WeightedInDegree(out)
	inv := make([]float64, len(deg))
	for v, d := range deg {
		if d > 0 {
			inv[v] = 1 / math.Sqrt(d)
		}
	}
	parallelRange(len(out.Src), func(lo, hi int) {
		for e := lo; e < hi; e++ {
			out.Weight[e] = float32(float64(out.Weight[e]) * inv[out.Src[e]] * inv[out.Dst[e]])
		}
	})
	return out
}
