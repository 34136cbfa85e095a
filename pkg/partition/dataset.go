package partition

import (
	"fmt"
	"slices"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// PermuteDataset returns a copy of ds with its nodes renumbered so that new
// node i is old node perm[i] (perm as from [Renumber]): features and
// labels are gathered in the new order, split ids are mapped and sorted,
// and the edges are mapped, then ordered by new source id (stable), with
// EdgeID recording each edge's original id, so that every part's
// out-edges are one contiguous range too. ds is not modified.
//
// Errors: ErrPerm when perm is not a permutation of ds's nodes; ds's own
// validation errors.
func PermuteDataset(ds *dataset.Dataset, perm []int32) (*dataset.Dataset, error) {
	n := ds.NumNodes()
	if err := CheckPerm(perm, n); err != nil {
		return nil, fmt.Errorf("partition: permute dataset %s: %w", ds.Name, err)
	}
	if err := ds.Validate(); err != nil {
		return nil, fmt.Errorf("partition: permute dataset: %w", err)
	}
	inv := Inverse(perm)
	out := &dataset.Dataset{Name: ds.Name, NumClasses: ds.NumClasses}
	out.Graph = permuteCOO(&ds.Graph, inv)
	if ds.Features != nil {
		f := tensor.New(n, ds.Features.Cols)
		parallelFor(n, 1<<10, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				copy(f.Row(i), ds.Features.Row(int(perm[i])))
			}
		})
		out.Features = f
	}
	if ds.Labels != nil {
		out.Labels = make([]int32, n)
		for i, old := range perm {
			out.Labels[i] = ds.Labels[old]
		}
	}
	mapIDs := func(ids []int32) []int32 {
		if ids == nil {
			return nil
		}
		m := make([]int32, len(ids))
		for i, v := range ids {
			m[i] = inv[v]
		}
		slices.Sort(m)
		return m
	}
	out.Split = dataset.Split{Name: ds.Split.Name, Train: mapIDs(ds.Split.Train),
		Valid: mapIDs(ds.Split.Valid), Test: mapIDs(ds.Split.Test)}
	return out, nil
}

// permuteCOO maps both endpoints through inv and stably counting-sorts the
// edges by new source, recording original edge ids.
func permuteCOO(c *graph.COO, inv []int32) graph.COO {
	n := c.NumNodes
	m := len(c.Src)
	start := make([]int64, n+1)
	for _, s := range c.Src {
		start[inv[s]+1]++
	}
	for i := 0; i < n; i++ {
		start[i+1] += start[i]
	}
	out := graph.COO{NumNodes: n, Src: make([]int32, m), Dst: make([]int32, m), EdgeID: make([]int64, m)}
	if c.Weight != nil {
		out.Weight = make([]float32, m)
	}
	for e := 0; e < m; e++ {
		s := inv[c.Src[e]]
		at := start[s]
		start[s]++
		out.Src[at] = s
		out.Dst[at] = inv[c.Dst[e]]
		out.EdgeID[at] = c.ID(int64(e))
		if c.Weight != nil {
			out.Weight[at] = c.Weight[e]
		}
	}
	return out
}
