// Command ramreader reads random batches from a Pebble store for a fixed
// time under whatever memory limit it is started with (the larger-than-RAM
// test runs it in a 2 GiB cgroup with GOMEMLIMIT), verifies every value
// against synth.Value, samples its resident memory, and prints one JSON
// line of results. It exits non-zero on any error or wrong value.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gnnscale/gnnscale/bench/store/synth"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
	"golang.org/x/sys/unix"
)

type result struct {
	Seconds      float64 `json:"seconds"`
	Batches      int64   `json:"batches"`
	Rows         int64   `json:"rows"`
	RowsPerSec   float64 `json:"rows_per_sec"`
	NbrQueries   int64   `json:"neighbor_queries"`
	Neighbors    int64   `json:"neighbors"`
	MaxRSS       int64   `json:"max_rss_bytes"`
	HWM          int64   `json:"vm_hwm_bytes"`
	MaxGoHeap    uint64  `json:"max_go_heap_bytes"`
	GOMEMLIMIT   string  `json:"gomemlimit"`
	RowCacheHit  float64 `json:"row_cache_hit_rate"`
	StoreRows    int64   `json:"store_rows"`
	StoreCols    int     `json:"store_cols"`
	StoreDiskGiB float64 `json:"store_disk_gib"`
	CPUSeconds   float64 `json:"cpu_seconds"`
	ReadBytes    int64   `json:"disk_read_bytes"`
}

func main() {
	dir := flag.String("dir", "", "Pebble store folder")
	dur := flag.Duration("time", time.Minute, "how long to read")
	batch := flag.Int("batch", 1024, "rows per gather")
	seed := flag.Uint64("seed", 1, "seed the features were generated with (synth.Value)")
	rowCache := flag.Int64("row-cache-mib", 512, "RowCacheBytes in MiB")
	blockCache := flag.Int64("block-cache-mib", 256, "BlockCacheBytes in MiB")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to `file`")
	parallel := flag.Int("read-parallelism", 0, "pebblestore ReadParallelism (0: its default)")
	evict := flag.Bool("evict", true, "drop the store's files from the page cache first, so reads start cold and the page cache they fill is charged to this process's cgroup")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if *evict {
		if err := evictFiles(*dir); err != nil {
			fmt.Fprintln(os.Stderr, "ramreader:", err)
			os.Exit(1)
		}
	}
	res, err := run(*dir, *dur, *batch, *seed, *rowCache<<20, *blockCache<<20, *parallel)
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "ramreader:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(res)
}

func run(dir string, dur time.Duration, batch int, seed uint64, rowCache, blockCache int64, parallel int) (*result, error) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := pebblestore.OpenBackend(dir, &pebblestore.Options{ReadOnly: true, Logger: quiet,
		RowCacheBytes: rowCache, BlockCacheBytes: blockCache, MemTableBytes: 4 << 20, ReadParallelism: parallel})
	if err != nil {
		return nil, err
	}
	s := store.New(b)
	defer s.Close()
	key := store.Key{Group: "node", Name: "x"}
	info, err := s.Info(ctx, key)
	if err != nil {
		return nil, err
	}
	res := &result{StoreRows: info.Rows, StoreCols: info.Cols, GOMEMLIMIT: os.Getenv("GOMEMLIMIT"),
		StoreDiskGiB: float64(b.Stats().DiskBytes) / (1 << 30)}
	view, verr := store.View(ctx, s, store.DefaultEdgeType)
	r := rand.New(rand.NewPCG(seed, 99))
	ids := make([]int64, batch)
	dst := tensor.New(batch, info.Cols)
	nodes := make([]int32, 256)
	var adj graph.Adjacency
	var ms runtime.MemStats
	t0 := time.Now()
	lastSample := time.Time{}
	for time.Since(t0) < dur {
		for i := range ids {
			ids[i] = r.Int64N(info.Rows)
		}
		if err := s.Get(ctx, key, ids, dst); err != nil {
			return nil, err
		}
		for i, id := range ids {
			for j, v := range dst.Row(i) {
				if v != synth.Value(seed, id, j) {
					return nil, fmt.Errorf("row %d col %d = %v, want %v", id, j, v, synth.Value(seed, id, j))
				}
			}
		}
		res.Batches++
		res.Rows += int64(batch)
		if verr == nil && res.Batches%4 == 0 { // some neighbour lookups too
			for i := range nodes {
				nodes[i] = int32(r.IntN(view.NumNodes()))
			}
			if err := view.Neighbors(ctx, nodes, &adj); err != nil {
				return nil, err
			}
			res.NbrQueries += int64(len(nodes))
			res.Neighbors += int64(len(adj.Nbrs))
		}
		if time.Since(lastSample) > 100*time.Millisecond {
			lastSample = time.Now()
			rss, hwm := procStatus()
			res.MaxRSS, res.HWM = max(res.MaxRSS, rss), max(res.HWM, hwm)
			runtime.ReadMemStats(&ms)
			res.MaxGoHeap = max(res.MaxGoHeap, ms.HeapAlloc)
		}
	}
	res.Seconds = time.Since(t0).Seconds()
	res.RowsPerSec = float64(res.Rows) / res.Seconds
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		res.CPUSeconds = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
		res.ReadBytes = ru.Inblock * 512
	}
	rss, hwm := procStatus()
	res.MaxRSS, res.HWM = max(res.MaxRSS, rss), max(res.HWM, hwm)
	st := b.Stats()
	if st.RowCacheHits+st.RowCacheMisses > 0 {
		res.RowCacheHit = float64(st.RowCacheHits) / float64(st.RowCacheHits+st.RowCacheMisses)
	}
	return res, nil
}

// procStatus returns VmRSS and VmHWM in bytes.
func procStatus() (rss, hwm int64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(fields[0], 10, 64)
		switch k {
		case "VmRSS":
			rss = n << 10
		case "VmHWM":
			hwm = n << 10
		}
	}
	return rss, hwm
}

// evictFiles drops dir's files from the page cache (posix_fadvise
// DONTNEED), after syncing them.
func evictFiles(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		f, err := os.Open(dir + "/" + e.Name())
		if err != nil {
			return err
		}
		err = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
