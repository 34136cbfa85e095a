package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// runInspect is `gnnctl inspect DIR`: it opens a Pebble store read-only and
// prints what it holds: attributes, edge types, the ingest record, disk
// use; optionally rows of an attribute or neighbours of nodes.
func runInspect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	count := fs.Bool("count", false, "count the present rows of every attribute (scans the data)")
	attr := fs.String("attr", "", "print rows of attribute `GROUP/NAME` (with --ids)")
	ids := fs.String("ids", "", "comma-separated row or node `IDS` for --attr or --neighbors")
	nbrs := fs.String("neighbors", "", "print the in-neighbours of --ids in edge type `SRC/REL/DST`")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gnnctl inspect [--count] [--attr G/N --ids I,J] [--neighbors S/R/D --ids I,J] DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: inspect: want one store folder", errUsage)
	}
	dir := fs.Arg(0)
	if m, _ := filepath.Glob(filepath.Join(dir, "MANIFEST-*")); len(m) == 0 {
		return fmt.Errorf("inspect: %s is not a Pebble store folder (no MANIFEST file)", dir)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := pebblestore.OpenBackend(dir, &pebblestore.Options{ReadOnly: true, Logger: quiet, RowCacheBytes: -1})
	if err != nil {
		return err
	}
	s := store.New(b)
	defer s.Close()

	st := b.Stats()
	fmt.Fprintf(stdout, "store %s: %s on disk\n", dir, bytesStr(int64(st.DiskBytes)))
	attrs, err := s.Attrs(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nattributes (%d):\n", len(attrs))
	for _, a := range attrs {
		l, _ := b.Layout(a.Key)
		line := fmt.Sprintf("  %-24s %12d x %-6d %10s  (%d rows per chunk)", a.Key, a.Rows, a.Cols,
			bytesStr(a.Rows*int64(a.Cols)*4), l.ChunkRows)
		if *count {
			n, chunks, err := b.CountPresent(ctx, a.Key)
			if err != nil {
				return err
			}
			line += fmt.Sprintf("  present %d rows in %d chunks", n, chunks)
		}
		fmt.Fprintln(stdout, line)
	}
	ets, err := s.EdgeTypes(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nedge types (%d):\n", len(ets))
	for _, e := range ets {
		extra := ""
		if e.Weighted {
			extra += " weighted"
		}
		if e.Timed {
			extra += " timed"
		}
		fmt.Fprintf(stdout, "  %-24s %12d nodes %14d edges%s\n", e.Type, e.NumNodes, e.NumEdges, extra)
	}
	if raw, err := os.ReadFile(filepath.Join(dir, ingestManifest)); err == nil {
		var m ingestManifestJSON
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("inspect: %s: %w", ingestManifest, err)
		}
		fmt.Fprintf(stdout, "\ningest: from %s (features %s), finished %s in %.1fs\n", orNone(m.Dataset), orNone(m.FeaturesSrc), m.Finished, m.Seconds)
		if m.Classes > 0 {
			fmt.Fprintf(stdout, "  %d classes; split %q %v\n", m.Classes, m.SplitName, m.SplitCounts)
		}
		if m.Parts > 0 {
			fmt.Fprintf(stdout, "  %d parts, edge cut %d, imbalance %.3f, ptr %v\n", m.Parts, m.Cut, m.Imbalance, shortList(m.Ptr))
		}
	}
	if *attr != "" {
		key, err := store.ParseKey(*attr)
		if err != nil {
			return err
		}
		rows, err := parseIDs(*ids)
		if err != nil {
			return err
		}
		info, err := s.Info(ctx, key)
		if err != nil {
			return err
		}
		dst := tensor.New(len(rows), info.Cols)
		if err := s.Get(ctx, key, rows, dst); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\n%s:\n", key)
		for i, id := range rows {
			fmt.Fprintf(stdout, "  %d: %v\n", id, shortList(dst.Row(i)))
		}
	}
	if *nbrs != "" {
		et, err := store.ParseEdgeType(*nbrs)
		if err != nil {
			return err
		}
		rows, err := parseIDs(*ids)
		if err != nil {
			return err
		}
		nodes := make([]int32, len(rows))
		for i, v := range rows {
			nodes[i] = int32(v)
			if int64(nodes[i]) != v {
				return fmt.Errorf("inspect: node id %d is not an int32", v)
			}
		}
		var adj graph.Adjacency
		if err := s.Neighbors(ctx, et, nodes, &adj); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nin-neighbours in %s:\n", et)
		for i, v := range nodes {
			fmt.Fprintf(stdout, "  %d <- %v (edge ids %v)\n", v, shortList(adj.Of(i)), shortList(adj.EdgeID[adj.Indptr[i]:adj.Indptr[i+1]]))
		}
	}
	return nil
}

func parseIDs(s string) ([]int64, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: inspect: --ids is required", errUsage)
	}
	var out []int64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: inspect: --ids: %q is not an integer", errUsage, f)
		}
		out = append(out, v)
	}
	return out, nil
}

func shortList[T any](v []T) string {
	if len(v) <= 12 {
		return fmt.Sprint(v)
	}
	return fmt.Sprintf("%v ... (%d values)", v[:12], len(v))
}

func bytesStr(n int64) string {
	f := float64(n)
	for _, u := range []string{"B", "KiB", "MiB", "GiB"} {
		if f < 1024 {
			return fmt.Sprintf("%.1f %s", f, u)
		}
		f /= 1024
	}
	return fmt.Sprintf("%.1f TiB", f)
}
