package sampling

import "math"

// choose draws k of n candidates and appends their entry positions in l to
// out. cand maps candidate j to entry cand[j] (nil: the identity). Callers
// have already handled "take all" for unweighted sampling without
// replacement, so here k < n in that case.
func (h *LocalHopSampler) choose(r *rng, l *list, cand []int32, n, k int, o *HopOptions, out []int32) []int32 {
	at := func(j int) int32 {
		if cand != nil {
			return cand[j]
		}
		return int32(j)
	}
	switch {
	case o.Weighted && o.Replace:
		return h.weightedReplace(r, l, cand, n, k, out)
	case o.Weighted:
		return h.weightedES(r, l, cand, n, k, out)
	case o.Replace:
		for range k {
			out = append(out, at(int(r.intn(uint64(n)))))
		}
		return out
	}
	start := len(out)
	out = h.floyd(r, n, k, out)
	if cand != nil {
		for i := start; i < len(out); i++ {
			out[i] = cand[out[i]]
		}
	}
	return out
}

// floyd appends k distinct uniform draws from [0, n) (Floyd's algorithm:
// for j = n-k..n-1 draw t in [0, j]; take t unless already taken, else j).
// Every k-subset is equally likely. Membership is a scan for small k and an
// open-addressing set otherwise.
func (h *LocalHopSampler) floyd(r *rng, n, k int, out []int32) []int32 {
	start := len(out)
	if k <= 32 {
		for j := n - k; j < n; j++ {
			t := int32(r.intn(uint64(j + 1)))
			for _, p := range out[start:] {
				if p == t {
					t = int32(j)
					break
				}
			}
			out = append(out, t)
		}
		return out
	}
	size := 64
	for size < 2*k {
		size <<= 1
	}
	if cap(h.set) < size {
		h.set = make([]uint64, size)
	}
	set := h.set[:size]
	clear(set)
	mask := uint64(size - 1)
	// insert reports whether t was absent (and adds it); slots hold t+1.
	insert := func(t int32) bool {
		key := uint64(t) + 1
		for s := mix(key) & mask; ; s = (s + 1) & mask {
			switch set[s] {
			case 0:
				set[s] = key
				return true
			case key:
				return false
			}
		}
	}
	for j := n - k; j < n; j++ {
		t := int32(r.intn(uint64(j + 1)))
		if !insert(t) {
			t = int32(j)
			insert(t)
		}
		out = append(out, t)
	}
	return out
}

// weightedES draws k entries without replacement with probability
// proportional to weight (successive sampling), using Efraimidis–Spirakis
// keys log(u)/w: the k largest keys win. Entries of weight 0 never win; if
// at most k entries have positive weight, all of them are taken.
func (h *LocalHopSampler) weightedES(r *rng, l *list, cand []int32, n, k int, out []int32) []int32 {
	keys := h.fkeys[:0]
	for j := range n {
		e := int32(j)
		if cand != nil {
			e = cand[j]
		}
		w := l.w[e]
		if w <= 0 {
			continue
		}
		keys = append(keys, keyed[float64]{key: math.Log(r.float64()) / float64(w), pos: e})
	}
	if k >= 0 && len(keys) > k {
		keys = topK(keys, k)
	}
	h.fkeys = keys
	for _, e := range keys {
		out = append(out, e.pos)
	}
	return out
}

// weightedReplace draws k entries with replacement, each with probability
// proportional to weight, by inverse CDF over prefix sums.
func (h *LocalHopSampler) weightedReplace(r *rng, l *list, cand []int32, n, k int, out []int32) []int32 {
	cum := h.cum[:0]
	total := 0.0
	for j := range n {
		e := int32(j)
		if cand != nil {
			e = cand[j]
		}
		total += float64(l.w[e])
		cum = append(cum, total)
	}
	h.cum = cum
	if !(total > 0) {
		return out
	}
	for range k {
		x := r.float64() * total // in (0, total]
		lo, hi := 0, n-1
		for lo < hi { // first j with cum[j] >= x
			mid := int(uint(lo+hi) >> 1)
			if cum[mid] < x {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		e := int32(lo)
		if cand != nil {
			e = cand[lo]
		}
		out = append(out, e)
	}
	return out
}

// keyed is an entry position with a sort key.
type keyed[K int64 | float64] struct {
	key K
	pos int32
}

func (a keyed[K]) less(b keyed[K]) bool {
	return a.key < b.key || (a.key == b.key && a.pos < b.pos)
}

// topK reorders items so that its first k hold the k largest (by key, then
// position) and returns them; items with len <= k are returned whole. It
// keeps a min-heap of the best k seen: O(n log k).
func topK[K int64 | float64](items []keyed[K], k int) []keyed[K] {
	if len(items) <= k {
		return items
	}
	if k <= 0 {
		return items[:0]
	}
	heap := items[:k]
	for i := k/2 - 1; i >= 0; i-- {
		siftDown(heap, i)
	}
	for _, it := range items[k:] {
		if heap[0].less(it) {
			heap[0] = it
			siftDown(heap, 0)
		}
	}
	return heap
}

func siftDown[K int64 | float64](h []keyed[K], i int) {
	n := len(h)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if c+1 < n && h[c+1].less(h[c]) {
			c++
		}
		if !h[c].less(h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}
