package train

import (
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/gas"
	"github.com/gnnscale/gnnscale/pkg/history"
	"github.com/gnnscale/gnnscale/pkg/rpc"
)

// GASConfig is the "gas:" section of a trainer config: GNNAutoScale
// training (mode gas, the default). See docs/gas.md.
type GASConfig struct {
	// NumParts is the number of partitions (PyGAS num_parts). Default:
	// about 2000 nodes per part, at least 2.
	NumParts int `yaml:"num_parts"`
	// PartsPerBatch is the number of partitions per training batch
	// (PyGAS batch_size). Default max(1, NumParts/4).
	PartsPerBatch int `yaml:"parts_per_batch"`
	// EvalPartsPerBatch groups partitions for exact inference (fixed,
	// contiguous). Default PartsPerBatch.
	EvalPartsPerBatch int `yaml:"eval_parts_per_batch"`
	// Partitioner is "metis" (pkg/partition's multilevel k-way, default)
	// or "range" (contiguous id ranges of the given order: no
	// partitioning work, for graphs whose ids carry no structure anyway).
	Partitioner string `yaml:"partitioner"`
	// Residual and Linear are PyGAS's model options.
	Residual bool `yaml:"residual"`
	Linear   bool `yaml:"linear"`
	// PoolSize is the number of pinned buffers (default 2); BufferSize
	// their rows (0 = sized automatically to the largest request);
	// IOWorkers the goroutines reading histories (default 1).
	PoolSize   int `yaml:"pool_size"`
	BufferSize int `yaml:"buffer_size"`
	IOWorkers  int `yaml:"io_workers"`
	// Sync performs every pull and push synchronously (for comparison;
	// results are bit-identical to the asynchronous pool).
	Sync bool `yaml:"sync"`
	// Histories is "memory" (default) or "file": one file-backed table per
	// history under HistoryDir (default: a temporary folder), removed at
	// the end.
	Histories  string `yaml:"histories"`
	HistoryDir string `yaml:"history_dir"`
	// HistoryAccess is how file-backed histories reach their files: "mmap"
	// (default: one memory copy per row) or "pread" (positional reads and
	// writes, coalesced; no address space used).
	HistoryAccess string `yaml:"history_access"`
	// Store trains from a GAS data folder written by PrepareStore (features,
	// labels, split and topology in Pebble, plus the partition book)
	// instead of loading the data set into memory.
	Store string `yaml:"store"`
	// FeatureServer ("host:port") keeps the folder's features, labels and
	// split on a feature server (cmd/featurestore) instead of in the
	// folder's Pebble store. It needs Store, and must be the same when the
	// folder is prepared and trained from (as GraphServer).
	FeatureServer string `yaml:"feature_server"`
	// GraphServer ("host:port", or several comma-separated) keeps the
	// folder's topology on graph servers (cmd/graphstore) instead of in
	// the folder's Pebble store; with several, server i holds the
	// in-neighbours of the i-th of as many contiguous groups of partitions
	// (gas.Book.ShardBounds), and training asks each the neighbourhoods of
	// its nodes. With FeatureServer too, the folder holds only the book.
	GraphServer string `yaml:"graph_server"`
	// ServerWait is how many seconds to wait for the feature and graph
	// servers to answer before giving up (default 30: in a cluster launch
	// a server may start after the trainer); -1 tries once.
	ServerWait int `yaml:"server_wait"`
	// StoreCacheMB bounds the store's cache of decoded rows and edge
	// blocks (pebblestore RowCacheBytes; 0 = the store's default, 256).
	StoreCacheMB int `yaml:"store_cache_mb"`
	// LoaderWorkers builds training batches ahead of the trainer (default 1).
	LoaderWorkers int `yaml:"loader_workers"`
	// CacheEval keeps the evaluation batches' structure in memory between
	// layers and epochs. Default: on for in-memory data, off for a store.
	CacheEval *bool `yaml:"cache_eval"`
	// CacheEvalMB bounds that cache (default 2048; batches beyond it are
	// rebuilt on every use).
	CacheEvalMB int `yaml:"cache_eval_mb"`
	// NoFill skips the exact inference that fills the histories before the
	// first epoch (PyGAS's "test(...)  # Fill history").
	NoFill bool `yaml:"no_fill"`
	// MaxSteps stops each epoch after that many optimizer steps (0 = all
	// batches; PyGAS's large benchmark has the same knob). Benchmarks use
	// it to measure steps, not epochs, on large graphs.
	MaxSteps int `yaml:"max_steps"`
	// SkipEval never evaluates (accuracies are then not reported): for
	// memory and speed benchmarks of the training step. The fill pass
	// before the first epoch still runs unless NoFill.
	SkipEval bool `yaml:"skip_eval"`
}

// EnsureDefaults fills what does not depend on the data.
func (g *GASConfig) EnsureDefaults() {
	if g.Partitioner == "" {
		g.Partitioner = "metis"
	}
	if g.PoolSize == 0 {
		g.PoolSize = 2
	}
	if g.IOWorkers == 0 {
		g.IOWorkers = 1
	}
	if g.Histories == "" {
		g.Histories = "memory"
	}
	if g.HistoryAccess == "" {
		g.HistoryAccess = "mmap"
	}
	if g.LoaderWorkers == 0 {
		g.LoaderWorkers = 1
	}
	if g.CacheEvalMB == 0 {
		g.CacheEvalMB = 2048
	}
}

// sizes fills the data-dependent defaults for n nodes.
func (g *GASConfig) sizes(n int) {
	if g.NumParts == 0 {
		g.NumParts = max(2, n/2000)
	}
	g.NumParts = min(g.NumParts, max(n, 1))
	if g.PartsPerBatch == 0 {
		g.PartsPerBatch = max(1, g.NumParts/4)
	}
	if g.EvalPartsPerBatch == 0 {
		g.EvalPartsPerBatch = g.PartsPerBatch
	}
}

// validate reports the gas section's problems (only in mode gas).
func (g *GASConfig) validate(bad func(string, ...any), model string) {
	if g.NumParts < 0 || g.PartsPerBatch < 0 || g.EvalPartsPerBatch < 0 {
		bad("gas.num_parts/parts_per_batch/eval_parts_per_batch: %d/%d/%d, want >= 0 (0 = default)", g.NumParts, g.PartsPerBatch, g.EvalPartsPerBatch)
	}
	if g.NumParts > 0 && g.PartsPerBatch > g.NumParts {
		bad("gas.parts_per_batch: %d exceeds gas.num_parts %d", g.PartsPerBatch, g.NumParts)
	}
	switch g.Partitioner {
	case "metis", "range":
	default:
		bad("gas.partitioner: %q is not one of metis, range", g.Partitioner)
	}
	switch g.Histories {
	case "memory", "file":
	default:
		bad("gas.histories: %q is not one of memory, file", g.Histories)
	}
	if _, err := g.fileAccess(); err != nil {
		bad("%v", err)
	}
	if g.CacheEvalMB < 0 {
		bad("gas.cache_eval_mb: %d, want >= 0 (0 = the default, 2048)", g.CacheEvalMB)
	}
	if len(rpc.SplitAddrs(g.FeatureServer)) > 1 {
		bad("gas.feature_server: %q names several shards; the rows are not sharded (replicas are written a|b)", g.FeatureServer)
	}
	if g.FeatureServer != "" && g.Store == "" {
		bad("gas.feature_server: %q needs gas.store (the folder with the book)", g.FeatureServer)
	}
	if g.GraphServer != "" && g.Store == "" {
		bad("gas.graph_server: %q needs gas.store (the folder with the book)", g.GraphServer)
	}
	if g.GraphServer != "" && len(g.graphServers()) == 0 {
		bad("gas.graph_server: %q names no server", g.GraphServer)
	}
	if n := len(g.graphServers()); g.NumParts > 0 && n > g.NumParts {
		bad("gas.graph_server: %d servers for %d partitions (gas.num_parts)", n, g.NumParts)
	}
	if g.ServerWait < -1 {
		bad("gas.server_wait: %d, want >= 0 seconds (0 = the default, 30), or -1 to try once", g.ServerWait)
	}
	if g.StoreCacheMB < 0 {
		bad("gas.store_cache_mb: %d, want >= 0 (0 = the store's default)", g.StoreCacheMB)
	}
	if g.MaxSteps < 0 {
		bad("gas.max_steps: %d, want >= 0 (0 = every batch)", g.MaxSteps)
	}
	if g.PoolSize < 1 || g.IOWorkers < 1 || g.BufferSize < 0 || g.LoaderWorkers < 1 {
		bad("gas.pool_size/io_workers/buffer_size/loader_workers: %d/%d/%d/%d, want >= 1, >= 1, >= 0, >= 1", g.PoolSize, g.IOWorkers, g.BufferSize, g.LoaderWorkers)
	}
	known := false
	for _, n := range gas.Names {
		known = known || n == model
	}
	if !known {
		bad("model.name: %q has no GAS form (mode gas supports %v; use mode: full)", model, gas.Names)
	}
}

// fileAccess parses HistoryAccess.
func (g *GASConfig) fileAccess() (history.FileAccess, error) {
	switch g.HistoryAccess {
	case "mmap", "":
		return history.AccessMmap, nil
	case "pread":
		return history.AccessPread, nil
	}
	return 0, fmt.Errorf("gas.history_access: %q is not one of mmap, pread", g.HistoryAccess)
}

func (g *GASConfig) String() string {
	return fmt.Sprintf("parts %d, %d per batch, pool %dx%d, sync %v, histories %s", g.NumParts, g.PartsPerBatch, g.PoolSize, g.BufferSize, g.Sync, g.historyKind())
}

func (g *GASConfig) historyKind() string {
	if g.Histories == "file" {
		return "file (" + g.HistoryAccess + ")"
	}
	return g.Histories
}
