package train

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/gnnscale/gnnscale/pkg/gas"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/optim"
	"github.com/gnnscale/gnnscale/pkg/history"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/sampling"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// GASEpoch is what one GAS epoch reports beyond Epoch.
type GASEpoch struct {
	Epoch
	// IOSeconds is the history I/O the training step waited for (pull
	// waits, push submission, fences).
	IOSeconds float64 `json:"io_seconds"`
	// Steps is the number of optimizer steps (batches without training
	// nodes are skipped, as in PyGAS).
	Steps int `json:"steps"`
	// TrainPeakRSS is the process's peak resident memory during the
	// epoch's training steps (bytes; 0 where it cannot be measured).
	TrainPeakRSS int64 `json:"train_peak_rss"`
}

// GASResult is a seed's outcome with the GAS measurements.
type GASResult struct {
	SeedResult
	IOSeconds    []float64
	TrainPeakRSS int64
	Pinned       bool
}

// gasOptions derives the GAS batch options of a model.
func gasOptions(model string) sampling.GASOptions {
	norm := gas.NeedsNormalizedAdj(model)
	return sampling.GASOptions{Normalize: norm, SelfLoops: norm}
}

// newTables creates the histories of m for n nodes.
func newTables(c *GASConfig, m gas.Model, n int) ([]history.Table, func(), error) {
	var tables []history.Table
	closeAll := func() {
		for _, t := range tables {
			t.Close()
		}
	}
	L := m.NumLayers() - 1
	if c.Histories == "memory" {
		for i := 0; i < L; i++ {
			tables = append(tables, history.NewMemTable(n, m.HistoryDim()))
		}
		return tables, closeAll, nil
	}
	access, err := c.fileAccess()
	if err != nil {
		return nil, nil, fmt.Errorf("train: %w", err)
	}
	dir, err := os.MkdirTemp(c.HistoryDir, "gas-histories-")
	if err != nil {
		return nil, nil, fmt.Errorf("train: histories: %w", err)
	}
	rm := func() { closeAll(); os.RemoveAll(dir) }
	for i := 0; i < L; i++ {
		t, err := history.CreateFileTable(filepath.Join(dir, fmt.Sprintf("layer%d.hist", i)), n, m.HistoryDim(), history.FileOptions{Access: access})
		if err != nil {
			rm()
			return nil, nil, fmt.Errorf("train: %w", err)
		}
		tables = append(tables, t)
	}
	return tables, rm, nil
}

// GAS trains a fresh GAS model on d for cfg.Train.Epochs epochs with seed
// seed, evaluating by exact layer-wise inference every EvalEvery epochs,
// and keeps the parameters of the epoch with the best validation accuracy
// (the model holds them on return). onEpoch, if not nil, is called after
// every epoch.
func GAS(ctx context.Context, cfg *Config, d *GASData, seed uint64, b kernels.Backend, onEpoch func(GASEpoch)) (*GASResult, gas.Model, error) {
	g := &cfg.GAS
	src := d.Src
	m, err := gas.Build(cfg.Model, gas.Options{Residual: g.Residual, Linear: g.Linear}, src.NumFeatures(), src.NumClasses(), rand.New(rand.NewPCG(seed, 0x6e6e)))
	if err != nil {
		return nil, nil, err
	}
	opt, err := newGASOptimizer(cfg.Optim, m)
	if err != nil {
		return nil, nil, err
	}
	tables, cleanup, err := newTables(g, m, src.NumNodes())
	if err != nil {
		return nil, nil, err
	}
	defer cleanup()
	runner, err := gas.NewRunner(m, tables, history.Options{PoolSize: g.PoolSize, BufferSize: g.BufferSize, Workers: g.IOWorkers, Sync: g.Sync, Logger: d.logger()})
	if err != nil {
		return nil, nil, err
	}
	defer runner.Close()
	bopts := gasOptions(cfg.Model.Name)
	if !d.InMemory {
		// The sampler's dense halo map has one slot per node of the graph;
		// the hash map grows with the batch only, which keeps a store-backed
		// trainer's memory independent of the graph's size.
		bopts.DenseLimit = 1
	}
	loader, err := sampling.NewGASLoader(d.Graph, d.Ptr, sampling.GASLoaderOptions{
		GAS: bopts, PartsPerBatch: g.PartsPerBatch, Shuffle: true, Seed: seed,
		Loader: sampling.LoaderOptions{Workers: g.LoaderWorkers},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("train: %w", err)
	}
	defer loader.Close()
	tp := ad.New(b, ad.WithSeed(seed))
	cache := d.InMemory
	if g.CacheEval != nil {
		cache = *g.CacheEval
	}
	eval, err := gas.NewGroupSet(src, d.Graph, d.Ptr, tp, gas.GroupSetOptions{PartsPerBatch: g.EvalPartsPerBatch, GAS: bopts, Cache: cache, CacheFeatures: cache, CacheBytes: int64(g.CacheEvalMB) << 20})
	if err != nil {
		return nil, nil, err
	}
	params := m.Params()
	best := snapshot(params)
	res := &GASResult{SeedResult: SeedResult{Seed: seed, ValAcc: -1}}
	if !g.NoFill {
		if _, err := gasEvaluate(ctx, runner, tp, eval, src); err != nil {
			return nil, nil, err
		}
	}
	st := &gasStep{runner: runner, tp: tp, src: src, opt: opt, params: params, clip: cfg.Optim.GradClip, maxSteps: g.MaxSteps}
	for epoch := 1; epoch <= cfg.Train.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		resetPeakRSS()
		start := time.Now()
		io0 := runner.IO
		loss, steps, err := st.epoch(ctx, loader, epoch)
		if err != nil {
			return nil, nil, fmt.Errorf("train: seed %d epoch %d: %w", seed, epoch, err)
		}
		ep := GASEpoch{Epoch: Epoch{Seed: seed, Epoch: epoch, Loss: loss, EpochSeconds: time.Since(start).Seconds(),
			TrainAcc: math.NaN(), ValAcc: math.NaN(), TestAcc: math.NaN()},
			IOSeconds: (runner.IO - io0).Seconds(), Steps: steps, TrainPeakRSS: PeakRSS()}
		res.TrainPeakRSS = max(res.TrainPeakRSS, ep.TrainPeakRSS)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return nil, nil, fmt.Errorf("train: seed %d epoch %d: loss is %v (diverged; lower optim.lr?)", seed, epoch, loss)
		}
		if !g.SkipEval && (epoch%cfg.Train.EvalEvery == 0 || epoch == cfg.Train.Epochs) {
			es := time.Now()
			acc, err := gasEvaluate(ctx, runner, tp, eval, src)
			if err != nil {
				return nil, nil, err
			}
			ep.TrainAcc, ep.ValAcc, ep.TestAcc = acc[0], acc[1], acc[2]
			ep.EvalSeconds = time.Since(es).Seconds()
			if ep.ValAcc > res.ValAcc {
				res.ValAcc, res.TestAcc, res.BestEpoch = ep.ValAcc, ep.TestAcc, epoch
				copyParams(best, params)
			}
		}
		ep.BestValAcc, ep.BestTestAcc = res.ValAcc, res.TestAcc
		if res.BestEpoch == 0 { // not evaluated yet (or skip_eval)
			ep.BestValAcc, ep.BestTestAcc = math.NaN(), math.NaN()
		}
		res.EpochSeconds = append(res.EpochSeconds, ep.EpochSeconds)
		res.IOSeconds = append(res.IOSeconds, ep.IOSeconds)
		if onEpoch != nil {
			onEpoch(ep)
		}
	}
	if p := runner.Pool(); p != nil {
		res.Pinned = p.Pinned()
	}
	restoreParams(params, best)
	return res, m, nil
}

// gasStep holds one seed's training-step state.
type gasStep struct {
	runner *gas.Runner
	tp     *ad.Tape
	src    gas.Source
	opt    optim.Optimizer
	params []ad.Named
	clip   float64
	// maxSteps ends an epoch after that many steps (0: never).
	maxSteps int
	x        gas.FeatureBuffer
	prevX    *ad.Var // the last step's input, whose dropout buffer the next reuses
	labels   []int32
	split    []int8
	rows     []int32
}

// epoch runs one training epoch and returns the mean training loss (over
// training nodes) and the number of steps.
func (s *gasStep) epoch(ctx context.Context, loader *sampling.Loader[sampling.GASBatch], epoch int) (float64, int, error) {
	it := loader.Epoch(ctx, epoch)
	defer it.Close()
	var total float64
	var examples, steps int
	for it.Next(ctx) {
		gb := it.Batch()
		loss, n, err := s.step(ctx, gb)
		if err != nil {
			return 0, 0, err
		}
		if n > 0 {
			total += loss * float64(n)
			examples += n
			steps++
			if s.maxSteps > 0 && steps >= s.maxSteps {
				break
			}
		}
	}
	if err := it.Err(); err != nil {
		return 0, 0, err
	}
	if examples == 0 {
		return 0, 0, fmt.Errorf("no batch has training nodes")
	}
	return total / float64(examples), steps, nil
}

// step trains on one batch; it returns the loss and the number of
// training nodes (0: skipped).
func (s *gasStep) step(ctx context.Context, gb *sampling.GASBatch) (float64, int, error) {
	bs := gb.BatchSize
	s.labels = grow(s.labels, bs)
	s.split = grow(s.split, bs)
	b, err := gas.Assemble(ctx, s.src, s.tp, gb, nil)
	if err != nil {
		return 0, 0, err
	}
	if err := s.src.Targets(ctx, b.Ranges, s.labels, s.split); err != nil {
		return 0, 0, err
	}
	s.rows = s.rows[:0]
	for i, c := range s.split {
		if c == gas.SplitTrain {
			if l := s.labels[i]; l < 0 || int(l) >= s.src.NumClasses() {
				return 0, 0, fmt.Errorf("node %d has label %d, want [0, %d)", b.NID[i], l, s.src.NumClasses())
			}
			s.rows = append(s.rows, int32(i))
		}
	}
	if len(s.rows) == 0 {
		return 0, 0, nil
	}
	// Queue the history pulls before reading the features: they overlap.
	if err := s.runner.Prefetch(ctx, b.Halo()); err != nil {
		return 0, 0, err
	}
	if b, err = gas.Assemble(ctx, s.src, s.tp, gb, &s.x); err != nil {
		return 0, 0, err
	}
	s.tp.ReuseSparseInput(s.prevX, b.X) // dropout's dense buffer, cleared
	s.prevX = b.X
	s.tp.SetTraining(true)
	out, err := s.runner.Forward(ctx, s.tp, b)
	if err != nil {
		s.tp.Reset()
		return 0, 0, err
	}
	loss := s.tp.CrossEntropy(out, s.labels, s.rows)
	value := float64(loss.Scalar())
	s.opt.ZeroGrad()
	s.tp.Backward(loss)
	if s.clip > 0 {
		optim.ClipGradNorm(s.params, s.clip)
	}
	s.opt.Step()
	err = s.runner.Fence(ctx) // pushes read tape values: fence before Reset
	s.tp.Reset()
	return value, len(s.rows), err
}

func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// gasEvaluate runs exact inference (refreshing every history) and returns
// train, validation and test accuracy.
func gasEvaluate(ctx context.Context, r *gas.Runner, tp *ad.Tape, set gas.EvalSet, src gas.Source) ([3]float64, error) {
	var correct, total [3]int
	var labels []int32
	var split []int8
	err := r.Infer(ctx, tp, set, func(_ int, b *gas.Batch, logits *tensor.Dense) error {
		labels, split = grow(labels, b.BatchSize), grow(split, b.BatchSize)
		if err := src.Targets(ctx, b.Ranges, labels, split); err != nil {
			return err
		}
		for i, c := range split {
			if c < 0 || c > 2 {
				continue
			}
			total[c]++
			row := logits.Row(i)
			arg := 0
			for j, v := range row {
				if v > row[arg] {
					arg = j
				}
			}
			if int32(arg) == labels[i] {
				correct[c]++
			}
		}
		return nil
	})
	var acc [3]float64
	for i := range acc {
		acc[i] = math.NaN()
		if total[i] > 0 {
			acc[i] = float64(correct[i]) / float64(total[i])
		}
	}
	return acc, err
}

// resetPeakRSS resets the kernel's peak-RSS mark of this process (Linux
// clear_refs 5) so that PeakRSS measures from now; a no-op elsewhere.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// newGASOptimizer is NewOptimizer for a GAS model's two groups.
func newGASOptimizer(c OptimConfig, m gas.Model) (optim.Optimizer, error) {
	reg, nonreg := m.Groups()
	groups := []optim.Group{
		{Params: reg, WeightDecay: c.WeightDecay},
		{Params: nonreg, WeightDecay: c.WeightDecayNonreg},
	}
	switch c.Name {
	case "adamw":
		return optim.NewAdamW(groups, optim.AdamOptions{LR: c.LR})
	case "sgd":
		return optim.NewSGD(groups, optim.SGDOptions{LR: c.LR, Momentum: c.Momentum, Nesterov: c.Nesterov})
	default:
		return optim.NewAdam(groups, optim.AdamOptions{LR: c.LR})
	}
}

// logger returns d.Log, or a logger that discards.
func (d *GASData) logger() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Log
}
