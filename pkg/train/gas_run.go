package train

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/gnnscale/gnnscale/pkg/gnn/checkpoint"
	"github.com/gnnscale/gnnscale/pkg/kernels"
)

// GASSummary extends Summary with what a GAS run measures.
type GASSummary struct {
	Summary
	// IOSecondsMedian is the median per-epoch history I/O the training
	// step waited for.
	IOSecondsMedian float64 `json:"io_seconds_median"`
	// TrainPeakRSSBytes is the peak resident memory during training
	// epochs (the kernel's mark reset at the start of each epoch, so data
	// loading and preparation are excluded; evaluation is too).
	TrainPeakRSSBytes int64  `json:"train_peak_rss_bytes"`
	Nodes             int    `json:"nodes"`
	Edges             int64  `json:"edges"`
	GAS               string `json:"gas"`
	Pinned            bool   `json:"pinned"`
}

// runGAS is Run for mode gas: the same outputs (config.yaml,
// metrics.jsonl with the GAS fields, curves.png, checkpoints,
// summary.json).
func runGAS(ctx context.Context, cfg *Config, b kernels.Backend, o RunOptions, log *slog.Logger) (*Summary, error) {
	dir := filepath.Join(cfg.Output.Dir, cfg.Name)
	if err := os.MkdirAll(filepath.Join(dir, "checkpoints"), 0o755); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	loadStart := time.Now()
	d, err := LoadGAS(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	cfgYAML := cfg.YAML() // with the data-dependent gas defaults filled
	if err := checkpoint.WriteFileAtomic(filepath.Join(dir, "config.yaml"), cfgYAML); err != nil {
		return nil, err
	}
	log.Info("data loaded", "dataset", d.Name, "nodes", d.Src.NumNodes(), "edges", d.NumEdges, "features", d.Src.NumFeatures(),
		"classes", d.Src.NumClasses(), "gas", cfg.GAS.String(), "seconds", time.Since(loadStart).Seconds())

	mf, err := os.Create(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	defer mf.Close()
	mw := bufio.NewWriter(mf)
	enc := json.NewEncoder(mw)

	var all []Epoch
	sum := &GASSummary{Summary: Summary{Name: cfg.Name, Dataset: d.Name, Model: cfg.Model.Name, Mode: cfg.Mode, Seeds: o.Seeds,
		Epochs: cfg.Train.Epochs, Backend: b.Name(), OutputDir: dir}, Nodes: d.Src.NumNodes(), Edges: d.NumEdges, GAS: cfg.GAS.String()}
	var secs, ios []float64
	for i := 0; i < o.Seeds; i++ {
		seed := cfg.Seed + uint64(i)
		bar := newProgress(o.Progress, o.Terminal, fmt.Sprintf("seed %d/%d", i+1, o.Seeds), cfg.Train.Epochs)
		res, m, err := GAS(ctx, cfg, d, seed, b, func(e GASEpoch) {
			all = append(all, e.Epoch)
			line := jsonEpoch(e.Epoch)
			line["io_seconds"], line["steps"], line["train_peak_rss"] = e.IOSeconds, e.Steps, e.TrainPeakRSS
			if err := enc.Encode(line); err != nil {
				log.Warn("metrics write failed", "err", err)
			}
			if o.OnEpoch != nil {
				o.OnEpoch(e.Epoch)
			}
			bar.update(e.Epoch)
		})
		bar.done()
		if err != nil {
			return nil, err
		}
		log.Info("seed done", "seed", seed, "best_epoch", res.BestEpoch, "val_acc", res.ValAcc, "test_acc", res.TestAcc)
		sum.Runs = append(sum.Runs, res.SeedResult)
		secs = append(secs, res.EpochSeconds...)
		ios = append(ios, res.IOSeconds...)
		sum.TrainPeakRSSBytes = max(sum.TrainPeakRSSBytes, res.TrainPeakRSS)
		sum.Pinned = res.Pinned
		if !cfg.Output.NoCheckpoint {
			if err := saveCheckpoint(dir, cfgYAML, seed, &res.SeedResult, m); err != nil {
				return nil, err
			}
		}
	}
	if err := mw.Flush(); err != nil {
		return nil, fmt.Errorf("train: metrics: %w", err)
	}
	sum.finish(secs)
	sum.IOSecondsMedian = median(ios)
	if err := writeOutputs(dir, cfg, o, log, all, sum); err != nil {
		return nil, err
	}
	return &sum.Summary, nil
}
