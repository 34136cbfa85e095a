package pebblestore

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// Options configures a store. The zero value is valid: every zero field
// takes the default named in its comment. Memory use is bounded by
// BlockCacheBytes + RowCacheBytes + 2 x MemTableBytes plus per-request
// buffers.
type Options struct {
	// FS is the filesystem the store lives on. Tests pass
	// vfs.NewCrashableMem() or an errorfs wrapper. Default: vfs.Default.
	FS vfs.FS

	// BlockCacheBytes is the size of Pebble's block cache (raw sstable
	// blocks, index and filter blocks). Default 64 MiB.
	BlockCacheBytes int64

	// RowCacheBytes bounds the cache of decoded feature chunks and edge
	// blocks kept in front of Pebble, which is what makes warm random
	// gathers cost a hash lookup and a copy instead of an LSM seek.
	// Default 256 MiB; negative disables it.
	RowCacheBytes int64

	// MemTableBytes is the size of one Pebble memtable. Default 64 MiB.
	MemTableBytes int64

	// ChunkBytes is the target size of one stored feature chunk: an
	// attribute created with C columns keeps max(1, ChunkBytes/(4C))
	// rows per key, rounded down to a power of two, at most 1024. One
	// chunk is one Pebble block, so a random row costs one block read.
	// It only applies to attributes created afterwards. Default 4096.
	ChunkBytes int

	// EdgeBlockBytes is the target size of one stored block of in-neighbour
	// lists (consecutive destination nodes, at most 256 per block).
	// Default 8192.
	EdgeBlockBytes int

	// ReadParallelism is the number of goroutines one request may use to
	// read cache misses from Pebble (useful for cold reads from disk).
	// Default 4; 1 reads on the calling goroutine only.
	ReadParallelism int

	// IngestMinBytes: a PutRange (and an edge index) of at least this many
	// bytes is written as one sstable ingested into the LSM instead of
	// through the WAL and memtables. It is still atomic and durable when it
	// returns, but costs one sequential write instead of a WAL write plus
	// flushes and compactions: what bulk loads want. Default 8 MiB;
	// negative disables.
	IngestMinBytes int64

	// ReadOnly opens the store without writing anything: writes fail and
	// no recovery cleanup runs.
	ReadOnly bool

	// Logger receives Pebble's informational messages at Debug level and
	// its errors at Error level. Default slog.Default().
	Logger *slog.Logger
}

const (
	defaultBlockCache     = 64 << 20
	defaultRowCache       = 256 << 20
	defaultMemTable       = 64 << 20
	defaultChunkBytes     = 4096
	defaultEdgeBlockBytes = 8192
	defaultParallelism    = 4
	defaultIngestMinBytes = 8 << 20
	maxChunkRows          = 1024
	maxBlockNodes         = 256
)

// EnsureDefaults fills every zero field with its default and returns o.
func (o *Options) EnsureDefaults() *Options {
	if o.FS == nil {
		o.FS = vfs.Default
	}
	if o.BlockCacheBytes == 0 {
		o.BlockCacheBytes = defaultBlockCache
	}
	if o.RowCacheBytes == 0 {
		o.RowCacheBytes = defaultRowCache
	}
	if o.MemTableBytes == 0 {
		o.MemTableBytes = defaultMemTable
	}
	if o.ChunkBytes == 0 {
		o.ChunkBytes = defaultChunkBytes
	}
	if o.EdgeBlockBytes == 0 {
		o.EdgeBlockBytes = defaultEdgeBlockBytes
	}
	if o.ReadParallelism == 0 {
		o.ReadParallelism = defaultParallelism
	}
	if o.IngestMinBytes == 0 {
		o.IngestMinBytes = defaultIngestMinBytes
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Validate reports every inconsistent field at once.
func (o *Options) Validate() error {
	var bad []string
	if o.BlockCacheBytes < 1<<20 {
		bad = append(bad, fmt.Sprintf("BlockCacheBytes (%d) must be >= 1 MiB", o.BlockCacheBytes))
	}
	if o.MemTableBytes < 1<<20 || o.MemTableBytes > 4<<30 {
		bad = append(bad, fmt.Sprintf("MemTableBytes (%d) must be in [1 MiB, 4 GiB]", o.MemTableBytes))
	}
	if o.ChunkBytes < 4 || o.ChunkBytes > 1<<20 {
		bad = append(bad, fmt.Sprintf("ChunkBytes (%d) must be in [4, 1 MiB]", o.ChunkBytes))
	}
	if o.EdgeBlockBytes < 64 || o.EdgeBlockBytes > 1<<24 {
		bad = append(bad, fmt.Sprintf("EdgeBlockBytes (%d) must be in [64, 16 MiB]", o.EdgeBlockBytes))
	}
	if o.ReadParallelism < 1 || o.ReadParallelism > 256 {
		bad = append(bad, fmt.Sprintf("ReadParallelism (%d) must be in [1, 256]", o.ReadParallelism))
	}
	if o.FS == nil {
		bad = append(bad, "FS is nil (call EnsureDefaults)")
	}
	if len(bad) > 0 {
		return errors.New("pebblestore: invalid options: " + strings.Join(bad, "; "))
	}
	return nil
}

// chunkRows returns the rows per chunk for an attribute of cols columns.
func (o *Options) chunkRows(cols int) int {
	c := o.ChunkBytes / (4 * cols)
	if c < 1 {
		return 1
	}
	p := 1
	for p*2 <= c && p*2 <= maxChunkRows {
		p *= 2
	}
	return p
}
