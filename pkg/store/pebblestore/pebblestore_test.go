package pebblestore_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
	"github.com/gnnscale/gnnscale/pkg/store/storetest"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func open(t *testing.T, dir string, o pebblestore.Options) storetest.Store {
	t.Helper()
	o.Logger = quiet
	s, err := pebblestore.Open(dir, &o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	configs := []struct {
		name string
		opts func() pebblestore.Options
	}{
		{"disk", func() pebblestore.Options { return pebblestore.Options{} }},
		// No row cache: every read goes through Pebble; tiny chunks and
		// blocks so every test crosses many of them; one reader goroutine.
		{"nocache-small-chunks", func() pebblestore.Options {
			return pebblestore.Options{FS: vfs.NewMem(), RowCacheBytes: -1, ChunkBytes: 16, EdgeBlockBytes: 64, ReadParallelism: 1}
		}},
		// A cache too small for the data: constant eviction; parallel reads.
		{"tiny-cache", func() pebblestore.Options {
			return pebblestore.Options{FS: vfs.NewMem(), RowCacheBytes: 64 << 10, ChunkBytes: 256, ReadParallelism: 3}
		}},
		// Every PutRange and edge put through an ingested sstable.
		{"ingest-all", func() pebblestore.Options {
			return pebblestore.Options{FS: vfs.NewMem(), IngestMinBytes: 1, ChunkBytes: 64, EdgeBlockBytes: 256}
		}},
	}
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) storetest.Store {
				o := c.opts()
				dir := "db"
				if o.FS == nil {
					dir = t.TempDir()
				}
				return open(t, dir, o)
			})
		})
	}
}

func TestDurable(t *testing.T) {
	storetest.RunDurable(t, func(t *testing.T) func() storetest.Store {
		dir := t.TempDir()
		return func() storetest.Store {
			return open(t, dir, pebblestore.Options{ChunkBytes: 64, EdgeBlockBytes: 256, IngestMinBytes: 4096})
		}
	})
}

func TestMetamorphic(t *testing.T) {
	ops := 3000
	if testing.Short() {
		ops = 800
	}
	for _, seed := range []uint64{1, 2, uint64(time.Now().UnixNano())} {
		storetest.RunMetamorphic(t, seed, ops,
			storetest.Named{Name: "memory", New: func(t *testing.T) storetest.Store {
				s := memstore.Open()
				t.Cleanup(func() { _ = s.Close() })
				return s
			}},
			storetest.Named{Name: "pebble", New: func(t *testing.T) storetest.Store {
				return open(t, "db", pebblestore.Options{FS: vfs.NewMem(), ChunkBytes: 32, EdgeBlockBytes: 128, RowCacheBytes: 1 << 20})
			}},
			storetest.Named{Name: "pebble-nocache", New: func(t *testing.T) storetest.Store {
				return open(t, "db", pebblestore.Options{FS: vfs.NewMem(), RowCacheBytes: -1, ReadParallelism: 1})
			}},
			storetest.Named{Name: "pebble-ingest", New: func(t *testing.T) storetest.Store {
				return open(t, "db", pebblestore.Options{FS: vfs.NewMem(), IngestMinBytes: 1, ChunkBytes: 16})
			}},
		)
	}
}

func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	s := open(t, dir, pebblestore.Options{})
	k := store.Key{Name: "x"}
	if err := s.Create(ctx, store.AttrInfo{Key: k, Rows: 10, Cols: 2}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, k, []int64{3}, tensor.FromSlice(1, 2, []float32{1, 2})); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro := open(t, dir, pebblestore.Options{ReadOnly: true})
	dst := tensor.New(1, 2)
	if err := ro.Get(ctx, k, []int64{3}, dst); err != nil || dst.At(0, 1) != 2 {
		t.Fatalf("read-only get: %v %v", err, dst)
	}
	err := ro.Put(ctx, k, []int64{4}, dst)
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("read-only put: %v", err)
	}
	if err := ro.Create(ctx, store.AttrInfo{Key: store.Key{Name: "y"}, Rows: 1, Cols: 1}); err == nil {
		t.Fatal("read-only create succeeded")
	}
}

func TestCorruptCatalogIsReported(t *testing.T) {
	fs := vfs.NewMem()
	s := open(t, "db", pebblestore.Options{FS: fs})
	if err := s.Create(t.Context(), store.AttrInfo{Key: store.Key{Name: "x"}, Rows: 10, Cols: 2}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := pebble.Open("db", &pebble.Options{FS: fs, Logger: pebbleQuiet{}})
	if err != nil {
		t.Fatal(err)
	}
	// The attribute record of "x" with a zero column count.
	if err := db.Set([]byte("Ma\x00\x01x"), []byte{1, 0, 10, 0, 8}, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = pebblestore.Open("db", &pebblestore.Options{FS: fs, Logger: quiet})
	if err == nil || !strings.Contains(err.Error(), "corrupt record: attribute x") {
		t.Fatalf("open of a corrupt catalog: %v", err)
	}
}

type pebbleQuiet struct{}

func (pebbleQuiet) Infof(string, ...any)  {}
func (pebbleQuiet) Errorf(string, ...any) {}
func (pebbleQuiet) Fatalf(f string, a ...any) {
	panic(fmt.Sprintf(f, a...))
}

// TestCheckpoint: a checkpoint opens read-only with the rows of the
// moment it was taken, writes after it included neither way.
func TestCheckpoint(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	s, err := pebblestore.Open(filepath.Join(dir, "live"), &pebblestore.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k := store.Key{Name: "x"}
	if err := s.Create(ctx, store.AttrInfo{Key: k, Rows: 10, Cols: 2}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, k, []int64{3}, tensor.FromSlice(1, 2, []float32{1, 2})); err != nil {
		t.Fatal(err)
	}
	if err := s.Backend().(*pebblestore.Backend).Checkpoint(filepath.Join(dir, "ckpt")); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, k, []int64{3, 4}, tensor.FromSlice(2, 2, []float32{5, 6, 7, 8})); err != nil {
		t.Fatal(err)
	}
	ro := open(t, filepath.Join(dir, "ckpt"), pebblestore.Options{ReadOnly: true})
	dst := tensor.New(1, 2)
	if err := ro.Get(ctx, k, []int64{3}, dst); err != nil || dst.At(0, 1) != 2 {
		t.Fatalf("checkpoint row 3: %v %v", err, dst)
	}
	if err := ro.Get(ctx, k, []int64{4}, dst); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("checkpoint row 4 (written after it): %v", err)
	}
}
