package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/ingest"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
	"golang.org/x/term"
)

// Files gnnctl ingest writes into the store folder beside Pebble's own.
const (
	ingestManifest = "gnnscale-ingest.json"
	ingestPerm     = "gnnscale-perm.i32" // little-endian int32, perm[new] = old
)

// ingestManifestJSON is the record of one ingest, read by gnnctl inspect
// and by whoever needs the partition book (Ptr) or the renumbering.
type ingestManifestJSON struct {
	Dataset     string         `json:"dataset,omitempty"`
	FeaturesSrc string         `json:"features_source,omitempty"`
	Nodes       int            `json:"nodes"`
	Edges       int64          `json:"edges"`
	EdgeType    string         `json:"edge_type,omitempty"`
	Features    string         `json:"features_attr,omitempty"`
	FeatureCols int            `json:"feature_cols"`
	Labels      string         `json:"labels_attr,omitempty"`
	Classes     int            `json:"classes,omitempty"`
	Split       string         `json:"split_attr,omitempty"`
	SplitName   string         `json:"split_name,omitempty"`
	SplitCounts map[string]int `json:"split_counts,omitempty"`
	Parts       int            `json:"parts,omitempty"`
	Ptr         []int64        `json:"ptr,omitempty"`
	PermFile    string         `json:"perm_file,omitempty"`
	Cut         int64          `json:"edge_cut,omitempty"`
	Imbalance   float64        `json:"imbalance,omitempty"`
	Seconds     float64        `json:"seconds"`
	Finished    string         `json:"finished"`
}

// runIngest is `gnnctl ingest --out DIR [flags] [DATASET]`: it loads a data
// set (OGB raw layout; features optionally from .npy or Parquet) into a
// Pebble store folder, optionally partitioned and renumbered.
func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "Pebble store folder `DIR` to write (created if needed)")
	features := fs.String("features", "", "features from this .npy or .parquet `FILE` instead of raw/node-feat.csv.gz")
	column := fs.String("column", "", "Parquet column holding the features (default: the only list column, else every float column)")
	split := fs.String("split", "", "split folder under split/ (default: the first)")
	group := fs.String("group", "node", "node type the attributes belong to")
	parts := fs.Int("partition", 0, "partition into `K` parts and renumber so each part is a contiguous id range (0: no)")
	seed := fs.Uint64("seed", 0, "partition seed")
	batch := fs.Int("batch", 1<<16, "rows per atomic write")
	resume := fs.Bool("resume", false, "continue an interrupted ingest into the same folder")
	acks := fs.Bool("acks", false, "print \"ack ATTR LO HI\" on stdout after each acknowledged (durable) write")
	compact := fs.Bool("compact", false, "compact the whole store after the ingest (rarely needed: large writes are ingested straight into the bottom level)")
	blockCache := fs.Int64("block-cache-mib", 64, "Pebble block cache size in MiB")
	verbose := fs.Bool("v", false, "log details to stderr")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gnnctl ingest --out DIR [flags] [DATASET]")
		fmt.Fprintln(stderr, "DATASET is an OGB raw-layout folder; without it --features alone is ingested.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *out == "" || fs.NArg() > 1 || (fs.NArg() == 0 && *features == "") {
		fs.Usage()
		return fmt.Errorf("%w: ingest: want --out DIR and a DATASET folder and/or --features FILE", errUsage)
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	s, err := pebblestore.Open(*out, &pebblestore.Options{Logger: logger, BlockCacheBytes: *blockCache << 20})
	if err != nil {
		return err
	}
	defer s.Close()

	opts := ingest.Options{
		Dataset: fs.Arg(0), Features: *features, Column: *column, Split: *split, Group: *group,
		Parts: *parts, Seed: *seed, BatchRows: *batch, Resume: *resume, Logger: logger,
		Progress: ingest.NewProgress(stderr, isTerminal(stderr)),
	}
	if *acks {
		var mu sync.Mutex
		opts.OnAck = func(what string, lo, hi int64) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(stdout, "ack %s %d %d\n", what, lo, hi)
		}
	}
	t0 := time.Now()
	res, err := ingest.Run(ctx, s, opts)
	if err != nil {
		return err
	}
	if *compact {
		if b, ok := s.Features.Backend().(*pebblestore.Backend); ok {
			opts.Progress.Start("compact", 0, "")
			if err := b.Compact(ctx); err != nil {
				return err
			}
			opts.Progress.Done()
		}
	}
	m := ingestManifestJSON{
		Dataset: fs.Arg(0), FeaturesSrc: res.FeatureFrom, Nodes: res.Nodes, Edges: res.Edges,
		FeatureCols: res.FeatureCols, Classes: res.Classes, SplitName: res.SplitName, SplitCounts: res.Split,
		Parts: res.Parts, Ptr: res.Ptr, Cut: res.Cut, Imbalance: res.Imbalance,
		Seconds: time.Since(t0).Seconds(), Finished: time.Now().UTC().Format(time.RFC3339),
	}
	if res.FeatureCols > 0 {
		m.Features = store.Key{Group: *group, Name: ingest.AttrFeatures}.String()
	}
	if fs.NArg() == 1 {
		m.EdgeType = store.DefaultEdgeType.String()
	}
	if res.Labels {
		m.Labels = store.Key{Group: *group, Name: ingest.AttrLabels}.String()
	}
	if res.SplitName != "" {
		m.Split = store.Key{Group: *group, Name: ingest.AttrSplit}.String()
	}
	if res.Perm != nil {
		m.PermFile = ingestPerm
		if err := writeAtomic(filepath.Join(*out, ingestPerm), func(w io.Writer) error {
			return binary.Write(w, binary.LittleEndian, res.Perm)
		}); err != nil {
			return err
		}
	}
	if err := writeAtomic(filepath.Join(*out, ingestManifest), func(w io.Writer) error {
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(m)
	}); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "ingested %d nodes, %d edges, %d x %d features (%s) into %s in %.1fs\n",
		res.Nodes, res.Edges, res.FeatureRows, res.FeatureCols, orNone(res.FeatureFrom), *out, time.Since(t0).Seconds())
	if err == nil && res.Parts > 0 {
		_, err = fmt.Fprintf(stdout, "partitioned into %d parts: edge cut %d, imbalance %.3f; ptr and perm in %s\n",
			res.Parts, res.Cut, res.Imbalance, ingestManifest)
	}
	return err
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// isTerminal reports whether w is a terminal (for the progress bar).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// writeAtomic writes path through a synced temporary file renamed into
// place, so a crash leaves the old file or the new one.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("ingest: %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("ingest: %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("ingest: %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}
