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

func (c *rowCache) shard(key uint64) *cacheShard {
	if len(c.shards) == 1 {
		return &c.shards[0]
	}
	return &c.shards[(key*0x9e3779b97f4a7c15)>>c.shift]
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

// insert caches val for key if no write touched the shard since the miss
// that returned epoch.
func (c *rowCache) insert(key uint64, val []byte, epoch uint64) {
	s := c.shard(key)
	s.mu.Lock()
	if s.epoch == epoch && s.pending[key] == 0 {
		s.set(key, val)
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
// absent) becomes the cached value of keys[i].
func (c *rowCache) endWrite(keys []uint64, vals [][]byte, committed bool) {
	for i, k := range keys {
		s := c.shard(k)
		s.mu.Lock()
		if s.pending[k]--; s.pending[k] <= 0 {
			delete(s.pending, k)
		}
		if committed {
			s.set(k, vals[i])
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
func (s *cacheShard) set(key uint64, val []byte) {
	size := int64(len(val)) + slotOverhead
	if size > s.cap {
		s.remove(key)
		return
	}
	if i, ok := s.index[key]; ok {
		sl := &s.slots[i]
		s.used += int64(len(val)) - int64(len(sl.val))
		sl.val, sl.ref = val, true
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
	s.slots[i] = cacheSlot{key: key, val: val, live: true}
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
