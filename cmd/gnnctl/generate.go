package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/gnnscale/gnnscale/pkg/dataset"
)

// runGenerate is `gnnctl generate KIND --out DIR [flags]`: it generates a
// synthetic data set (sbm, rmat, grid or rgg) and writes it in the OGB raw
// layout, so every loader reads generated data like real data.
func runGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprintln(stderr, "usage: gnnctl generate {sbm|rmat|grid|rgg} --out DIR [flags]   (gnnctl generate KIND -h for its flags)")
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		usage()
		if len(args) == 0 {
			return fmt.Errorf("%w: generate: no kind", errUsage)
		}
		return nil
	}
	kind := args[0]
	fs := flag.NewFlagSet("generate "+kind, flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "output folder `DIR` (must not exist)")
	name := fs.String("name", "", "data set name (default: the kind)")
	seed := fs.Uint64("seed", 1, "random seed (same seed and flags, same bytes)")
	summary := fs.Bool("summary", false, "print the data set summary after writing")
	level := fs.Int("gzip-level", 1, "gzip level 1 (fast) .. 9 (small)")

	var gen func() (*dataset.Dataset, error)
	switch kind {
	case "sbm":
		c := dataset.DefaultSBM()
		fs.IntVar(&c.NumNodes, "nodes", c.NumNodes, "number of nodes")
		fs.IntVar(&c.NumClasses, "classes", c.NumClasses, "number of classes (= blocks)")
		fs.Float64Var(&c.AvgDegree, "degree", c.AvgDegree, "average degree")
		fs.Float64Var(&c.Homophily, "homophily", c.Homophily, "fraction of intra-class edges")
		fs.IntVar(&c.NumFeatures, "features", c.NumFeatures, "feature dimension")
		fs.Float64Var(&c.Signal, "signal", c.Signal, "class-mean separation of the features (noise units / sqrt 2)")
		fs.Float64Var(&c.TrainFrac, "train", c.TrainFrac, "share of nodes in the train split")
		fs.Float64Var(&c.ValidFrac, "valid", c.ValidFrac, "share of nodes in the valid split")
		gen = func() (*dataset.Dataset, error) { c.Name, c.Seed = *name, *seed; return dataset.SBM(c) }
	case "rmat":
		c := dataset.RMATConfig{Scale: 16, EdgeFactor: 16}
		fs.IntVar(&c.Scale, "scale", c.Scale, "log2 of the node count")
		fs.IntVar(&c.EdgeFactor, "edge-factor", c.EdgeFactor, "edges generated per node")
		fs.Float64Var(&c.A, "a", 0.57, "quadrant probability a")
		fs.Float64Var(&c.B, "b", 0.19, "quadrant probability b")
		fs.Float64Var(&c.C, "c", 0.19, "quadrant probability c")
		fs.Float64Var(&c.D, "d", 0.05, "quadrant probability d")
		fs.Float64Var(&c.Noise, "noise", 0, "per-level noise in [0, 1)")
		fs.BoolVar(&c.Permute, "permute", true, "relabel nodes randomly")
		fs.BoolVar(&c.Symmetrize, "symmetrize", true, "add reverse edges and deduplicate")
		fs.BoolVar(&c.Dedupe, "dedupe", true, "remove duplicate edges")
		fs.BoolVar(&c.NoSelfLoops, "no-self-loops", true, "remove self loops")
		fs.IntVar(&c.NumFeatures, "features", 0, "random feature dimension (0 = none)")
		fs.IntVar(&c.NumClasses, "classes", 0, "random labels over this many classes (0 = none)")
		fs.Float64Var(&c.TrainFrac, "train", 0.1, "share of nodes in the train split")
		fs.Float64Var(&c.ValidFrac, "valid", 0.1, "share of nodes in the valid split")
		gen = func() (*dataset.Dataset, error) { c.Name, c.Seed = *name, *seed; return dataset.RMAT(c) }
	case "grid", "rgg":
		var sc dataset.SpatialConfig
		fs.IntVar(&sc.NumClasses, "classes", 4, "number of classes (vertical stripes; 0 = no labels)")
		fs.IntVar(&sc.NumFeatures, "features", 16, "feature dimension")
		fs.Float64Var(&sc.Signal, "signal", 1, "class-mean separation of the features")
		fs.Float64Var(&sc.TrainFrac, "train", 0.1, "share of nodes in the train split")
		fs.Float64Var(&sc.ValidFrac, "valid", 0.1, "share of nodes in the valid split")
		if kind == "grid" {
			c := dataset.GridConfig{Width: 100, Height: 100}
			fs.IntVar(&c.Width, "width", c.Width, "grid width")
			fs.IntVar(&c.Height, "height", c.Height, "grid height")
			gen = func() (*dataset.Dataset, error) {
				c.Name, sc.Seed, c.SpatialConfig = *name, *seed, sc
				return dataset.Grid(c)
			}
		} else {
			c := dataset.RGGConfig{NumNodes: 10000, AvgDegree: 10}
			fs.IntVar(&c.NumNodes, "nodes", c.NumNodes, "number of points")
			fs.Float64Var(&c.AvgDegree, "degree", c.AvgDegree, "target average degree")
			gen = func() (*dataset.Dataset, error) {
				c.Name, sc.Seed, c.SpatialConfig = *name, *seed, sc
				return dataset.RGG(c)
			}
		}
	default:
		usage()
		return fmt.Errorf("%w: generate: unknown kind %q (want sbm, rmat, grid or rgg)", errUsage, kind)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: generate: unexpected arguments %q", errUsage, fs.Args())
	}
	if *out == "" {
		return fmt.Errorf("%w: generate: --out is required", errUsage)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	t0 := time.Now()
	ds, err := gen()
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if ds.Name == "" {
		ds.Name = kind
	}
	log.Info("generated", "kind", kind, "nodes", ds.NumNodes(), "edges", ds.NumEdges(), "features", ds.NumFeatures(), "took", time.Since(t0).Round(time.Millisecond))
	t1 := time.Now()
	if err := dataset.Write(ctx, *out, ds, &dataset.WriteOptions{Level: *level}); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	log.Info("wrote", "dir", *out, "took", time.Since(t1).Round(time.Millisecond))
	if *summary {
		return ds.WriteSummary(stdout)
	}
	_, err = fmt.Fprintf(stdout, "wrote %s: %d nodes, %d edges, %d features, %d classes\n", *out, ds.NumNodes(), ds.NumEdges(), ds.NumFeatures(), ds.NumClasses)
	return err
}
