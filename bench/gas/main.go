// Command gasbench measures a GNNAutoScale training epoch on a generated
// SBM graph three ways, interleaved round by round so that machine load
// hits each alike: with the asynchronous pinned-buffer pool, with
// synchronous pulls and pushes, and full-batch. Histories are file-backed
// tables (memory-mapped, or pread/pwrite with -access pread), features in
// memory. It prints a markdown table
// with the medians and the share of the synchronous history I/O time that
// the pool hides: (sync epoch - async epoch) / sync I/O time.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/train"
)

func main() {
	nodes := flag.Int("nodes", 2_000_000, "SBM nodes")
	parts := flag.Int("parts", 200, "partitions (contiguous id ranges)")
	per := flag.Int("per", 10, "partitions per batch")
	layers := flag.Int("layers", 3, "GCN layers (layers-1 histories)")
	hidden := flag.Int("hidden", 64, "hidden width")
	rounds := flag.Int("rounds", 3, "interleaved rounds")
	epochs := flag.Int("epochs", 2, "epochs per run (the last one is timed: warm page cache)")
	histDir := flag.String("history-dir", os.TempDir(), "folder for the history files")
	full := flag.Bool("full", true, "also time full-batch epochs")
	maxSteps := flag.Int("max-steps", 0, "steps per GAS epoch (0 = every batch)")
	ioWorkers := flag.Int("io-workers", 1, "goroutines performing pulls (gas.io_workers)")
	workers := flag.Int("workers", 0, "kernel workers (0 = one per core)")
	access := flag.String("access", "mmap", "how file-backed histories are read and written: mmap or pread (gas.history_access)")
	flag.Parse()
	if err := run(*nodes, *parts, *per, *layers, *hidden, *rounds, *epochs, *maxSteps, *ioWorkers, *workers, *access, *histDir, *full); err != nil {
		fmt.Fprintln(os.Stderr, "gasbench:", err)
		os.Exit(1)
	}
}

func run(nodes, parts, per, layers, hidden, rounds, epochs, maxSteps, ioWorkers, workers int, access, histDir string, full bool) error {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	yml := fmt.Sprintf(`mode: gas
dataset: {name: sbm, generator: sbm, sbm: {nodes: %d}}
model: {name: gcn, hidden: %d, layers: %d, dropout: 0.5}
optim: {lr: 0.01, weight_decay: 5e-4}
train: {epochs: %d}
gas: {num_parts: %d, parts_per_batch: %d, partitioner: range, histories: file, history_dir: %q, skip_eval: true, cache_eval: false, max_steps: %d, io_workers: %d, history_access: %s}
output: {no_checkpoint: true, no_plot: true}
`, nodes, hidden, layers, epochs, parts, per, histDir, maxSteps, ioWorkers, access)
	cfg, err := train.Parse([]byte(yml), nil)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	start := time.Now()
	d, err := train.LoadGAS(ctx, cfg, log)
	if err != nil {
		return err
	}
	log.Info("gas data ready", "seconds", time.Since(start).Seconds())
	var fd *train.Data
	fcfg := *cfg
	fcfg.Mode = "full"
	if full {
		if fd, err = train.LoadData(ctx, cfg.Dataset); err != nil {
			return err
		}
	}
	var opts []cpu.Option
	if workers > 0 {
		opts = append(opts, cpu.WithWorkers(workers))
	}
	b := cpu.New(opts...)
	var asyncT, syncT, syncIO, asyncIO, fullT []float64
	gasEpoch := func(sync bool) (float64, float64, error) {
		c := *cfg
		c.GAS.Sync = sync
		var last train.GASEpoch
		_, _, err := train.GAS(ctx, &c, d, 1, b, func(e train.GASEpoch) { last = e })
		return last.EpochSeconds, last.IOSeconds, err
	}
	for r := 0; r < rounds; r++ {
		t, io, err := gasEpoch(false)
		if err != nil {
			return err
		}
		asyncT, asyncIO = append(asyncT, t), append(asyncIO, io)
		t, io, err = gasEpoch(true)
		if err != nil {
			return err
		}
		syncT, syncIO = append(syncT, t), append(syncIO, io)
		if full {
			var last train.Epoch
			if _, _, err := train.FullBatch(ctx, &fcfg, fd, 1, b, func(e train.Epoch) { last = e }); err != nil {
				return err
			}
			fullT = append(fullT, last.EpochSeconds)
		}
		log.Info("round", "r", r, "async", asyncT[r], "sync", syncT[r], "sync_io", syncIO[r])
	}
	ma, ms, mio := median(asyncT), median(syncT), median(syncIO)
	fmt.Printf("| run | epoch (s), median of %d | history I/O waited (s) | vs sync |\n|---|---|---|---|\n", rounds)
	fmt.Printf("| GAS, asynchronous pool | %.2f | %.2f | %.2fx |\n", ma, median(asyncIO), ms/ma)
	fmt.Printf("| GAS, synchronous pulls/pushes | %.2f | %.2f | 1.00x |\n", ms, mio)
	if full {
		fmt.Printf("| full-batch | %.2f | - | %.2fx |\n", median(fullT), ms/median(fullT))
	}
	fmt.Printf("\nHidden share of the synchronous history I/O: (sync - async) / sync I/O = (%.2f - %.2f) / %.2f = **%.0f%%**", ms, ma, mio, 100*(ms-ma)/mio)
	fmt.Printf(" (per round: async %v, sync %v, sync I/O %v", round2(asyncT), round2(syncT), round2(syncIO))
	share := make([]float64, len(asyncT))
	for i := range share {
		share[i] = (syncT[i] - asyncT[i]) / syncIO[i]
	}
	fmt.Printf("; hidden share per round %v)\n", round2(share))
	return nil
}

func median(v []float64) float64 {
	c := slices.Clone(v)
	slices.Sort(c)
	if len(c) == 0 {
		return 0
	}
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

func round2(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(int(x*100+0.5)) / 100
	}
	return out
}
