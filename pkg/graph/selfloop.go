package graph

// SelfLoopID is the edge id given to self loops that [AddSelfLoops] and
// [AddRemainingSelfLoops] create: they have no input edge to point to.
const SelfLoopID int64 = -1

// RemoveSelfLoops returns c without its self loops; the other edges keep
// their order, ids and weights.
func RemoveSelfLoops(c COO) COO {
	keep := func(e int) bool { return c.Src[e] != c.Dst[e] }
	return c.filter(keep)
}

// AddSelfLoops returns c with one self loop (v, v) appended for every node
// v, in node order, after the edges of c (existing loops stay, so a node
// may end up with two). New loops have edge id [SelfLoopID] and weight fill;
// the result is unweighted only if c is and fill == 1. This is PyG's
// add_self_loops.
func AddSelfLoops(c COO, fill float32) COO {
	return addLoops(c, fill, nil)
}

// AddRemainingSelfLoops is [AddSelfLoops] for the nodes that have no self
// loop yet; existing loops keep their ids and weights. This is PyG's
// add_remaining_self_loops, and the self-loop step of [GCNNorm].
func AddRemainingSelfLoops(c COO, fill float32) COO {
	has := make([]bool, c.NumNodes)
	for e, s := range c.Src {
		if s == c.Dst[e] {
			has[s] = true
		}
	}
	return addLoops(c, fill, has)
}

func addLoops(c COO, fill float32, skip []bool) COO {
	n, m := c.NumNodes, len(c.Src)
	add := n
	if skip != nil {
		for _, s := range skip {
			if s {
				add--
			}
		}
	}
	out := COO{NumNodes: n, Src: make([]int32, m, m+add), Dst: make([]int32, m, m+add), EdgeID: make([]int64, m, m+add)}
	copy(out.Src, c.Src)
	copy(out.Dst, c.Dst)
	for e := range m {
		out.EdgeID[e] = c.ID(int64(e))
	}
	weighted := c.Weight != nil || fill != 1
	if weighted {
		out.Weight = make([]float32, m, m+add)
		if c.Weight != nil {
			copy(out.Weight, c.Weight)
		} else {
			for e := range out.Weight {
				out.Weight[e] = 1
			}
		}
	}
	for v := range n {
		if skip != nil && skip[v] {
			continue
		}
		out.Src = append(out.Src, int32(v))
		out.Dst = append(out.Dst, int32(v))
		out.EdgeID = append(out.EdgeID, SelfLoopID)
		if weighted {
			out.Weight = append(out.Weight, fill)
		}
	}
	return out
}

// filter returns the edges e of c with keep(e) true, in order, with their
// ids and weights.
func (c *COO) filter(keep func(e int) bool) COO {
	m := len(c.Src)
	out := COO{NumNodes: c.NumNodes, Src: make([]int32, 0, m), Dst: make([]int32, 0, m), EdgeID: make([]int64, 0, m)}
	if c.Weight != nil {
		out.Weight = make([]float32, 0, m)
	}
	for e := range m {
		if !keep(e) {
			continue
		}
		out.Src = append(out.Src, c.Src[e])
		out.Dst = append(out.Dst, c.Dst[e])
		out.EdgeID = append(out.EdgeID, c.ID(int64(e)))
		if c.Weight != nil {
			out.Weight = append(out.Weight, c.Weight[e])
		}
	}
	return out
}
