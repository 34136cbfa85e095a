package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/gnnscale/gnnscale/pkg/dataset"
)

// runSummary is `gnnctl summary --dataset DIR`: it loads an OGB raw-layout
// data set and prints its summary (counts, degrees, classes, split).
func runSummary(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("summary", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dataset", "", "data set folder `DIR` (OGB raw layout)")
	split := fs.String("split", "", "split name under split/ (default: the first)")
	noFeat := fs.Bool("no-features", false, "skip reading node features")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gnnctl summary --dataset DIR [--split NAME] [--no-features]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *dir == "" && fs.NArg() == 1 {
		*dir = fs.Arg(0)
	} else if *dir == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%w: summary: want --dataset DIR", errUsage)
	}
	ds, err := dataset.Load(ctx, *dir, &dataset.LoadOptions{Split: *split, NoFeatures: *noFeat})
	if err != nil {
		return err
	}
	return ds.WriteSummary(stdout)
}
