package pebblestore

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

const (
	// Cache keys: bit 63 tags edge blocks, bits 40..62 hold the table id,
	// bits 0..39 the chunk or block index.
	maxTableID = 1 << 23
	maxRows    = 1 << 40
	edgeBit    = 1 << 63
)

// table is one feature attribute: chunks of chunkRows rows, each stored as
// chunkRows*rowBytes bytes of little-endian float32 followed by a presence
// bitmap of ceil(chunkRows/8) bytes. Writers of one table are serialised by
// wmu; readers take no lock.
type table struct {
	b        *Backend
	info     store.AttrInfo
	id       uint32
	shift    uint // log2(chunkRows)
	rowBytes int
	valLen   int
	lo, hi   []byte // key span of the table's chunks
	wmu      sync.Mutex
	dropped  atomic.Bool
}

func (b *Backend) newTable(key store.Key, rec attrRecord) *table {
	t := &table{
		b:        b,
		info:     store.AttrInfo{Key: key, Rows: rec.rows, Cols: rec.cols},
		id:       rec.id,
		shift:    uint(bits.TrailingZeros(uint(rec.chunkRows))),
		rowBytes: 4 * rec.cols,
	}
	t.valLen = rec.chunkRows*t.rowBytes + (rec.chunkRows+7)/8
	t.lo, t.hi = tableSpan(tagChunk, rec.id)
	return t
}

func (t *table) chunkRows() int              { return 1 << t.shift }
func (t *table) cacheKey(chunk int64) uint64 { return uint64(t.id)<<40 | uint64(chunk) }

// Info implements store.FeatureTable.
func (t *table) Info() store.AttrInfo { return t.info }

// present reports whether row r (within its chunk) is present in val.
func (t *table) present(val []byte, r int) bool {
	bm := val[t.chunkRows()*t.rowBytes:]
	return bm[r>>3]&(1<<(r&7)) != 0
}

func (t *table) checkVal(chunk int64, val []byte) error {
	if len(val) != t.valLen {
		return fmt.Errorf("%w: %v chunk %d has %d bytes, want %d", errCorrupt, t.info.Key, chunk, len(val), t.valLen)
	}
	return nil
}

// copyRow copies row id out of its chunk value (nil: absent chunk) into
// dst row i, reporting false if the row is absent.
func (t *table) copyRow(dst *tensor.Dense, i int, val []byte, id int64) bool {
	r := int(id & (1<<t.shift - 1))
	if val == nil || !t.present(val, r) {
		return false
	}
	off := r * t.rowBytes
	bytesToFloats(dst.Data[i*dst.Stride:i*dst.Stride+t.info.Cols], val[off:off+t.rowBytes])
	return true
}

// absent tracks the absent row at the smallest request position, the one
// a Get reports (as the memory backend does, reading in request order).
type absent struct {
	pos int // -1: none
	id  int64
}

func (a *absent) note(pos int, id int64) {
	if a.pos < 0 || pos < a.pos {
		a.pos, a.id = pos, id
	}
}

func (t *table) absentErr(a absent) error {
	if a.pos < 0 {
		return nil
	}
	return store.RowError("get", t.info.Key, a.id, store.ErrNotFound)
}

// miss is a requested row whose chunk was not in the cache.
type miss struct {
	id    int64
	pos   int
	epoch uint64
}

// getScratch holds the per-call buffers of Get, pooled.
type getScratch struct {
	keys   []uint64
	hits   []cacheHit
	order  []int32
	misses []miss
}

var scratchPool = sync.Pool{New: func() any { return new(getScratch) }}

func (sc *getScratch) grow(n int) {
	if cap(sc.keys) < n {
		sc.keys, sc.hits, sc.order = make([]uint64, n), make([]cacheHit, n), make([]int32, n)
	}
	sc.keys, sc.hits, sc.order = sc.keys[:n], sc.hits[:n], sc.order[:n]
}

// cacheValue returns the copy of a stored chunk value the row cache keeps,
// and its mask. A chunk of at most 64 rows is cached without its bitmap
// (the mask carries it), so a 4 KiB chunk is exactly a 4 KiB allocation
// (one more byte would round up to Go's 4864-byte size class).
func (t *table) cacheValue(val []byte) ([]byte, uint64) {
	if val == nil {
		return nil, 0
	}
	if t.shift <= 6 {
		n := t.chunkRows() * t.rowBytes
		return append(make([]byte, 0, n), val[:n]...), t.mask(val)
	}
	return append(make([]byte, 0, len(val)), val...), 0
}

// mask summarises which rows of a chunk value are present, for chunks of
// at most 64 rows (the cache keeps it beside the value, so a hit checks
// presence without touching the value's bitmap).
func (t *table) mask(val []byte) uint64 {
	if val == nil || t.shift > 6 {
		return 0
	}
	bm := val[t.chunkRows()*t.rowBytes:]
	var m uint64
	for i, b := range bm {
		m |= uint64(b) << (8 * i)
	}
	return m
}

// Get implements store.FeatureTable: the row cache is asked for the whole
// batch at once (one lock per shard), hits are copied, and misses are
// sorted by row and read from Pebble chunk by chunk.
func (t *table) Get(ctx context.Context, ids []int64, dst *tensor.Dense) error {
	if t.dropped.Load() {
		return store.ErrNotFound
	}
	rc := t.b.rc
	sc := scratchPool.Get().(*getScratch)
	misses := sc.misses[:0]
	defer func() {
		clear(sc.hits) // do not keep cache values alive from the pool
		sc.misses = misses[:0]
		scratchPool.Put(sc)
	}()
	missing := absent{pos: -1}
	if rc == nil {
		for i, id := range ids {
			misses = append(misses, miss{id: id, pos: i})
		}
	} else {
		sc.grow(len(ids))
		for i, id := range ids {
			sc.keys[i] = t.cacheKey(id >> t.shift)
		}
		rc.lookup(sc.keys, sc.hits, sc.order)
		small := t.shift <= 6
		cols, rmask := t.info.Cols, int64(1)<<t.shift-1
		for i, id := range ids {
			h := &sc.hits[i]
			if !h.ok {
				misses = append(misses, miss{id: id, pos: i, epoch: h.epoch})
				continue
			}
			r := int(id & rmask)
			if h.val == nil || (small && h.mask&(1<<r) == 0) || (!small && !t.present(h.val, r)) {
				missing.note(i, id)
				continue
			}
			off := r * t.rowBytes
			bytesToFloats(dst.Data[i*dst.Stride:i*dst.Stride+cols], h.val[off:off+t.rowBytes])
		}
	}
	if len(misses) == 0 {
		return t.absentErr(missing)
	}
	slices.SortFunc(misses, func(a, b miss) int {
		if a.id != b.id {
			return cmp64(a.id, b.id)
		}
		return a.pos - b.pos
	})
	if err := t.readMisses(ctx, misses, dst, &missing); err != nil {
		return err
	}
	return t.absentErr(missing)
}

// readMisses reads the chunks of misses (sorted by id) from Pebble, caches
// them and fills their rows, splitting the work over several goroutines
// (each with its own iterator) when there are many distinct chunks.
func (t *table) readMisses(ctx context.Context, misses []miss, dst *tensor.Dense, missing *absent) error {
	// Cut points between chunks.
	parts := t.b.opts.ReadParallelism
	nChunks := 1
	for i := 1; i < len(misses); i++ {
		if misses[i].id>>t.shift != misses[i-1].id>>t.shift {
			nChunks++
		}
	}
	const minChunksPerPart = 32
	parts = min(parts, nChunks/minChunksPerPart)
	if parts <= 1 {
		return t.readPart(ctx, misses, dst, missing)
	}
	var wg sync.WaitGroup
	errs := make([]error, parts)
	abs := make([]absent, parts)
	for p := range abs {
		abs[p].pos = -1
	}
	per := (len(misses) + parts - 1) / parts
	lo := 0
	for p := 0; p < parts && lo < len(misses); p++ {
		hi := min(lo+per, len(misses))
		for hi < len(misses) && misses[hi].id>>t.shift == misses[hi-1].id>>t.shift {
			hi++ // never split a chunk between parts
		}
		wg.Add(1)
		go func(p int, part []miss) {
			defer wg.Done()
			errs[p] = t.readPart(ctx, part, dst, &abs[p])
		}(p, misses[lo:hi])
		lo = hi
	}
	wg.Wait()
	for p, err := range errs {
		if err != nil {
			return err
		}
		if abs[p].pos >= 0 {
			missing.note(abs[p].pos, abs[p].id)
		}
	}
	return nil
}

// readPart serves misses (sorted, whole chunks) with one iterator.
func (t *table) readPart(ctx context.Context, misses []miss, dst *tensor.Dense, missing *absent) error {
	it, err := t.b.db.NewIter(&pebble.IterOptions{LowerBound: t.lo, UpperBound: t.hi})
	if err != nil {
		return err
	}
	defer it.Close()
	rc := t.b.rc
	var kb [13]byte
	for i, n := 0, 0; i < len(misses); n++ {
		c := misses[i].id >> t.shift
		j := i + 1
		for j < len(misses) && misses[j].id>>t.shift == c {
			j++
		}
		if n%64 == 63 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		val, err := t.seek(it, kb[:0], c)
		if err != nil {
			return err
		}
		if rc != nil {
			cv, m := t.cacheValue(val)
			rc.insert(t.cacheKey(c), cv, m, misses[i].epoch)
		}
		for _, m := range misses[i:j] {
			if !t.copyRow(dst, m.pos, val, m.id) {
				missing.note(m.pos, m.id)
			}
		}
		i = j
	}
	return it.Error()
}

// seek positions it at chunk c and returns its value (owned by the
// iterator until it moves), or nil if the chunk does not exist.
func (t *table) seek(it *pebble.Iterator, kb []byte, c int64) ([]byte, error) {
	key := chunkKey(kb, t.id, c)
	if !it.SeekGE(key) || string(it.Key()) != string(key) {
		return nil, it.Error()
	}
	val, err := it.ValueAndErr()
	if err != nil {
		return nil, err
	}
	return val, t.checkVal(c, val)
}

// GetRange implements store.TableRangeGetter with one forward scan, not
// touching the cache (a scan would only evict the hot set).
func (t *table) GetRange(ctx context.Context, lo int64, dst *tensor.Dense) error {
	if t.dropped.Load() {
		return store.ErrNotFound
	}
	it, err := t.b.db.NewIter(&pebble.IterOptions{LowerBound: t.lo, UpperBound: t.hi})
	if err != nil {
		return err
	}
	defer it.Close()
	hi := lo + int64(dst.Rows)
	var kb [13]byte
	first := lo >> t.shift
	key := chunkKey(kb[:0], t.id, first)
	valid := it.SeekGE(key)
	cols, cr := t.info.Cols, int64(t.chunkRows())
	for c := first; c <= (hi-1)>>t.shift; c++ {
		if (c-first)%256 == 255 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		key = chunkKey(kb[:0], t.id, c)
		var val []byte
		if valid && string(it.Key()) == string(key) {
			if val, err = it.ValueAndErr(); err != nil {
				return err
			}
			if err := t.checkVal(c, val); err != nil {
				return err
			}
		}
		rlo, rhi := max(lo, c*cr), min(hi, (c+1)*cr) // rows of this chunk
		if val == nil {
			return store.RowError("get", t.info.Key, rlo, store.ErrNotFound)
		}
		for id := rlo; id < rhi; id++ {
			if !t.present(val, int(id-c*cr)) {
				return store.RowError("get", t.info.Key, id, store.ErrNotFound)
			}
		}
		src := val[int(rlo-c*cr)*t.rowBytes : int(rhi-c*cr)*t.rowBytes]
		i := int(rlo - lo)
		if dst.Stride == cols {
			bytesToFloats(dst.Data[i*cols:int(rhi-lo)*cols], src)
		} else {
			for r := 0; r < int(rhi-rlo); r++ {
				bytesToFloats(dst.Row(i+r), src[r*t.rowBytes:(r+1)*t.rowBytes])
			}
		}
		valid = it.Next() // only now: val belongs to the iterator position
	}
	return it.Error()
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
