package train

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/checkpoint"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
	"github.com/gnnscale/gnnscale/pkg/kernels"
)

// Summary is the JSON summary of a run over several seeds. Accuracies are
// in percent.
type Summary struct {
	Name               string       `json:"name"`
	Dataset            string       `json:"dataset"`
	Model              string       `json:"model"`
	Mode               string       `json:"mode"`
	Seeds              int          `json:"seeds"`
	TestAccMean        float64      `json:"test_acc_mean"`
	TestAccStd         float64      `json:"test_acc_std"`
	ValAccMean         float64      `json:"val_acc_mean"`
	ValAccStd          float64      `json:"val_acc_std"`
	EpochSecondsMedian float64      `json:"epoch_seconds_median"`
	PeakRSSBytes       int64        `json:"peak_rss_bytes"`
	Epochs             int          `json:"epochs"`
	Backend            string       `json:"backend"`
	Runs               []SeedResult `json:"runs"`
	OutputDir          string       `json:"output_dir"`
}

// RunOptions are the trainer's command-line choices.
type RunOptions struct {
	Seeds       int       // number of seeds (>= 1)
	SummaryPath string    // also write the summary here ("" = only the run folder)
	Progress    io.Writer // where progress goes (stderr)
	Terminal    bool      // Progress is a terminal: draw bars, else log lines
	Logger      *slog.Logger
	// OnEpoch, when not nil, is called after every epoch of every seed
	// with what metrics.jsonl records (the trainer's --metrics exports it).
	OnEpoch func(Epoch)
}

// Run loads the data, trains cfg.Model for every seed and writes the
// outputs under cfg.Output.Dir/cfg.Name: config.yaml, metrics.jsonl (one
// line per epoch and seed), curves.png, checkpoints/seed<N>.safetensors
// (the best-validation parameters, with the config in the metadata) and
// summary.json.
func Run(ctx context.Context, cfg *Config, b kernels.Backend, o RunOptions) (*Summary, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.Seeds < 1 {
		return nil, fmt.Errorf("%w: seeds: %d, want >= 1", ErrConfig, o.Seeds)
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Mode == "gas" {
		return runGAS(ctx, cfg, b, o, log) // gas_run.go
	}
	dir := filepath.Join(cfg.Output.Dir, cfg.Name)
	if err := os.MkdirAll(filepath.Join(dir, "checkpoints"), 0o755); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	cfgYAML := cfg.YAML()
	if err := checkpoint.WriteFileAtomic(filepath.Join(dir, "config.yaml"), cfgYAML); err != nil {
		return nil, err
	}
	var dataName string
	var train trainFunc
	if cfg.Mode == "neighbor" && cfg.GAS.Store != "" {
		name, tr, closeData, err := neighborGAS(ctx, cfg, b, log)
		if err != nil {
			return nil, err
		}
		defer closeData()
		dataName, train = name, tr
	} else {
		loadStart := time.Now()
		d, err := LoadData(ctx, cfg.Dataset)
		if err != nil {
			return nil, err
		}
		log.Info("data loaded", "dataset", d.Name, "nodes", d.X.Rows, "edges", d.NumEdges, "features", d.X.Cols,
			"classes", d.NumClasses, "train", len(d.Split.Train), "valid", len(d.Split.Valid), "test", len(d.Split.Test),
			"seconds", time.Since(loadStart).Seconds())
		one := FullBatch
		if cfg.Mode == "neighbor" {
			one = NeighborBatch
		}
		dataName = d.Name
		train = func(ctx context.Context, seed uint64, onEpoch func(Epoch)) (*SeedResult, models.Model, error) {
			return one(ctx, cfg, d, seed, b, onEpoch)
		}
	}

	mf, err := os.Create(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	defer mf.Close()
	mw := bufio.NewWriter(mf)
	enc := json.NewEncoder(mw)

	var all []Epoch
	sum := &Summary{Name: cfg.Name, Dataset: dataName, Model: cfg.Model.Name, Mode: cfg.Mode, Seeds: o.Seeds,
		Epochs: cfg.Train.Epochs, Backend: b.Name(), OutputDir: dir}
	var secs []float64
	for i := 0; i < o.Seeds; i++ {
		seed := cfg.Seed + uint64(i)
		bar := newProgress(o.Progress, o.Terminal, fmt.Sprintf("seed %d/%d", i+1, o.Seeds), cfg.Train.Epochs)
		res, m, err := train(ctx, seed, func(e Epoch) {
			all = append(all, e)
			if err := enc.Encode(jsonEpoch(e)); err != nil {
				log.Warn("metrics write failed", "err", err)
			}
			if o.OnEpoch != nil {
				o.OnEpoch(e)
			}
			bar.update(e)
		})
		bar.done()
		if err != nil {
			return nil, err
		}
		log.Info("seed done", "seed", seed, "best_epoch", res.BestEpoch, "epochs_run", res.EpochsRun,
			"val_acc", res.ValAcc, "test_acc", res.TestAcc)
		sum.Runs = append(sum.Runs, *res)
		secs = append(secs, res.EpochSeconds...)
		if !cfg.Output.NoCheckpoint {
			if err := saveCheckpoint(dir, cfgYAML, seed, res, m); err != nil {
				return nil, err
			}
		}
	}
	if err := mw.Flush(); err != nil {
		return nil, fmt.Errorf("train: metrics: %w", err)
	}
	sum.finish(secs)
	if err := writeOutputs(dir, cfg, o, log, all, sum); err != nil {
		return nil, err
	}
	return sum, nil
}

// jsonEpoch replaces NaN accuracies (not evaluated) by nulls for JSON;
// val_loss is null also when it was not computed (0, mode gas).
func jsonEpoch(e Epoch) map[string]any {
	f := func(v float64) any {
		if math.IsNaN(v) {
			return nil
		}
		return v
	}
	vl := f(e.ValLoss)
	if e.ValLoss == 0 {
		vl = nil
	}
	return map[string]any{
		"seed": e.Seed, "epoch": e.Epoch, "loss": e.Loss, "train_acc": f(e.TrainAcc), "val_acc": f(e.ValAcc),
		"test_acc": f(e.TestAcc), "val_loss": vl, "best_val_acc": f(e.BestValAcc), "best_test_acc": f(e.BestTestAcc),
		"epoch_seconds": e.EpochSeconds, "eval_seconds": e.EvalSeconds,
	}
}

// meanStd returns the mean and the sample standard deviation (n-1, as
// torch.std), 0 for a single value.
func meanStd(v []float64) (float64, float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	var m float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	if len(v) == 1 {
		return m, 0
	}
	var s float64
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return m, math.Sqrt(s / float64(len(v)-1))
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	c := slices.Clone(v)
	slices.Sort(c)
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

// saveCheckpoint writes seed's selected parameters to
// dir/checkpoints/seed<N>.safetensors, with the config and the result in
// the metadata.
func saveCheckpoint(dir string, cfgYAML []byte, seed uint64, r *SeedResult, m interface {
	Params() []ad.Named
	String() string
}) error {
	meta := map[string]string{
		"format": "pt", "config": string(cfgYAML), "seed": strconv.FormatUint(seed, 10),
		"best_epoch": strconv.Itoa(r.BestEpoch), "val_acc": fmt.Sprint(r.ValAcc), "test_acc": fmt.Sprint(r.TestAcc),
		"model": m.String(),
	}
	path := filepath.Join(dir, "checkpoints", fmt.Sprintf("seed%d.safetensors", seed))
	return checkpoint.Save(path, m.Params(), meta)
}

// finish fills the statistics over the runs: accuracy means and sample
// deviations (percent), the median epoch time of secs, and the peak RSS.
func (s *Summary) finish(secs []float64) {
	var tests, vals []float64
	for _, r := range s.Runs {
		tests = append(tests, 100*r.TestAcc)
		vals = append(vals, 100*r.ValAcc)
	}
	s.TestAccMean, s.TestAccStd = meanStd(tests)
	s.ValAccMean, s.ValAccStd = meanStd(vals)
	s.EpochSecondsMedian = median(secs)
	s.PeakRSSBytes = PeakRSS()
}

// writeOutputs writes a finished run's curves.png (unless disabled) and
// summary.json (the JSON of sum, also to o.SummaryPath when set).
func writeOutputs(dir string, cfg *Config, o RunOptions, log *slog.Logger, all []Epoch, sum any) error {
	if !cfg.Output.NoPlot {
		if err := Plot(filepath.Join(dir, "curves.png"), cfg.Name, all); err != nil {
			log.Warn("plot failed", "err", err)
		}
	}
	js, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return fmt.Errorf("train: summary: %w", err)
	}
	js = append(js, '\n')
	if err := checkpoint.WriteFileAtomic(filepath.Join(dir, "summary.json"), js); err != nil {
		return err
	}
	if o.SummaryPath != "" {
		return checkpoint.WriteFileAtomic(o.SummaryPath, js)
	}
	return nil
}
