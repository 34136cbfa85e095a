package sampling

// Relabelling maps global node ids (or (subgraph, node) pairs in disjoint
// mode) to positions in n_id. Two maps are offered: a dense array of one
// (stamp, local) pair per graph node, cleared in O(1) per batch by bumping
// the stamp (the fastest: one random access per edge), and an
// open-addressing hash map for disjoint keys or graphs too large for a
// dense array per worker.

type slot struct {
	stamp uint32
	local int32
}

// denseMap is keyed by node id. A slot is live when its stamp equals the
// map's current stamp.
type denseMap struct {
	stamp uint32
	slots []slot
}

// reset empties the map for a graph of n nodes.
func (m *denseMap) reset(n int) {
	if len(m.slots) != n {
		m.slots = make([]slot, n)
		m.stamp = 0
	}
	m.stamp++
	if m.stamp == 0 { // wrapped: stale stamps could collide
		clear(m.slots)
		m.stamp = 1
	}
}

// hashMap is an open-addressing (linear probing) map from a non-zero key to
// an int32, kept below half full.
type hashMap struct {
	keys []uint64
	vals []int32
	n    int
	mask uint64
}

// reset empties the map, sized for about hint keys.
func (m *hashMap) reset(hint int) {
	size := 64
	for size < 2*hint {
		size <<= 1
	}
	if len(m.keys) < size {
		m.keys = make([]uint64, size)
		m.vals = make([]int32, size)
	} else {
		clear(m.keys)
	}
	m.mask = uint64(len(m.keys) - 1)
	m.n = 0
}

// getOrAdd returns the value of key, or stores val for it and returns
// (val, true).
func (m *hashMap) getOrAdd(key uint64, val int32) (int32, bool) {
	for s := mix(key) & m.mask; ; s = (s + 1) & m.mask {
		switch m.keys[s] {
		case 0:
			if 2*(m.n+1) > len(m.keys) {
				m.grow()
				return m.getOrAdd(key, val)
			}
			m.keys[s] = key
			m.vals[s] = val
			m.n++
			return val, true
		case key:
			return m.vals[s], false
		}
	}
}

func (m *hashMap) grow() {
	keys, vals := m.keys, m.vals
	m.keys = make([]uint64, 2*len(keys))
	m.vals = make([]int32, 2*len(keys))
	m.mask = uint64(len(m.keys) - 1)
	for i, k := range keys {
		if k == 0 {
			continue
		}
		for s := mix(k) & m.mask; ; s = (s + 1) & m.mask {
			if m.keys[s] == 0 {
				m.keys[s] = k
				m.vals[s] = vals[i]
				break
			}
		}
	}
}

// pairKey packs (tag, node) into a non-zero hash key.
func pairKey(tag, v int32) uint64 {
	return (uint64(uint32(tag))<<32 | uint64(uint32(v))) + 1
}
