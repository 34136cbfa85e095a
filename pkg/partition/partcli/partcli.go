// Package partcli is the command line of the partitioner: flag parsing,
// input loading (METIS .graph or OGB folder), the run and the report of
// `gnnctl partition`. It is a package of its own so that a binary without
// gnnctl's other subcommands (bench/partition/gnnpart, used by the
// benchmark to compare peak memory with gpmetis) runs exactly the same
// code.
package partcli

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/partition"
)

// ErrUsage marks a command-line error (bad flags or arguments).
var ErrUsage = errors.New("usage")

// Run is `gnnctl partition`: it parses args (the flags and INPUT after
// the subcommand name), reads a graph (METIS .graph file or an OGB
// raw-layout dataset folder), partitions it, writes a part file in
// gpmetis's format and prints a report to stdout.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("partition", flag.ContinueOnError)
	fs.SetOutput(stderr)
	parts := fs.Int("parts", 0, "number of parts `K` (required, >= 1)")
	imb := fs.Float64("imbalance", 1.03, "max part weight / (total/K)")
	seed := fs.Uint64("seed", 0, "random seed (same seed, same partition)")
	out := fs.String("out", "", "part file to write (default <input>.part.<K>, as gpmetis)")
	format := fs.String("format", "auto", "input format: graph (METIS .graph), ogb (dataset folder) or auto")
	initTries := fs.Int("init-tries", 0, "recursive bisections tried on the coarsest graph (0: automatic)")
	ncuts := fs.Int("ncuts", 1, "independent partitioning runs, best cut kept (as gpmetis -ncuts)")
	verbose := fs.Bool("v", false, "log each phase to stderr")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to `file`")
	memProfile := fs.String("memprofile", "", "write an allocation profile (every allocation) to `file`")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gnnctl partition --parts K [flags] INPUT")
		fmt.Fprintln(stderr, "INPUT is a METIS .graph file or an OGB raw-layout dataset folder (raw/edge.csv.gz).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: partition: want exactly one INPUT, got %d", ErrUsage, fs.NArg())
	}
	if *parts < 1 {
		return fmt.Errorf("%w: partition: --parts must be >= 1 (got %d)", ErrUsage, *parts)
	}
	input := fs.Arg(0)
	if *out == "" {
		*out = strings.TrimRight(input, "/") + ".part." + strconv.Itoa(*parts)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("partition: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("partition: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		runtime.MemProfileRate = 1
		defer writeHeapProfile(*memProfile, stderr)
	}
	if os.Getenv("GOGC") == "" {
		// The partitioner's heap is a few large pointer-free arrays per
		// level: collecting more often costs little time and keeps the
		// peak resident memory close to the live data.
		debug.SetGCPercent(5)
	}
	logger := slog.New(slog.DiscardHandler)
	if *verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}

	t0 := time.Now()
	g, err := LoadInput(input, *format)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tRead := time.Since(t0)
	t1 := time.Now()
	res, err := partition.Partition(g, *parts, &partition.Options{
		Imbalance: *imb, Seed: *seed, InitTries: *initTries, Cuts: *ncuts, SkipValidation: true, Logger: logger,
	})
	if err != nil {
		return err
	}
	tPart := time.Since(t1)
	if err := writeFileAtomic(*out, func(w io.Writer) error { return partition.WritePart(w, res.Part) }); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout,
		"graph %s: %d vertices, %d edges\nparts %d  edge cut %d (%.2f%% of edges)  imbalance %.4f\nread %.3fs  partition %.3fs  total %.3fs\nwrote %s\n",
		input, g.NumNodes(), g.NumEdges(), *parts, res.Cut, 100*float64(res.Cut)/max(1, float64(g.NumEdges())),
		res.Imbalance, tRead.Seconds(), tPart.Seconds(), time.Since(t0).Seconds(), *out)
	return err
}

// writeHeapProfile writes the allocation profile to path (errors go to
// stderr: the partition itself succeeded).
func writeHeapProfile(path string, stderr io.Writer) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "partition: memprofile:", err)
	}
}

// LoadInput reads a METIS .graph file or an OGB dataset folder (format
// "graph", "ogb" or "auto": a folder is ogb). An OGB edge list becomes an
// undirected graph without duplicate edges or self loops
// ([partition.FromCOO]).
func LoadInput(path, format string) (*partition.Graph, error) {
	if format == "auto" {
		format = "graph"
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			format = "ogb"
		}
	}
	switch format {
	case "graph":
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("partition: %w", err)
		}
		defer f.Close()
		return partition.ReadGraph(f, path)
	case "ogb":
		coo, err := readOGBEdges(path)
		if err != nil {
			return nil, err
		}
		return partition.FromCOO(&coo)
	default:
		return nil, fmt.Errorf("%w: partition: --format %q: want graph, ogb or auto", ErrUsage, format)
	}
}

// readOGBEdges reads the node count (<dir>/raw/num-node-list.csv.gz) and
// streams the edges (raw/edge.csv.gz) with pkg/dataset's edge reader, so
// that partitioning needs neither features nor labels in memory.
func readOGBEdges(dir string) (graph.COO, error) {
	var coo graph.COO
	nPath := filepath.Join(dir, dataset.NumNodesFile)
	var n int64 = -1
	err := readGzLines(nPath, func(line int, s string) error {
		if n >= 0 || s == "" {
			return nil
		}
		v, err := strconv.ParseInt(s, 10, 32)
		if err != nil || v < 0 {
			return fmt.Errorf("partition: %s:%d: node count %q is not a non-negative int32", nPath, line, s)
		}
		n = v
		return nil
	})
	if err != nil {
		return coo, err
	}
	if n < 0 {
		return coo, fmt.Errorf("partition: %s: no node count", nPath)
	}
	coo.NumNodes = int(n)
	er, err := dataset.OpenEdgeReader(filepath.Join(dir, dataset.EdgeFile), int(n))
	if err != nil {
		return coo, fmt.Errorf("partition: %w", err)
	}
	defer er.Close()
	src := make([]int32, 1<<16)
	dst := make([]int32, 1<<16)
	for {
		k, err := er.Read(src, dst)
		coo.Src = append(coo.Src, src[:k]...)
		coo.Dst = append(coo.Dst, dst[:k]...)
		if err == io.EOF {
			return coo, nil
		}
		if err != nil {
			return coo, fmt.Errorf("partition: %w", err)
		}
	}
}

func readGzLines(path string, fn func(line int, s string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("partition: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("partition: %s: %w", path, err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if err := fn(line, strings.TrimSpace(sc.Text())); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("partition: %s: line %d: %w", path, line+1, err)
	}
	return nil
}

// writeFileAtomic writes path through a temporary file in the same
// directory and renames it into place, so a failed write leaves any
// existing file untouched.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("partition: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("partition: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("partition: %w", err)
	}
	return nil
}
