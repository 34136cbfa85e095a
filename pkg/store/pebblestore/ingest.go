package pebblestore

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Large writes go to Pebble as ingested sstables: written sequentially
// beside the store, then linked into the LSM by DB.Ingest, which is atomic
// and durable (the file and the manifest are synced before it returns) and
// puts the table in the lowest level it does not overlap, so a bulk load
// skips the WAL, the memtable flushes and most compactions.

const ingestPrefix = "gnnscale-ingest-"

var ingestSeq atomic.Uint64

// sstWriter writes one sstable of sorted keys for ingestion.
type sstWriter struct {
	b    *Backend
	path string
	w    *sstable.Writer
}

func (b *Backend) newSST() (*sstWriter, error) {
	path := b.opts.FS.PathJoin(b.dir, fmt.Sprintf("%s%d-%d.sst", ingestPrefix, time.Now().UnixNano(), ingestSeq.Add(1)))
	f, err := b.opts.FS.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return nil, err
	}
	wo := b.popts.MakeWriterOptions(len(b.popts.Levels)-1, b.db.TableFormat())
	return &sstWriter{b: b, path: path, w: sstable.NewWriter(objstorageprovider.NewFileWritable(f), wo)}, nil
}

func (s *sstWriter) set(key, val []byte) error { return s.w.Set(key, val) }

// ingest closes the table and links it into the store, unless ctx ended.
// The temporary file is removed either way.
func (s *sstWriter) ingest(ctx context.Context) error {
	defer s.b.opts.FS.Remove(s.path)
	if err := s.w.Close(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.b.db.Ingest(ctx, []string{s.path})
}

// abort discards the table.
func (s *sstWriter) abort() {
	_ = s.w.Close()
	_ = s.b.opts.FS.Remove(s.path)
}

// removeIngestFiles deletes sstables left by a crash before their ingest.
func (b *Backend) removeIngestFiles() error {
	names, err := b.opts.FS.List(b.dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if strings.HasPrefix(n, ingestPrefix) {
			if err := b.opts.FS.Remove(b.opts.FS.PathJoin(b.dir, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// putRangeIngest writes rows [lo, lo+src.Rows) as one ingested sstable.
// The chunks at both ends, if only partly covered, are merged with their
// stored values. The row cache drops the chunks and caches none of the new
// ones (a bulk load should not evict the hot set).
func (t *table) putRangeIngest(ctx context.Context, lo int64, src *tensor.Dense) error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	if t.dropped.Load() {
		return store.ErrNotFound
	}
	hi := lo + int64(src.Rows)
	cr := int64(t.chunkRows())
	first, last := lo>>t.shift, (hi-1)>>t.shift
	var need []int64
	if lo != first*cr || (first == last && hi != (first+1)*cr) {
		need = append(need, first)
	}
	if last != first && hi != (last+1)*cr {
		need = append(need, last)
	}
	old, err := t.readChunks(ctx, need)
	if err != nil {
		return err
	}
	sst, err := t.b.newSST()
	if err != nil {
		return err
	}
	keys := make([]uint64, 0, last-first+1)
	val := make([]byte, t.valLen)
	var kb [13]byte
	for c := first; c <= last; c++ {
		clear(val)
		for i, n := range need {
			if n == c && old[i] != nil {
				copy(val, old[i])
			}
		}
		bm := val[int(cr)*t.rowBytes:]
		rlo, rhi := max(lo, c*cr), min(hi, (c+1)*cr)
		for id := rlo; id < rhi; id++ {
			r := int(id - c*cr)
			bm[r>>3] |= 1 << (r & 7)
			floatsToBytes(val[r*t.rowBytes:(r+1)*t.rowBytes], src.Row(int(id-lo)))
		}
		if err := sst.set(chunkKey(kb[:0], t.id, c), val); err != nil {
			sst.abort()
			return err
		}
		keys = append(keys, t.cacheKey(c))
	}
	rc := t.b.rc
	if rc != nil {
		rc.beginWrite(keys)
	}
	err = sst.ingest(ctx)
	if rc != nil {
		rc.endWrite(keys, nil, nil, false) // install nothing; the entries are gone
	}
	return err
}
