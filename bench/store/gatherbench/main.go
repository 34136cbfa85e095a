// Command gatherbench measures random row gathers (rows/s) side by side:
// a plain Go gather loop over one in-memory array (the machine's random-row
// gather bandwidth), the memory backend, the Pebble backend (warm with its
// row cache, warm through Pebble's block cache only, and cold: reopened
// with empty caches after evicting its files from the page cache), the
// gRPC feature server (cmd/featurestore, a child process on loopback, with
// -featurestore) and Redis (redis-server on loopback, one key per row,
// MGET). Contenders run
// interleaved round by round and the report gives medians and ratios.
// bench/store.sh runs it and writes docs/benchmarks/store.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
	"golang.org/x/sys/unix"
)

type config struct {
	rows, cols, batch int
	rounds            int
	dur               time.Duration
	coldBatches       int
	dir               string
	redisBin          string
	featureBin        string
	seed              uint64
	parallel          int
}

func main() {
	var c config
	flag.IntVar(&c.rows, "rows", 1<<20, "rows in the table")
	flag.IntVar(&c.cols, "cols", 128, "float32 values per row")
	flag.IntVar(&c.batch, "batch", 1024, "rows per gather")
	flag.IntVar(&c.rounds, "rounds", 3, "interleaved rounds")
	flag.DurationVar(&c.dur, "time", 2*time.Second, "measuring time per contender and round")
	flag.IntVar(&c.coldBatches, "cold-batches", 40, "batches measured right after a cold open")
	flag.StringVar(&c.dir, "dir", "", "directory for the Pebble store (default: a temporary one)")
	flag.StringVar(&c.redisBin, "redis", "/usr/bin/redis-server", "redis-server binary (empty: skip Redis)")
	flag.StringVar(&c.featureBin, "featurestore", "", "featurestore binary to measure over gRPC on loopback (empty: skip)")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of data and ids")
	flag.IntVar(&c.parallel, "read-parallelism", 0, "pebblestore ReadParallelism (0: its default)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gatherbench:", err)
		os.Exit(1)
	}
}

var key = store.Key{Group: "node", Name: "x"}

func logf(format string, a ...any) { fmt.Fprintf(os.Stderr, format+"\n", a...) }

func run(ctx context.Context, c config, out io.Writer) error {
	r := rand.New(rand.NewPCG(c.seed, 7))
	logf("generating %d x %d rows (%.0f MiB)", c.rows, c.cols, float64(c.rows*c.cols*4)/(1<<20))
	data := tensor.New(c.rows, c.cols)
	for i := range data.Data {
		data.Data[i] = r.Float32()
	}
	// A pool of id batches shared by every contender.
	pool := make([][]int64, 256)
	for i := range pool {
		pool[i] = make([]int64, c.batch)
		for j := range pool[i] {
			pool[i][j] = r.Int64N(int64(c.rows))
		}
	}
	coldPool := make([][]int64, c.coldBatches)
	for i := range coldPool {
		coldPool[i] = make([]int64, c.batch)
		for j := range coldPool[i] {
			coldPool[i][j] = r.Int64N(int64(c.rows))
		}
	}
	dir := c.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "gatherbench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	// Memory backend.
	mem := memstore.Open()
	defer mem.Close()
	if err := loadStore(ctx, mem, data); err != nil {
		return fmt.Errorf("memory backend: %w", err)
	}
	// Pebble backend, ingested once.
	t0 := time.Now()
	pdir := filepath.Join(dir, "pebble")
	b, err := pebblestore.OpenBackend(pdir, &pebblestore.Options{Logger: quiet})
	if err != nil {
		return err
	}
	ps := store.New(b)
	if err := loadStore(ctx, ps, data); err != nil {
		return fmt.Errorf("pebble backend: %w", err)
	}
	if err := b.Compact(ctx); err != nil {
		return err
	}
	diskBytes := b.Stats().DiskBytes
	if err := ps.Close(); err != nil {
		return err
	}
	ingest := time.Since(t0)
	logf("pebble: ingested in %v, %.0f MiB on disk", ingest.Round(time.Millisecond), float64(diskBytes)/(1<<20))

	// Redis.
	var rc *redisClient
	if c.redisBin != "" {
		port, err := freePort()
		if err != nil {
			return err
		}
		srv, err := startRedis(ctx, c.redisBin, port)
		if err != nil {
			return err
		}
		defer srv.stop()
		if rc, err = dialRedis(srv.addr, c.rows); err != nil {
			return err
		}
		defer rc.close()
		t0 := time.Now()
		if err := rc.load(data.Data, c.cols, 512); err != nil {
			return fmt.Errorf("redis load: %w", err)
		}
		logf("redis: loaded in %v", time.Since(t0).Round(time.Millisecond))
	}

	// The feature server, a separate process like Redis.
	var fsrv *featureServer
	if c.featureBin != "" {
		port, err := freePort()
		if err != nil {
			return err
		}
		if fsrv, err = startFeatureServer(ctx, c.featureBin, port); err != nil {
			return err
		}
		defer fsrv.stop()
		t0 := time.Now()
		if err := fsrv.load(ctx, data); err != nil {
			return fmt.Errorf("feature server load: %w", err)
		}
		logf("feature server: loaded in %v", time.Since(t0).Round(time.Millisecond))
	}

	// Contenders. Each gather fills a packed batch x cols destination.
	dst := tensor.New(c.batch, c.cols)
	rowCache := int64(c.rows)*int64(c.cols)*4*5/4 + 64<<20
	type contender struct {
		name  string
		open  func() (gather func([]int64) error, close func() error, err error)
		rates []float64
	}
	openPebble := func(o pebblestore.Options, warm func(*store.Store) error) func() (func([]int64) error, func() error, error) {
		return func() (func([]int64) error, func() error, error) {
			o.Logger, o.ReadParallelism = quiet, c.parallel
			s, err := pebblestore.Open(pdir, &o)
			if err != nil {
				return nil, nil, err
			}
			if err := warm(s); err != nil {
				s.Close()
				return nil, nil, err
			}
			return func(ids []int64) error { return s.Get(ctx, key, ids, dst) }, s.Close, nil
		}
	}
	warmRows := func(s *store.Store) error { // sequential Gets fill the row cache
		buf := tensor.New(4096, c.cols)
		ids := make([]int64, 4096)
		for lo := 0; lo < c.rows; lo += len(ids) {
			n := min(len(ids), c.rows-lo)
			for i := range ids[:n] {
				ids[i] = int64(lo + i)
			}
			if err := s.Get(ctx, key, ids[:n], buf.RowView(0, n)); err != nil {
				return err
			}
		}
		return nil
	}
	warmScan := func(s *store.Store) error { // a scan fills the block cache
		buf := tensor.New(4096, c.cols)
		for lo := 0; lo < c.rows; lo += 4096 {
			n := min(4096, c.rows-lo)
			if err := s.GetRange(ctx, key, int64(lo), buf.RowView(0, n)); err != nil {
				return err
			}
		}
		return nil
	}
	noClose := func() error { return nil }
	contenders := []*contender{
		{name: "plain Go gather (bandwidth)", open: func() (func([]int64) error, func() error, error) {
			return func(ids []int64) error { rawGather(dst, data, ids); return nil }, noClose, nil
		}},
		{name: "memory backend", open: func() (func([]int64) error, func() error, error) {
			return func(ids []int64) error { return mem.Get(ctx, key, ids, dst) }, noClose, nil
		}},
		{name: "pebble backend, warm (row cache)", open: openPebble(pebblestore.Options{RowCacheBytes: rowCache}, warmRows)},
		{name: "pebble backend, warm (block cache only)", open: openPebble(pebblestore.Options{RowCacheBytes: -1,
			BlockCacheBytes: rowCache}, warmScan)},
	}
	if fsrv != nil {
		contenders = append(contenders, &contender{name: "feature server (gRPC + Arrow, loopback)", open: func() (func([]int64) error, func() error, error) {
			return func(ids []int64) error { return fsrv.fs.Get(ctx, key, ids, dst) }, noClose, nil
		}})
	}
	if rc != nil {
		contenders = append(contenders, &contender{name: "redis MGET (loopback)", open: func() (func([]int64) error, func() error, error) {
			return func(ids []int64) error { return rc.mget(ids, dst.Data, c.cols) }, noClose, nil
		}})
	}
	cold := &contender{name: "pebble backend, cold (first batches after reopen)"}

	want := tensor.New(c.batch, c.cols)
	for round := 1; round <= c.rounds; round++ {
		// Cold first: fresh caches, files evicted from the page cache.
		if err := evictFiles(pdir); err != nil {
			return err
		}
		s, err := pebblestore.Open(pdir, &pebblestore.Options{Logger: quiet, RowCacheBytes: rowCache, ReadParallelism: c.parallel})
		if err != nil {
			return err
		}
		t0 := time.Now()
		for _, ids := range coldPool {
			if err := s.Get(ctx, key, ids, dst); err != nil {
				s.Close()
				return err
			}
		}
		rate := float64(len(coldPool)*c.batch) / time.Since(t0).Seconds()
		s.Close()
		cold.rates = append(cold.rates, rate)
		logf("round %d: %-50s %12.0f rows/s", round, cold.name, rate)

		for _, ct := range contenders {
			gather, closeFn, err := ct.open()
			if err != nil {
				return fmt.Errorf("%s: %w", ct.name, err)
			}
			// Correctness check on one batch against the plain gather.
			rawGather(want, data, pool[round])
			if err := gather(pool[round]); err != nil {
				return fmt.Errorf("%s: %w", ct.name, err)
			}
			if d := tensor.MaxAbsDiff(want, dst); d != 0 {
				return fmt.Errorf("%s: gathered rows differ from the data (max diff %g)", ct.name, d)
			}
			rate, err := measure(ctx, gather, pool, c.dur)
			closeFn()
			if err != nil {
				return fmt.Errorf("%s: %w", ct.name, err)
			}
			ct.rates = append(ct.rates, rate)
			logf("round %d: %-50s %12.0f rows/s", round, ct.name, rate)
		}
	}
	all := append(contenders, cold)
	med := func(ct *contender) float64 {
		s := slices.Clone(ct.rates)
		slices.Sort(s)
		return s[len(s)/2]
	}
	base, memRate, warm := med(contenders[0]), med(contenders[1]), med(contenders[2])
	fmt.Fprintf(out, "Table: %d rows x %d float32 (%.0f MiB), gathers of %d random rows (with repeats), %d interleaved rounds of %v per contender; median rows/s.\n\n",
		c.rows, c.cols, float64(c.rows*c.cols*4)/(1<<20), c.batch, c.rounds, c.dur)
	fmt.Fprintln(out, "| contender | rows/s (median) | GB/s | per round | vs plain gather | vs Redis |")
	fmt.Fprintln(out, "| --- | ---: | ---: | --- | ---: | ---: |")
	var redisRate float64
	if rc != nil {
		redisRate = med(contenders[len(contenders)-1])
	}
	for _, ct := range all {
		m := med(ct)
		var rounds []string
		for _, r := range ct.rates {
			rounds = append(rounds, fmt.Sprintf("%.3gM", r/1e6))
		}
		vsRedis := "-"
		if redisRate > 0 {
			vsRedis = fmt.Sprintf("%.2fx", m/redisRate)
		}
		fmt.Fprintf(out, "| %s | %.0f | %.2f | %s | %.2f | %s |\n", ct.name, m, m*float64(c.cols*4)/1e9,
			strings.Join(rounds, ", "), m/base, vsRedis)
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "Goals: memory backend / plain gather = **%.2f** (goal >= 0.50); ", memRate/base)
	if redisRate > 0 {
		fmt.Fprintf(out, "Pebble warm / Redis = **%.2fx** (goal >= 3x).\n", warm/redisRate)
	} else {
		fmt.Fprintln(out, "Redis skipped.")
	}
	fmt.Fprintf(out, "\nPebble store: ingest (Put of 64Ki-row batches, each fsynced, then a full compaction) took %v; %.0f MiB on disk. Warm with row cache: RowCacheBytes=%d MiB. Block cache only: RowCacheBytes=-1, BlockCacheBytes=%d MiB, warmed by a full scan. Cold: reopened with empty caches after posix_fadvise(DONTNEED) on every store file, %d batches timed.\n",
		ingest.Round(time.Millisecond), float64(diskBytes)/(1<<20), rowCache>>20, rowCache>>20, c.coldBatches)
	return nil
}

// loadStore creates the attribute and writes data in 64 Ki-row ranges.
func loadStore(ctx context.Context, s interface {
	store.FeatureStore
	store.RangePutter
}, data *tensor.Dense) error {
	if err := s.Create(ctx, store.AttrInfo{Key: key, Rows: int64(data.Rows), Cols: data.Cols}); err != nil {
		return err
	}
	for lo := 0; lo < data.Rows; lo += 1 << 16 {
		hi := min(lo+1<<16, data.Rows)
		if err := s.PutRange(ctx, key, int64(lo), data.RowView(lo, hi)); err != nil {
			return err
		}
	}
	return nil
}

// rawGather is the baseline: copy rows ids of src into dst.
func rawGather(dst, src *tensor.Dense, ids []int64) {
	cols := src.Cols
	for i, id := range ids {
		copy(dst.Data[i*cols:(i+1)*cols], src.Data[int(id)*cols:int(id+1)*cols])
	}
}

// measure runs gather over the pool for about d and returns rows/s.
func measure(ctx context.Context, gather func([]int64) error, pool [][]int64, d time.Duration) (float64, error) {
	rows := 0
	t0 := time.Now()
	for i := 0; ; i++ {
		if i%16 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			if time.Since(t0) >= d {
				break
			}
		}
		ids := pool[i%len(pool)]
		if err := gather(ids); err != nil {
			return 0, err
		}
		rows += len(ids)
	}
	return float64(rows) / time.Since(t0).Seconds(), nil
}

// evictFiles drops dir's files from the page cache.
func evictFiles(dir string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := f.Sync(); err != nil {
			return err
		}
		return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
	})
}

// startListening starts the server bin with args as a child process and
// waits (up to 5 s) until it accepts connections on addr.
func startListening(ctx context.Context, addr, bin string, args ...string) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = nil, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return cmd, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return nil, fmt.Errorf("%s did not listen on %s", bin, addr)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
