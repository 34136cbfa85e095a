package sampling

import (
	"context"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// uniformCSC is the hot path of unweighted, non-temporal sampling from an
// in-memory CSC. It works in passes so that the random memory reads of a
// pass are independent of each other and the CPU overlaps their cache
// misses: (1) read every frontier node's offsets, (2) draw the sampled
// entry positions (pure computation: Floyd needs only the degree), (3)
// gather sources and edge ids at those positions. Its output equals the
// per-entry path's: same streams, same draws, same order.
func (h *LocalHopSampler) uniformCSC(ctx context.Context, frontier []int32, fanout int, o *HopOptions, dst *graph.Adjacency) {
	v := h.view
	n := len(frontier)
	if cap(h.lo) < 2*n {
		h.lo = make([]int64, 2*n)
	}
	lo, deg := h.lo[:n], h.lo[n:2*n]
	indptr := v.Indptr
	for i, u := range frontier {
		a := indptr[u]
		lo[i] = a
		deg[i] = indptr[u+1] - a
	}

	pos := h.pos[:0]
	for i, u := range frontier {
		if i&4095 == 4095 && ctx.Err() != nil {
			return
		}
		d, base := deg[i], lo[i]
		switch {
		case d == 0 || fanout == 0:
		case fanout < 0 || (!o.Replace && d <= int64(fanout)):
			for k := base; k < base+d; k++ {
				pos = append(pos, k)
			}
		default:
			var tag int32
			if o.Tags != nil {
				tag = o.Tags[i]
			}
			r := nodeRNG(o.Seed, u, tag)
			if o.Replace {
				for range fanout {
					pos = append(pos, base+int64(r.intn(uint64(d))))
				}
			} else {
				start := len(h.pick)
				h.pick = h.floyd(&r, int(d), fanout, h.pick)
				for _, k := range h.pick[start:] {
					pos = append(pos, base+int64(k))
				}
				h.pick = h.pick[:start]
			}
		}
		dst.Indptr = append(dst.Indptr, int64(len(pos)))
	}
	h.pos = pos

	m := len(pos)
	nbrs := grow(dst.Nbrs, m)
	eids := grow(dst.EdgeID, m)
	indices := v.Indices
	for j, k := range pos {
		nbrs[j] = indices[k]
	}
	if v.EdgeID != nil {
		ids := v.EdgeID
		for j, k := range pos {
			eids[j] = ids[k]
		}
	} else {
		copy(eids, pos)
	}
	dst.Nbrs, dst.EdgeID = nbrs, eids
}

// grow returns s resized to n (n >= len(s)), keeping its contents and
// reallocating only when capacity is short.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		t := make([]T, n, n+n/4)
		copy(t, s)
		return t
	}
	return s[:n]
}
