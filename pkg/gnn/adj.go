package gnn

import (
	"fmt"
	"math"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// SelfLoops returns m with every existing self loop (i, i) removed and one
// (i, i) appended to each target row i < Rows (targets are the first Rows
// sources). With keep, a target that had self loops keeps the weight of
// its last one (PyG's add_remaining_self_loops); otherwise, and for
// targets without one, the loop weighs fill (PyG's add_self_loops after
// remove_self_loops). Values stay nil when m has none and fill is 1.
func SelfLoops(m tensor.CSR, fill float32, keep bool) tensor.CSR {
	out := tensor.CSR{Rows: m.Rows, Cols: m.Cols, Indptr: make([]int64, m.Rows+1)}
	out.Indices = make([]int32, 0, int(m.NNZ())+m.Rows)
	weighted := m.Values != nil || fill != 1
	if weighted {
		out.Values = make([]float32, 0, cap(out.Indices))
	}
	for i := 0; i < m.Rows; i++ {
		loop := fill
		for k := m.Indptr[i]; k < m.Indptr[i+1]; k++ {
			c := m.Indices[k]
			if int(c) == i {
				if keep {
					loop = m.Value(k)
				}
				continue
			}
			out.Indices = append(out.Indices, c)
			if weighted {
				out.Values = append(out.Values, m.Value(k))
			}
		}
		out.Indices = append(out.Indices, int32(i))
		if weighted {
			out.Values = append(out.Values, loop)
		}
		out.Indptr[i+1] = int64(len(out.Indices))
	}
	return out
}

// GCNNorm returns the symmetric normalisation of a square adjacency,
// D^-1/2 (A + fill*I) D^-1/2 with D the weighted in-degree including the
// loops (PyG's gcn_norm: add_remaining_self_loops with fill 1, or 2 when
// improved, then deg^-1/2[src] * w * deg^-1/2[dst]; zero-degree nodes get
// 0). Without selfLoops the loops are not added. It is what GCNConv,
// APPNP and GCN2Conv compute when they normalise; GNNAutoScale runs call
// it once on the full graph and pass normalised batches with
// normalisation off.
func GCNNorm(m tensor.CSR, selfLoops, improved bool) (tensor.CSR, error) {
	if m.Rows != m.Cols {
		return tensor.CSR{}, fmt.Errorf("gnn: gcn normalisation needs a square adjacency, got %dx%d; normalise the full graph first", m.Rows, m.Cols)
	}
	fill := float32(1)
	if improved {
		fill = 2
	}
	a := m
	if selfLoops {
		a = SelfLoops(m, fill, true)
	}
	deg := make([]float64, a.Rows)
	for i := range deg {
		for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
			deg[i] += float64(a.Value(k))
		}
	}
	inv := make([]float64, len(deg))
	for i, d := range deg {
		if d > 0 {
			inv[i] = 1 / math.Sqrt(d)
		}
	}
	vals := make([]float32, a.NNZ())
	for i := 0; i < a.Rows; i++ {
		for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
			vals[k] = float32(inv[a.Indices[k]] * float64(a.Value(k)) * inv[i])
		}
	}
	a.Values = vals
	return a, nil
}

// gcnNormed returns the cached GCN-normalised form of s, panicking (a
// programmer error: the caller chose normalize on a batch) for a
// rectangular adjacency.
func gcnNormed(s *ad.Sparse, selfLoops, improved bool) *ad.Sparse {
	key := fmt.Sprintf("gcn_norm(loops=%v, improved=%v)", selfLoops, improved)
	return s.Derived(key, func(s *ad.Sparse) *ad.Sparse {
		m, err := GCNNorm(s.Matrix(), selfLoops, improved)
		if err != nil {
			panic(err)
		}
		return ad.MustSparse(m)
	})
}

// withSelfLoops returns the cached form of s with exactly one self loop per
// target (GATConv's remove_self_loops + add_self_loops).
func withSelfLoops(s *ad.Sparse) *ad.Sparse {
	return s.Derived("self_loops", func(s *ad.Sparse) *ad.Sparse {
		return ad.MustSparse(SelfLoops(s.Matrix(), 1, false))
	})
}
