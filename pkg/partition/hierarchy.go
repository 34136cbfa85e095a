package partition

// hierarchy is the stack of graphs coarsen builds, finest (level 0, the
// input) to coarsest, with the vertex maps between consecutive levels.
//
// On graphs whose coarse levels keep most of their edges (power-law and
// random graphs: R-MAT's seven levels each hold about as many edges as
// the input), storing every level is the peak of a run's memory. So a
// large level with an odd index is dropped as soon as its own matching is
// known: the level above it is contracted straight from the level below
// it (always kept: even index) through the two maps composed, and the
// dropped level is contracted again from the level below at uncoarsening
// (identical: contract is deterministic). Every level but the input is
// thus built while at most one other large level is held, and the cost is
// one more contraction per dropped level.
type hierarchy struct {
	levels  []*wgraph // nil: dropped, rebuilt by at
	cmaps   [][]int32 // cmaps[l] maps level l to level l+1
	matches [][]int32 // matches[l] built level l+1; kept only while that level is dropped
}

// dropMinEntries: levels with at least this many adjacency entries (8 MiB
// with their weights) may be dropped and rebuilt. Smaller levels cost
// little memory, and rebuilding them would only cost time.
var dropMinEntries = 1 << 20

// droppable reports whether level l (the top, about to be coarsened) is
// to be dropped: odd index and large.
func (h *hierarchy) droppable(l int) bool {
	return l%2 == 1 && len(h.levels[l].adj) >= dropMinEntries
}

// drop frees level l's graph: while coarsening, a level matches[l-1]
// rebuilds on demand (at); while uncoarsening, one whose partition has
// been projected down (the caller frees cmaps[l-1] after projecting).
func (h *hierarchy) drop(l int) {
	h.levels[l] = nil
}

// push makes cg, built by match (vertex map cmap) from the current top or,
// if the top was dropped, from the level below it, the new top. The
// matching that built the level below cg is freed unless that level was
// dropped.
func (h *hierarchy) push(cg *wgraph, cmap, match []int32) {
	h.levels = append(h.levels, cg)
	h.cmaps = append(h.cmaps, cmap)
	h.matches = append(h.matches, match)
	if l := len(h.levels) - 2; l >= 1 && h.levels[l] != nil {
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
