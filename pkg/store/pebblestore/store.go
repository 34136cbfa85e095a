package pebblestore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// Backend is the Pebble storage backend. It implements store.Backend; use
// it through store.New (or [Open]), which validates every request. It is
// safe for concurrent use.
type Backend struct {
	opts  Options
	dir   string
	popts *pebble.Options
	db    *pebble.DB
	bc    interface{ Unref() }
	rc    *rowCache // nil when disabled
	catMu sync.Mutex
	mu    sync.RWMutex // guards attrs, next
	attrs map[store.Key]*table
	emu   sync.RWMutex // guards edges; held across the commit that replaces a version
	edges map[store.EdgeType]*edgeTable
	next  uint32
}

var _ store.Backend = (*Backend)(nil)

// Open opens (creating if needed) the store in dir and returns it behind
// the validating wrapper. opts may be nil.
func Open(dir string, opts *Options) (*store.Store, error) {
	b, err := OpenBackend(dir, opts)
	if err != nil {
		return nil, err
	}
	return store.New(b), nil
}

// OpenBackend opens the bare backend, for callers that wrap it themselves
// or need its Stats. opts may be nil; it is copied.
func OpenBackend(dir string, opts *Options) (*Backend, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	bc := pebble.NewCache(o.BlockCacheBytes)
	po := &pebble.Options{
		FS:                 o.FS,
		Cache:              bc,
		MemTableSize:       uint64(o.MemTableBytes),
		ReadOnly:           o.ReadOnly,
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             pebbleLogger{o.Logger},
		// Two memtables in flight at most, so memory stays bounded.
		MemTableStopWritesThreshold: 2,
		L0CompactionThreshold:       4,
		L0StopWritesThreshold:       24,
	}
	po.EnsureDefaults()
	for i := range po.Levels {
		// Float rows do not compress; decompression would only cost CPU.
		po.Levels[i].Compression = func() *sstable.CompressionProfile { return sstable.NoCompression }
		po.Levels[i].BlockSize = 4 << 10
	}
	db, err := pebble.Open(dir, po)
	bc.Unref() // the DB holds its own reference
	if err != nil {
		return nil, fmt.Errorf("pebblestore: open %s: %w", dir, err)
	}
	b := &Backend{opts: o, dir: dir, popts: po, db: db, attrs: map[store.Key]*table{}, edges: map[store.EdgeType]*edgeTable{}}
	if o.RowCacheBytes > 0 {
		b.rc = newRowCache(o.RowCacheBytes)
	}
	if err := b.load(); err != nil {
		db.Close()
		return nil, fmt.Errorf("pebblestore: open %s: %w", dir, err)
	}
	return b, nil
}

// Close closes Pebble. Calls after Close are the wrapper's business (they
// fail with store.ErrClosed); do not use a bare Backend after Close.
func (b *Backend) Close() error {
	b.mu.Lock()
	for _, t := range b.attrs {
		t.dropped.Store(true)
	}
	b.mu.Unlock()
	b.emu.Lock()
	for _, e := range b.edges {
		e.dropped.Store(true)
	}
	b.emu.Unlock()
	if err := b.db.Close(); err != nil {
		return fmt.Errorf("pebblestore: close: %w", err)
	}
	return nil
}

// load reads the catalog and removes edge tables left half-written by a
// crash.
func (b *Backend) load() error {
	it, err := b.db.NewIter(&pebble.IterOptions{LowerBound: metaStart, UpperBound: metaEnd})
	if err != nil {
		return err
	}
	defer it.Close()
	var pending []uint32
	haveVersion := false
	empty := true
	for it.First(); it.Valid(); it.Next() {
		empty = false
		k := it.Key()
		v, err := it.ValueAndErr()
		if err != nil {
			return err
		}
		switch {
		case string(k) == string(keyVersion):
			if len(v) != 1 || v[0] != formatVersion {
				return fmt.Errorf("unsupported store format %x (this build reads %d)", v, formatVersion)
			}
			haveVersion = true
		case string(k) == string(keyNextID):
			if len(v) != 4 {
				return fmt.Errorf("%w: next id %x", errCorrupt, v)
			}
			b.next = beUint32(v)
		case hasPrefix(k, prefixAttr):
			key, rec, err := decodeAttr(k, v)
			if err != nil {
				return err
			}
			b.attrs[key] = b.newTable(key, rec)
		case hasPrefix(k, prefixEdge):
			et, rec, err := decodeEdge(k, v)
			if err != nil {
				return err
			}
			e, err := b.loadEdgeTable(et, rec)
			if err != nil {
				return err
			}
			b.edges[et] = e
		case hasPrefix(k, prefixPend):
			if len(k) != len(prefixPend)+4 {
				return fmt.Errorf("%w: pending key %x", errCorrupt, k)
			}
			pending = append(pending, beUint32(k[len(prefixPend):]))
		default:
			return fmt.Errorf("%w: unknown catalog key %q", errCorrupt, k)
		}
	}
	if err := it.Error(); err != nil {
		return err
	}
	if !haveVersion && !empty {
		return fmt.Errorf("%w: catalog without a format version", errCorrupt)
	}
	if b.opts.ReadOnly {
		return nil
	}
	if err := b.removeIngestFiles(); err != nil {
		return err
	}
	batch := b.db.NewBatch()
	defer batch.Close()
	if !haveVersion {
		batch.Set(keyVersion, []byte{formatVersion}, nil)
	}
	for _, id := range pending {
		b.opts.Logger.Info("pebblestore: removing edge table left by an interrupted write", "id", id)
		deleteEdgeData(batch, id)
		batch.Delete(pendingKey(id), nil)
	}
	if batch.Empty() {
		return nil
	}
	return batch.Commit(pebble.Sync)
}

// allocID reserves a fresh table id; the caller holds catMu and must write
// keyNextID = next in the same batch that first uses the id.
func (b *Backend) allocID() (uint32, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.next >= maxTableID {
		return 0, errors.New("pebblestore: table ids exhausted")
	}
	id := b.next
	b.next++
	return id, nil
}

func (b *Backend) nextIDValue() []byte {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return beAppend32(nil, b.next)
}

func (b *Backend) checkWritable() error {
	if b.opts.ReadOnly {
		return errReadOnly
	}
	return nil
}

var errReadOnly = errors.New("pebblestore: store opened read-only")

// CreateAttr implements store.FeatureBackend.
func (b *Backend) CreateAttr(ctx context.Context, info store.AttrInfo) error {
	if err := b.checkWritable(); err != nil {
		return err
	}
	b.catMu.Lock()
	defer b.catMu.Unlock()
	b.mu.RLock()
	_, exists := b.attrs[info.Key]
	b.mu.RUnlock()
	if exists {
		return store.ErrExists
	}
	if info.Rows > maxRows {
		return fmt.Errorf("%w: %d rows, this backend holds at most %d per attribute", store.ErrInvalid, info.Rows, int64(maxRows))
	}
	id, err := b.allocID()
	if err != nil {
		return err
	}
	rec := attrRecord{id: id, rows: info.Rows, cols: info.Cols, chunkRows: b.opts.chunkRows(info.Cols)}
	batch := b.db.NewBatch()
	defer batch.Close()
	batch.Set(attrKey(info.Key), rec.encode(), nil)
	batch.Set(keyNextID, b.nextIDValue(), nil)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := batch.Commit(pebble.Sync); err != nil {
		return err
	}
	t := b.newTable(info.Key, rec)
	b.mu.Lock()
	b.attrs[info.Key] = t
	b.mu.Unlock()
	return nil
}

// DropAttr implements store.FeatureBackend.
func (b *Backend) DropAttr(ctx context.Context, key store.Key) error {
	if err := b.checkWritable(); err != nil {
		return err
	}
	b.catMu.Lock()
	defer b.catMu.Unlock()
	b.mu.RLock()
	t, ok := b.attrs[key]
	b.mu.RUnlock()
	if !ok {
		return store.ErrNotFound
	}
	t.wmu.Lock() // wait for a running write of the table
	defer t.wmu.Unlock()
	batch := b.db.NewBatch()
	defer batch.Close()
	batch.Delete(attrKey(key), nil)
	lo, hi := tableSpan(tagChunk, t.id)
	batch.DeleteRange(lo, hi, nil)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := batch.Commit(pebble.Sync); err != nil {
		return err
	}
	t.dropped.Store(true)
	b.mu.Lock()
	delete(b.attrs, key)
	b.mu.Unlock()
	return nil
}

// Attrs implements store.FeatureBackend.
func (b *Backend) Attrs(context.Context) ([]store.AttrInfo, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]store.AttrInfo, 0, len(b.attrs))
	for _, t := range b.attrs {
		out = append(out, t.info)
	}
	return out, nil
}

// Table implements store.FeatureBackend.
func (b *Backend) Table(_ context.Context, key store.Key) (store.FeatureTable, error) {
	b.mu.RLock()
	t, ok := b.attrs[key]
	b.mu.RUnlock()
	if !ok {
		return nil, store.ErrNotFound
	}
	return t, nil
}

// Stats reports cache and disk figures.
type Stats struct {
	RowCacheHits, RowCacheMisses int64
	RowCacheBytes                int64
	RowCacheEntries              int
	BlockCacheHits               int64
	BlockCacheMisses             int64
	DiskBytes                    uint64
	Tables                       int
}

// Stats returns current cache and disk figures.
func (b *Backend) Stats() Stats {
	var s Stats
	if b.rc != nil {
		s.RowCacheHits, s.RowCacheMisses, s.RowCacheBytes, s.RowCacheEntries = b.rc.stats()
	}
	m := b.db.Metrics()
	s.BlockCacheHits, s.BlockCacheMisses = m.BlockCache.Hits, m.BlockCache.Misses
	s.DiskBytes = m.DiskSpaceUsage()
	b.mu.RLock()
	s.Tables = len(b.attrs)
	b.mu.RUnlock()
	b.emu.RLock()
	s.Tables += len(b.edges)
	b.emu.RUnlock()
	return s
}

// Compact rewrites the whole store into the bottom level of the LSM, which
// makes later reads touch one sstable per key: run it after a bulk ingest.
func (b *Backend) Compact(ctx context.Context) error {
	if err := b.checkWritable(); err != nil {
		return err
	}
	if err := b.db.Flush(); err != nil {
		return fmt.Errorf("pebblestore: flush: %w", err)
	}
	if err := b.db.Compact(ctx, []byte{0}, []byte{0xff}, true); err != nil {
		return fmt.Errorf("pebblestore: compact: %w", err)
	}
	return nil
}

// FatalError is the panic value of a Pebble failure that cannot be
// reported as an error (a failed WAL or MANIFEST write): the process must
// reopen the store, which recovers every acknowledged write.
type FatalError struct{ Msg string }

func (e *FatalError) Error() string { return "pebblestore: fatal: " + e.Msg }

// pebbleLogger routes Pebble's log lines to slog.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Debug("pebble: " + fmt.Sprintf(format, args...))
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error("pebble: " + fmt.Sprintf(format, args...))
}

func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.l.Error("pebble: fatal: " + msg)
	panic(&FatalError{Msg: msg})
}

func hasPrefix(b, p []byte) bool { return len(b) >= len(p) && string(b[:len(p)]) == string(p) }

func beUint32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func beAppend32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// Checkpoint writes a consistent copy of the store, as of the call, to
// dir, which must not exist: hard links to the immutable sstables where
// the filesystem allows, and copies of the rest, so it is quick and writes
// may go on meanwhile. Open (ReadOnly or not) opens the copy.
func (b *Backend) Checkpoint(dir string) error {
	if err := b.db.Checkpoint(dir, pebble.WithFlushedWAL()); err != nil {
		return fmt.Errorf("pebblestore: checkpoint %s: %w", dir, err)
	}
	return nil
}
