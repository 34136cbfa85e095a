package pebblestore_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
	"github.com/gnnscale/gnnscale/pkg/store/storetest"
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
		return func() storetest.Store { return open(t, dir, pebblestore.Options{ChunkBytes: 64, EdgeBlockBytes: 256}) }
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
		)
	}
}
