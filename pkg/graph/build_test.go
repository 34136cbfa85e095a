package graph

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func randomCOO(r *rand.Rand, n, m int, weighted bool) COO {
	c := COO{NumNodes: n, Src: make([]int32, m), Dst: make([]int32, m)}
	if weighted {
		c.Weight = make([]float32, m)
	}
	for e := 0; e < m; e++ {
		c.Src[e] = int32(r.IntN(n))
		c.Dst[e] = int32(r.IntN(n))
		if weighted {
			c.Weight[e] = r.Float32()
		}
	}
	return c
}

func TestToCSRStableAndRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		n, m int
	}{
		{"empty", 5, 0},
		{"tiny", 3, 7},
		{"parallel", 1000, 200000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(tt.m)))
			coo := randomCOO(r, tt.n, tt.m, true)
			csr := coo.ToCSR()
			if err := csr.Validate(); err != nil {
				t.Fatal(err)
			}
			// Stable: within a node, edge ids ascend (the input order).
			for v := 0; v < tt.n; v++ {
				ids := csr.EdgeID[csr.Indptr[v]:csr.Indptr[v+1]]
				if !slices.IsSorted(ids) {
					t.Fatalf("node %d: edge ids %v not in input order", v, ids)
				}
				for k := csr.Indptr[v]; k < csr.Indptr[v+1]; k++ {
					e := csr.EdgeID[k]
					if coo.Src[e] != int32(v) || coo.Dst[e] != csr.Indices[k] || coo.Weight[e] != csr.Weight[k] {
						t.Fatalf("entry %d does not match edge %d", k, e)
					}
				}
			}
			csc := csr.Transpose()
			back := csc.ToCOO()
			for i := range back.Src {
				e := back.EdgeID[i]
				if back.Src[i] != coo.Src[e] || back.Dst[i] != coo.Dst[e] {
					t.Fatalf("round trip lost edge %d", e)
				}
			}
		})
	}
}
