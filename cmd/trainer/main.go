// Command trainer trains a graph neural network from a YAML config
// (configs/*.yaml; docs/training.md): trainer --config FILE [--set
// key.path=value ...] [--seeds N] [--summary FILE] [--prepare]. Without
// --config it trains a 2-layer GCN with GNNAutoScale (mode gas) on a
// generated SBM graph of 100000 nodes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/gnnscale/gnnscale/cmd/internal/promserve"
	"github.com/gnnscale/gnnscale/pkg/gas"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/train"
)

// defaultConfig is what `trainer` (and `make run`) trains without
// --config: GNNAutoScale (mode gas) GCN on a generated SBM graph of
// 100000 nodes in 8 classes, 50 partitions, 10 per batch.
const defaultConfig = `mode: gas
dataset:
  name: sbm
  generator: sbm
  sbm:
    nodes: 100000
model:
  name: gcn
  hidden: 64
  layers: 2
  dropout: 0.5
optim:
  name: adam
  lr: 0.01
  weight_decay: 5e-4
train:
  epochs: 20
gas:
  num_parts: 50
  parts_per_batch: 10
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, isTerminal(os.Stderr))
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "trainer:", err)
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(1)
	}
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

type setFlags []string

func (s *setFlags) String() string     { return strings.Join(*s, ",") }
func (s *setFlags) Set(v string) error { *s = append(*s, v); return nil }

func run(ctx context.Context, args []string, stdout, stderr io.Writer, terminal bool) error {
	fs := flag.NewFlagSet("trainer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "YAML config (default: GAS GCN on a generated SBM graph)")
	var sets setFlags
	fs.Var(&sets, "set", "override a config key, key.path=value (repeatable), e.g. --set dataset.name=cora")
	seeds := fs.Int("seeds", 1, "train with this many seeds (config seed, seed+1, ...)")
	summary := fs.String("summary", "", "also write the JSON summary to this file")
	quiet := fs.Bool("quiet", false, "no progress output")
	prepare := fs.Bool("prepare", false, "write the config's data set, partitioned, to the GAS data folder gas.store and exit")
	ifMissing := fs.Bool("prepare-if-missing", false, "prepare gas.store (as --prepare) unless it already holds a complete data set, then train (or exit, with --prepare)")
	cpuProfile := fs.String("cpuprofile", "", "write a pprof CPU profile of the run to this file")
	metricsAddr := fs.String("metrics", "", "serve Prometheus metrics (epochs, loss, accuracies, times) at http://ADDR/metrics while training")
	if err := fs.Parse(args); err != nil {
		return err
	}
	stopProfile, err := promserve.StartCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags: --config, --set, --seeds, --summary)", fs.Arg(0))
	}
	data := []byte(defaultConfig)
	if *cfgPath != "" {
		b, err := os.ReadFile(*cfgPath)
		if err != nil {
			return err
		}
		data = b
	}
	cfg, err := train.Parse(data, sets)
	if err != nil {
		return fmt.Errorf("%s: %w", nameOr(*cfgPath), err)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%s: %w", nameOr(*cfgPath), err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	progress := stderr
	if *quiet {
		progress = nil
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if *ifMissing && cfg.GAS.Store == "" {
		return errors.New("--prepare-if-missing needs gas.store (the folder to write)")
	}
	if *prepare || *ifMissing {
		book, err := gas.ReadBook(cfg.GAS.Store)
		switch {
		case *ifMissing && err == nil:
			fmt.Fprintf(stdout, "kept %s: %d nodes, %d edges, %d partitions\n", cfg.GAS.Store, book.Nodes, book.Edges, len(book.Ptr)-1)
		default:
			if book, err = train.PrepareGASStore(ctx, cfg, logger); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "wrote %s: %d nodes, %d edges, %d partitions\n", cfg.GAS.Store, book.Nodes, book.Edges, len(book.Ptr)-1)
		}
		if *prepare {
			return nil
		}
	}
	var onEpoch func(train.Epoch)
	if *metricsAddr != "" {
		reg := promserve.NewRegistry()
		onEpoch = newEpochMetrics(reg).observe
		stop, err := promserve.Serve(*metricsAddr, reg, logger)
		if err != nil {
			return fmt.Errorf("--metrics: %w", err)
		}
		defer stop()
	}
	b := cpu.New(cpu.WithWorkers(cfg.Workers))
	logger.Info("training", "name", cfg.Name, "mode", cfg.Mode, "model", cfg.Model.Name, "dataset", cfg.Dataset.Name,
		"seeds", *seeds, "epochs", cfg.Train.Epochs, "backend", b.Name())
	s, err := train.Run(ctx, cfg, b, train.RunOptions{
		Seeds: *seeds, SummaryPath: *summary, Progress: progress, Terminal: terminal, Logger: logger, OnEpoch: onEpoch,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s on %s (%s), %d seed(s), %d epochs\n", s.Name, s.Model, s.Dataset, s.Mode, s.Seeds, s.Epochs)
	for _, r := range s.Runs {
		if r.BestEpoch == 0 {
			fmt.Fprintf(stdout, "  seed %-4d not evaluated (gas.skip_eval)\n", r.Seed)
			continue
		}
		fmt.Fprintf(stdout, "  seed %-4d best epoch %-5d val %6.2f  test %6.2f\n", r.Seed, r.BestEpoch, 100*r.ValAcc, 100*r.TestAcc)
	}
	acc := fmt.Sprintf("test accuracy %.2f ± %.2f  (val %.2f ± %.2f)", s.TestAccMean, s.TestAccStd, s.ValAccMean, s.ValAccStd)
	if len(s.Runs) > 0 && s.Runs[0].BestEpoch == 0 {
		acc = "not evaluated"
	}
	fmt.Fprintf(stdout, "%s  epoch %.4fs median  peak RSS %.0f MiB\n", acc, s.EpochSecondsMedian, float64(s.PeakRSSBytes)/(1<<20))
	fmt.Fprintf(stdout, "outputs in %s\n", s.OutputDir)
	return nil
}

func nameOr(p string) string {
	if p == "" {
		return "default config"
	}
	return p
}
