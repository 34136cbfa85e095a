package pebblestore

import (
	"context"
	"slices"

	"github.com/cockroachdb/pebble/v2"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// rowWrite is one row of a Put (pos into src) or Remove (pos < 0).
type rowWrite struct {
	id  int64
	pos int
}

// Put implements store.FeatureTable.
func (t *table) Put(ctx context.Context, ids []int64, src *tensor.Dense) error {
	ws := make([]rowWrite, len(ids))
	for i, id := range ids {
		ws[i] = rowWrite{id: id, pos: i}
	}
	return t.write(ctx, ws, src)
}

// PutRange implements store.TableRangePutter. A range of at least
// Options.IngestMinBytes is written as an ingested sstable.
func (t *table) PutRange(ctx context.Context, lo int64, src *tensor.Dense) error {
	if err := t.b.checkWritable(); err != nil {
		return err
	}
	if m := t.b.opts.IngestMinBytes; m > 0 && int64(src.Rows)*int64(t.rowBytes) >= m {
		return t.putRangeIngest(ctx, lo, src)
	}
	ws := make([]rowWrite, src.Rows)
	for i := range ws {
		ws[i] = rowWrite{id: lo + int64(i), pos: i}
	}
	return t.write(ctx, ws, src)
}

// Remove implements store.FeatureTable.
func (t *table) Remove(ctx context.Context, ids []int64) error {
	ws := make([]rowWrite, len(ids))
	for i, id := range ids {
		ws[i] = rowWrite{id: id, pos: -1}
	}
	return t.write(ctx, ws, nil)
}

// write applies ws as one atomic, synced batch: every touched chunk is
// rebuilt (from its stored value unless the write covers all its rows)
// and set, or deleted when no row remains present.
func (t *table) write(ctx context.Context, ws []rowWrite, src *tensor.Dense) error {
	if err := t.b.checkWritable(); err != nil {
		return err
	}
	t.wmu.Lock()
	defer t.wmu.Unlock()
	if t.dropped.Load() {
		return store.ErrNotFound
	}
	// Sort by row, then request position: the last write of a row wins.
	if !slices.IsSortedFunc(ws, cmpWrite) {
		slices.SortStableFunc(ws, cmpWrite)
	}
	cr := t.chunkRows()
	type chunkWrite struct {
		c      int64
		lo, hi int // ws[lo:hi]
		full   bool
	}
	var chunks []chunkWrite
	var need []int64 // chunks whose stored value must be read
	for i := 0; i < len(ws); {
		c := ws[i].id >> t.shift
		j, distinct, allPut := i, 0, true
		for ; j < len(ws) && ws[j].id>>t.shift == c; j++ {
			if j == i || ws[j].id != ws[j-1].id {
				distinct++
			}
			if ws[j].pos < 0 {
				allPut = false
			}
		}
		full := allPut && distinct == cr
		chunks = append(chunks, chunkWrite{c: c, lo: i, hi: j, full: full})
		if !full {
			need = append(need, c)
		}
		i = j
	}
	old, err := t.readChunks(ctx, need)
	if err != nil {
		return err
	}
	batch := t.b.db.NewBatchWithSize(len(chunks) * (t.valLen + 32))
	defer batch.Close()
	keys := make([]uint64, len(chunks))
	vals := make([][]byte, len(chunks))
	masks := make([]uint64, len(chunks))
	var kb [13]byte
	ni := 0
	for k, cw := range chunks {
		val := make([]byte, t.valLen)
		if !cw.full {
			if o := old[ni]; o != nil {
				copy(val, o)
			}
			ni++
		}
		bm := val[cr*t.rowBytes:]
		for _, w := range ws[cw.lo:cw.hi] {
			r := int(w.id - cw.c*int64(cr))
			if w.pos < 0 {
				bm[r>>3] &^= 1 << (r & 7)
				clear(val[r*t.rowBytes : (r+1)*t.rowBytes])
				continue
			}
			bm[r>>3] |= 1 << (r & 7)
			floatsToBytes(val[r*t.rowBytes:(r+1)*t.rowBytes], src.Row(w.pos))
		}
		key := chunkKey(kb[:0], t.id, cw.c)
		if allZero(bm) {
			batch.Delete(key, nil)
			val = nil
		} else {
			batch.Set(key, val, nil)
		}
		keys[k] = t.cacheKey(cw.c)
		vals[k], masks[k] = t.cacheValue(val)
	}
	return t.b.commit(ctx, batch, keys, vals, masks)
}

func cmpWrite(a, b rowWrite) int {
	if a.id != b.id {
		return cmp64(a.id, b.id)
	}
	return 0 // stable sort keeps request order within a row
}

// readChunks returns copies of the stored values of chunks (ascending),
// nil for chunks that do not exist.
func (t *table) readChunks(ctx context.Context, chunks []int64) ([][]byte, error) {
	out := make([][]byte, len(chunks))
	if len(chunks) == 0 {
		return out, nil
	}
	it, err := t.b.db.NewIter(&pebble.IterOptions{LowerBound: t.lo, UpperBound: t.hi})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var kb [13]byte
	for i, c := range chunks {
		if i%256 == 255 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		val, err := t.seek(it, kb[:0], c)
		if err != nil {
			return nil, err
		}
		if val != nil {
			out[i] = slices.Clone(val)
		}
	}
	return out, it.Error()
}

// commit commits batch with fsync, keeping the row cache consistent for
// keys (whose new values are vals, nil = absent). The context is checked
// last, just before the commit: a cancelled write changes nothing.
func (b *Backend) commit(ctx context.Context, batch *pebble.Batch, keys []uint64, vals [][]byte, masks []uint64) error {
	if b.rc != nil {
		b.rc.beginWrite(keys)
	}
	err := ctx.Err()
	if err == nil {
		err = batch.Commit(pebble.Sync)
	}
	if b.rc != nil {
		b.rc.endWrite(keys, vals, masks, err == nil)
	}
	return err
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}
