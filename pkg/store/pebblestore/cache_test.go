package pebblestore

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestRowCacheCapacityAndClock(t *testing.T) {
	c := newRowCache(64 * (100 + slotOverhead)) // one shard, 64 entries of 100 bytes
	if len(c.shards) != 1 {
		t.Fatalf("%d shards", len(c.shards))
	}
	val := make([]byte, 100)
	for k := uint64(0); k < 64; k++ {
		_, _, e := c.get(k)
		c.insert(k, val, 0, e)
	}
	// Touch the first half so CLOCK evicts the second.
	for k := uint64(0); k < 32; k++ {
		if _, ok, _ := c.get(k); !ok {
			t.Fatalf("key %d missing before the cache was full", k)
		}
	}
	for k := uint64(100); k < 132; k++ {
		_, _, e := c.get(k)
		c.insert(k, val, 0, e)
	}
	_, _, used, entries := c.stats()
	if used > c.shards[0].cap || entries != 64 {
		t.Fatalf("used %d of %d bytes, %d entries", used, c.shards[0].cap, entries)
	}
	kept := 0
	for k := uint64(0); k < 32; k++ {
		if _, ok, _ := c.get(k); ok {
			kept++
		}
	}
	if kept < 16 {
		t.Fatalf("CLOCK kept only %d of 32 recently used keys", kept)
	}
	// A value larger than the shard is not cached.
	_, _, e := c.get(999)
	c.insert(999, make([]byte, 1<<20), 0, e)
	if _, ok, _ := c.get(999); ok {
		t.Fatal("oversized value cached")
	}
}

func TestRowCacheWriterProtocol(t *testing.T) {
	c := newRowCache(1 << 20)
	old, neu := []byte("old"), []byte("new")
	// A reader misses, a writer begins: the reader's stale insert is refused.
	_, _, e := c.get(1)
	c.beginWrite([]uint64{1})
	c.insert(1, old, 0, e)
	if _, ok, _ := c.get(1); ok {
		t.Fatal("insert accepted while the key is pending")
	}
	c.endWrite([]uint64{1}, [][]byte{neu}, []uint64{0}, true)
	if v, ok, _ := c.get(1); !ok || string(v) != "new" {
		t.Fatalf("after commit the cache holds %q, %v", v, ok)
	}
	// A miss before a whole write, inserted after it: refused by the epoch.
	_, _, e = c.get(2)
	c.beginWrite([]uint64{2})
	c.endWrite([]uint64{2}, [][]byte{neu}, []uint64{0}, false) // failed commit: nothing cached
	c.insert(2, old, 0, e)
	if _, ok, _ := c.get(2); ok {
		t.Fatal("stale insert after a write accepted")
	}
	// Negative entries.
	_, _, e = c.get(3)
	c.insert(3, nil, 0, e)
	if v, ok, _ := c.get(3); !ok || v != nil {
		t.Fatal("absent marker not cached")
	}
}

func TestRowCacheManyShardsRandom(t *testing.T) {
	c := newRowCache(256 << 20)
	if len(c.shards) != 64 {
		t.Fatalf("%d shards for 256 MiB", len(c.shards))
	}
	r := rand.New(rand.NewPCG(1, 1))
	model := map[uint64]string{}
	for i := 0; i < 20000; i++ {
		k := uint64(r.IntN(500))
		switch r.IntN(3) {
		case 0:
			v := fmt.Sprint(i)
			c.beginWrite([]uint64{k})
			c.endWrite([]uint64{k}, [][]byte{[]byte(v)}, []uint64{0}, true)
			model[k] = v
		default:
			got, ok, e := c.get(k)
			if ok && string(got) != model[k] {
				t.Fatalf("key %d: cache %q, model %q", k, got, model[k])
			}
			if !ok && model[k] != "" {
				c.insert(k, []byte(model[k]), 0, e)
			}
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	o := (&Options{BlockCacheBytes: 10, ReadParallelism: -1, ChunkBytes: 1, MemTableBytes: 1}).EnsureDefaults()
	err := o.Validate()
	if err == nil {
		t.Fatal("invalid options accepted")
	}
	for _, want := range []string{"BlockCacheBytes (10)", "ReadParallelism (-1)", "ChunkBytes (1)", "MemTableBytes (1)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v does not mention %s", err, want)
		}
	}
	d := (&Options{}).EnsureDefaults()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	for cols, want := range map[int]int{128: 8, 1: 1024, 1433: 1, 100: 8, 3: 256, 1024: 1} {
		if got := d.chunkRows(cols); got != want {
			t.Errorf("chunkRows(%d) = %d, want %d", cols, got, want)
		}
	}
}
