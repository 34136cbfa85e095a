package kernelstest

import (
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// RMAT returns m directed edges (src[e] -> dst[e]) of an R-MAT graph on n
// nodes with Graph500's quadrant probabilities a=.57, b=.19, c=.19, d=.05:
// each edge descends log2(n) (rounded up) levels of the adjacency matrix,
// edges that land outside [0, n) are drawn again, and node ids are
// relabelled by a random permutation, as Graph500 does. Self loops and
// duplicate edges are kept. The same (n, m, seed) always gives the same
// edges. It makes the benchmark graphs shared with the PyTorch peer (see
// bench/kernels.sh); it is not a data set generator (pkg/dataset has one).
func RMAT(n int, m int64, seed uint64) (src, dst []int32) {
	const a, b, c = 0.57, 0.19, 0.19
	rng := rand.New(rand.NewPCG(seed, 0x52_4d_41_54))
	levels := bits.Len(uint(max(n-1, 1)))
	src = make([]int32, 0, m)
	dst = make([]int32, 0, m)
	for int64(len(src)) < m {
		var u, v int
		for l := 0; l < levels; l++ {
			r := rng.Float64()
			u <<= 1
			v <<= 1
			switch {
			case r < a:
			case r < a+b:
				v |= 1
			case r < a+b+c:
				u |= 1
			default:
				u |= 1
				v |= 1
			}
		}
		if u >= n || v >= n {
			continue
		}
		src = append(src, int32(u))
		dst = append(dst, int32(v))
	}
	perm := rng.Perm(n)
	for e := range src {
		src[e] = int32(perm[src[e]])
		dst[e] = int32(perm[dst[e]])
	}
	return src, dst
}

// InEdgeCSR returns the n x n CSR whose row v lists the sources of the
// edges into v in increasing order (duplicates kept): SpMM with it
// aggregates each node's in-neighbours, as message passing does. Sorted
// rows are the canonical CSR (graph builders and torch's CSR produce them).
// Values is nil (unweighted).
func InEdgeCSR(n int, src, dst []int32) tensor.CSR {
	a := tensor.CSR{Rows: n, Cols: n, Indptr: make([]int64, n+1), Indices: make([]int32, len(src))}
	for _, v := range dst {
		a.Indptr[v+1]++
	}
	for i := 0; i < n; i++ {
		a.Indptr[i+1] += a.Indptr[i]
	}
	next := make([]int64, n)
	copy(next, a.Indptr[:n])
	for e, v := range dst {
		a.Indices[next[v]] = src[e]
		next[v]++
	}
	for i := 0; i < n; i++ {
		slices.Sort(a.Indices[a.Indptr[i]:a.Indptr[i+1]])
	}
	return a
}

// CSRChecksum returns a cheap fingerprint of a's structure,
// sum(indptr) + sum_k (indices[k]+1) * (k mod 1009), that the PyTorch peer
// recomputes with numpy to show both sides run on the same graph.
func CSRChecksum(a tensor.CSR) int64 {
	var s int64
	for _, p := range a.Indptr {
		s += p
	}
	for k, c := range a.Indices {
		s += int64(c+1) * int64(k%1009)
	}
	return s
}
