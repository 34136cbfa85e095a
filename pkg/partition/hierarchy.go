package partition

// hierarchy is the stack of graphs coarsen builds, finest (level 0, the
// input) to coarsest, with the vertex maps between consecutive levels.
//
// On graphs whose coarse levels keep most of their edges (power-law and
// random graphs: R-MAT's seven levels each hold about as many edges as
// the input), storing every level is the peak of a run's memory. So a
// large level with an odd index is dropped as soon as the level above it
// exists, keeping only the matching that made it; at uncoarsening it is
// contracted again from the level below, which is always kept (even
// index), and the rebuilt graph is identical (contract is deterministic).
// This trades one contraction per dropped level for half of the large
// levels' memory.
type hierarchy struct {
	levels  []*wgraph // nil: dropped, rebuilt by at
	cmaps   [][]int32 // cmaps[l] maps level l to level l+1
	matches [][]int32 // matches[l] built level l+1; kept only while that level is dropped
}

// dropMinEntries: levels with at least this many adjacency entries (32 MiB
// with their weights) may be dropped and rebuilt. Smaller levels cost
// little memory, and rebuilding them would only cost time.
var dropMinEntries = 1 << 22

// push makes cg, built from the current top by match (vertex map cmap),
// the new top, and then drops the level below it if that level has an odd
// index and is large.
func (h *hierarchy) push(cg *wgraph, cmap, match []int32) {
	h.levels = append(h.levels, cg)
	h.cmaps = append(h.cmaps, cmap)
	h.matches = append(h.matches, match)
	l := len(h.levels) - 2
	if l < 1 {
		return
	}
	if l%2 == 1 && len(h.levels[l].adj) >= dropMinEntries {
		h.levels[l] = nil // matches[l-1] rebuilds it
	} else {
		h.matches[l-1] = nil
	}
}

// seal ends the building: the top's matching is not needed (the top is
// never dropped).
func (h *hierarchy) seal() {
	if n := len(h.matches); n > 0 {
		h.matches[n-1] = nil
	}
}

// depth returns the number of levels.
func (h *hierarchy) depth() int { return len(h.levels) }

// top returns the coarsest level.
func (h *hierarchy) top() *wgraph { return h.levels[len(h.levels)-1] }

// at returns level l, contracting it again from level l-1 if it was
// dropped.
func (h *hierarchy) at(l int) *wgraph {
	if h.levels[l] == nil {
		h.levels[l], _ = contract(h.levels[l-1], h.matches[l-1], nil)
		h.matches[l-1] = nil
	}
	return h.levels[l]
}

// release frees level l+1 and the map into it once uncoarsening has
// projected it onto level l.
func (h *hierarchy) release(l int) {
	h.levels[l+1], h.cmaps[l] = nil, nil
}
