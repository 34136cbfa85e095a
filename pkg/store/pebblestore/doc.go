// Package pebblestore is the durable storage backend of pkg/store, on
// Pebble (github.com/cockroachdb/pebble/v2): data larger than memory,
// bounded memory, atomic batched writes, and every acknowledged write kept
// across a crash.
//
// # Layout
//
// Feature rows are fixed width (4 x Cols bytes, little-endian float32). An
// attribute keeps C consecutive rows per Pebble key ("chunk"), C chosen so a
// chunk is about one 4 KiB block ([Options].ChunkBytes), followed by a
// presence bitmap. A batch of random rows therefore costs at most one block
// read per distinct chunk, read in key order through one iterator (several
// for large cold batches, [Options].ReadParallelism), and a contiguous
// range is one forward scan. Topology is stored as in-neighbour lists
// (compressed by destination, the canonical store.Topology) cut into
// blocks of consecutive destination nodes keyed by their last node, with
// the list of block boundaries kept in memory, so the neighbours of a batch
// of nodes cost one lookup per distinct block.
//
// In front of Pebble sits a bounded cache of decoded chunks and blocks
// ([Options].RowCacheBytes): a warm gather is a hash lookup and a copy per
// row instead of an LSM seek (measured about 4 microseconds per row through
// Pebble's own block cache on the project machine). Writers keep it
// consistent: a write marks its keys pending before the commit and installs
// the new values after it, and readers cannot insert values read before a
// concurrent commit.
//
// # Durability and atomicity
//
// Every write (Put, Remove, Create, Drop, PutEdges) is one Pebble batch
// committed with fsync, so it is atomic and survives a crash once it has
// returned. A large edge index is written under a fresh table id in several
// batches and becomes visible with one final catalog batch; a crash in
// between leaves an orphan that Open deletes. Pebble treats a failed WAL or
// MANIFEST write as fatal (it cannot know what reached the disk); the store
// then panics with a *FatalError and must be reopened, which recovers every
// acknowledged write and no partial one.
//
// Use it through the validating wrapper:
//
//	s, err := pebblestore.Open(dir, &pebblestore.Options{RowCacheBytes: 1 << 30})
//	...
//	defer s.Close()
package pebblestore
