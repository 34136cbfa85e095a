package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// Ranged is a NeighborReader over several readers that each hold the
// in-neighbours of one contiguous range of destination nodes: reader i
// answers for nodes [bounds[i], bounds[i+1]), as graph servers holding
// the partitions of a renumbered graph do (a partition book's ranges).
// Each reader's edge type spans all bounds[len(readers)] nodes, with empty
// in-neighbour lists outside its range. A query is split by owner, the
// owners are asked in parallel, and their answers are merged back in
// request order.
type Ranged struct {
	readers []NeighborReader
	bounds  []int64
}

var _ NeighborReader = (*Ranged)(nil)

// NewRanged returns the reader over readers, reader i owning nodes
// [bounds[i], bounds[i+1]); bounds must start at 0 and not decrease.
func NewRanged(readers []NeighborReader, bounds []int64) (*Ranged, error) {
	if len(readers) == 0 || len(bounds) != len(readers)+1 || bounds[0] != 0 || !slices.IsSorted(bounds) {
		return nil, fmt.Errorf("%w: ranged reader: %d readers need %d non-decreasing bounds from 0, got %v", ErrInvalid, len(readers), len(readers)+1, bounds)
	}
	return &Ranged{readers: readers, bounds: bounds}, nil
}

// EdgeInfo implements NeighborReader: the readers' edge counts add up;
// their node counts must all be the total, and their attributes agree.
func (r *Ranged) EdgeInfo(ctx context.Context, et EdgeType) (EdgeInfo, error) {
	var sum EdgeInfo
	n := r.bounds[len(r.readers)]
	for i, rd := range r.readers {
		info, err := rd.EdgeInfo(ctx, et)
		if err != nil {
			return EdgeInfo{}, err
		}
		if int64(info.NumNodes) != n || (i > 0 && (info.Weighted != sum.Weighted || info.Timed != sum.Timed)) {
			return EdgeInfo{}, &Error{Op: "edge-info", Key: et.String(), Row: NoRow, Err: fmt.Errorf(
				"%w: part %d has %d nodes (weighted %v, timed %v), want %d like the others", ErrShape, i, info.NumNodes, info.Weighted, info.Timed, n)}
		}
		numEdges := sum.NumEdges + info.NumEdges
		sum = info
		sum.NumEdges = numEdges
	}
	return sum, nil
}

// owner returns the reader owning node v (v within bounds): the first
// whose range ends after v, which skips empty ranges.
func (r *Ranged) owner(v int32) int {
	return sort.Search(len(r.readers), func(i int) bool { return r.bounds[i+1] > int64(v) })
}

// Neighbors implements NeighborReader.
func (r *Ranged) Neighbors(ctx context.Context, et EdgeType, nodes []int32, dst *graph.Adjacency) error {
	if len(r.readers) == 1 {
		return r.readers[0].Neighbors(ctx, et, nodes, dst)
	}
	n := r.bounds[len(r.readers)]
	parts := make([][]int32, len(r.readers))
	owners := make([]int, len(nodes))
	for i, v := range nodes {
		if v < 0 || int64(v) >= n {
			return rangeErr("neighbors", et.String(), int64(v), n, i)
		}
		o := r.owner(v)
		owners[i] = o
		parts[o] = append(parts[o], v)
	}
	adjs := make([]graph.Adjacency, len(r.readers))
	errs := make([]error, len(r.readers))
	var wg sync.WaitGroup
	for o, q := range parts {
		if len(q) == 0 {
			continue
		}
		wg.Go(func() { errs[o] = r.readers[o].Neighbors(ctx, et, q, &adjs[o]) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	dst.Reset()
	next := make([]int, len(r.readers)) // the next answer of each owner
	for _, o := range owners {
		a := &adjs[o]
		k := next[o]
		next[o]++
		lo, hi := a.Indptr[k], a.Indptr[k+1]
		dst.Nbrs = append(dst.Nbrs, a.Nbrs[lo:hi]...)
		dst.EdgeID = append(dst.EdgeID, a.EdgeID[lo:hi]...)
		if len(a.Weight) > 0 {
			dst.Weight = append(dst.Weight, a.Weight[lo:hi]...)
		}
		if len(a.Time) > 0 {
			dst.Time = append(dst.Time, a.Time[lo:hi]...)
		}
		dst.Indptr = append(dst.Indptr, int64(len(dst.Nbrs)))
	}
	return nil
}
