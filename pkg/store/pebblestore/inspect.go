package pebblestore

import (
	"context"
	"math/bits"

	"github.com/cockroachdb/pebble/v2"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// AttrLayout describes how an attribute is stored.
type AttrLayout struct {
	Info      store.AttrInfo
	TableID   uint32
	ChunkRows int // rows per Pebble key
}

// Layout returns the storage layout of key, or store.ErrNotFound.
func (b *Backend) Layout(key store.Key) (AttrLayout, error) {
	b.mu.RLock()
	t, ok := b.attrs[key]
	b.mu.RUnlock()
	if !ok {
		return AttrLayout{}, store.ErrNotFound
	}
	return AttrLayout{Info: t.info, TableID: t.id, ChunkRows: t.chunkRows()}, nil
}

// CountPresent scans key's chunks and returns how many rows are present
// and how many chunks hold them (one forward scan, bypassing the caches).
func (b *Backend) CountPresent(ctx context.Context, key store.Key) (rows, chunks int64, err error) {
	b.mu.RLock()
	t, ok := b.attrs[key]
	b.mu.RUnlock()
	if !ok {
		return 0, 0, store.ErrNotFound
	}
	it, err := b.db.NewIter(&pebble.IterOptions{LowerBound: t.lo, UpperBound: t.hi})
	if err != nil {
		return 0, 0, err
	}
	defer it.Close()
	for valid := it.First(); valid; valid = it.Next() {
		if chunks%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return 0, 0, err
			}
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return 0, 0, err
		}
		if err := t.checkVal(-1, v); err != nil {
			return 0, 0, err
		}
		for _, x := range v[t.chunkRows()*t.rowBytes:] {
			rows += int64(bits.OnesCount8(x))
		}
		chunks++
	}
	return rows, chunks, it.Error()
}
