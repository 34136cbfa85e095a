package pebblestore

import (
	"math/bits"
	"sync"
)

// rowCache is a sharded CLOCK cache of immutable byte values (decoded
// feature chunks and edge blocks) in front of Pebble. A nil value is a
// cached "absent" answer.
//
// Consistency with writers. The cache never holds a value older than the
// newest committed one once that commit's write has returned, and a reader
// never inserts a value it read before a concurrent commit:
//   - a writer calls beginWrite(key) before committing: the entry is dropped
//     and the key marked pending, so readers miss and read Pebble (which
//     holds the newest committed value) and may not insert;
//   - after the commit (or its failure) endWrite installs the new value (or
//     nothing) and clears the mark;
//   - every begin/end bumps the shard's epoch, and a reader's insert is
//     accepted only if the epoch is unchanged since its miss.
//
// Readers copy out of returned values without holding a lock: values are
// never modified after insertion, only replaced.
type rowCache struct {
	shards []cacheShard
	shift  uint // 64 - log2(len(shards))
}

type cacheShard struct {
	mu      sync.Mutex
	index   map[uint64]int32
	slots   []cacheSlot
	free    []int32
	hand    int
	used    int64
	cap     int64
	epoch   uint64
	pending map[uint64]int
	hits    int64
	misses  int64
	_       [40]byte // keep shards on separate cache lines
}

type cacheSlot struct {
	key  uint64
	val  []byte
	mask uint64 // caller-defined summary of val (present rows of a chunk)
	ref  bool
	live bool
}

// slotOverhead approximates the bookkeeping bytes of one entry.
const slotOverhead = 64

func newRowCache(capacity int64) *rowCache {
	n := 1
	for n < 64 && capacity/int64(n*2) >= 4<<20 {
		n *= 2
	}
	c := &rowCache{shards: make([]cacheShard, n), shift: uint(64 - bits.TrailingZeros(uint(n)))}
	for i := range c.shards {
		c.shards[i].index = map[uint64]int32{}
		c.shards[i].pending = map[uint64]int{}
		c.shards[i].cap = capacity / int64(n)
	}
	return c
}

func (c *rowCache) shard(key uint64) *cacheShard { return &c.shards[c.shardIndex(key)] }

func (c *rowCache) shardIndex(key uint64) int {
	if len(c.shards) == 1 {
		return 0
	}
	return int((key * 0x9e3779b97f4a7c15) >> c.shift)
}

// cacheHit is the answer of lookup for one key.
type cacheHit struct {
	val   []byte
	mask  uint64
	epoch uint64 // on a miss: pass to insert
	ok    bool
	shard uint8
}

// lookup answers a batch of keys, locking each shard once: keys are
// grouped by shard first (a counting sort), so the map lookups of one
// shard run back to back without atomic operations between them and the
// CPU overlaps their cache misses. order is scratch of len(keys).
func (c *rowCache) lookup(keys []uint64, out []cacheHit, order []int32) {
	var start [65]int32
	for i, k := range keys {
		s := c.shardIndex(k)
		out[i].shard = uint8(s)
		start[s+1]++
	}
	for s := 1; s <= len(c.shards); s++ {
		start[s] += start[s-1]
	}
	next := start
	for i := range keys {
		s := out[i].shard
		order[next[s]] = int32(i)
		next[s]++
	}
	for si := range c.shards {
		lo, hi := start[si], start[si+1]
		if lo == hi {
			continue
		}
		s := &c.shards[si]
		s.mu.Lock()
		for _, i := range order[lo:hi] {
			h := &out[i]
			if j, hit := s.index[keys[i]]; hit {
				sl := &s.slots[j]
				if !sl.ref {
					sl.ref = true
				}
				h.val, h.mask, h.ok = sl.val, sl.mask, true
				s.hits++
			} else {
				h.val, h.ok, h.epoch = nil, false, s.epoch
				s.misses++
			}
		}
		s.mu.Unlock()
	}
}

// get returns the cached value of key. On a miss it returns the shard's
// epoch, to pass to insert.
func (c *rowCache) get(key uint64) (val []byte, ok bool, epoch uint64) {
	s := c.shard(key)
	s.mu.Lock()
	if i, hit := s.index[key]; hit {
		sl := &s.slots[i]
		sl.ref = true
		val = sl.val
		s.hits++
		s.mu.Unlock()
		return val, true, 0
	}
	s.misses++
	epoch = s.epoch
	s.mu.Unlock()
	return nil, false, epoch
}

// insert caches val (and its mask) for key if no write touched the shard
// since the miss that returned epoch.
func (c *rowCache) insert(key uint64, val []byte, mask, epoch uint64) {
	s := c.shard(key)
	s.mu.Lock()
	if s.epoch == epoch && s.pending[key] == 0 {
		s.set(key, val, mask)
	}
	s.mu.Unlock()
}

// beginWrite marks keys as being written (see rowCache).
func (c *rowCache) beginWrite(keys []uint64) {
	for _, k := range keys {
		s := c.shard(k)
		s.mu.Lock()
		s.pending[k]++
		s.remove(k)
		s.epoch++
		s.mu.Unlock()
	}
}

// endWrite ends the writes of beginWrite; when committed, vals[i] (nil =
// absent) with masks[i] becomes the cached value of keys[i].
func (c *rowCache) endWrite(keys []uint64, vals [][]byte, masks []uint64, committed bool) {
	for i, k := range keys {
		s := c.shard(k)
		s.mu.Lock()
		if s.pending[k]--; s.pending[k] <= 0 {
			delete(s.pending, k)
		}
		if committed {
			s.set(k, vals[i], masks[i])
		}
		s.epoch++
		s.mu.Unlock()
	}
}

// stats sums the shards' counters.
func (c *rowCache) stats() (hits, misses, used int64, entries int) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		hits += s.hits
		misses += s.misses
		used += s.used
		entries += len(s.index)
		s.mu.Unlock()
	}
	return
}

// set inserts or replaces key, evicting by CLOCK to stay within capacity.
// Caller holds mu.
func (s *cacheShard) set(key uint64, val []byte, mask uint64) {
	size := int64(len(val)) + slotOverhead
	if size > s.cap {
		s.remove(key)
		return
	}
	if i, ok := s.index[key]; ok {
		sl := &s.slots[i]
		s.used += int64(len(val)) - int64(len(sl.val))
		sl.val, sl.mask, sl.ref = val, mask, true
		s.evict(i)
		return
	}
	s.used += size
	s.evict(-1)
	var i int32
	if n := len(s.free); n > 0 {
		i = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		s.slots = append(s.slots, cacheSlot{})
		i = int32(len(s.slots) - 1)
	}
	s.slots[i] = cacheSlot{key: key, val: val, mask: mask, live: true}
	s.index[key] = i
}

// evict removes entries other than keep until the shard fits.
func (s *cacheShard) evict(keep int32) {
	for s.used > s.cap && len(s.index) > 0 {
		if s.hand >= len(s.slots) {
			s.hand = 0
		}
		i := int32(s.hand)
		s.hand++
		sl := &s.slots[i]
		if !sl.live || i == keep {
			continue
		}
		if sl.ref {
			sl.ref = false
			continue
		}
		s.removeSlot(i)
	}
}

func (s *cacheShard) remove(key uint64) {
	if i, ok := s.index[key]; ok {
		s.removeSlot(i)
	}
}

func (s *cacheShard) removeSlot(i int32) {
	sl := &s.slots[i]
	s.used -= int64(len(sl.val)) + slotOverhead
	delete(s.index, sl.key)
	*sl = cacheSlot{}
	s.free = append(s.free, i)
}
