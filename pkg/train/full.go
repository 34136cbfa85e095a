package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
	"github.com/gnnscale/gnnscale/pkg/gnn/optim"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Epoch is what one epoch of one seed reports. Accuracies are fractions
// in [0, 1]; they are NaN on epochs that were not evaluated.
type Epoch struct {
	Seed     uint64  `json:"seed"`
	Epoch    int     `json:"epoch"`
	Loss     float64 `json:"loss"`
	TrainAcc float64 `json:"train_acc"`
	ValAcc   float64 `json:"val_acc"`
	TestAcc  float64 `json:"test_acc"`
	// ValLoss is the validation cross-entropy in evaluation mode (mode
	// full; NaN on epochs that were not evaluated, 0 when not computed).
	ValLoss      float64 `json:"val_loss"`
	BestValAcc   float64 `json:"best_val_acc"`
	BestTestAcc  float64 `json:"best_test_acc"`
	EpochSeconds float64 `json:"epoch_seconds"` // training step only
	EvalSeconds  float64 `json:"eval_seconds"`
}

// SeedResult is the outcome of training one seed: the selected epoch
// (best validation accuracy, or lowest validation loss with train.select
// val_loss) and the accuracies there.
type SeedResult struct {
	Seed      uint64  `json:"seed"`
	BestEpoch int     `json:"best_epoch"`
	ValAcc    float64 `json:"val_acc"`
	TestAcc   float64 `json:"test_acc"`
	// ValLoss is the validation loss at BestEpoch (mode full).
	ValLoss float64 `json:"val_loss,omitempty"`
	// EpochsRun is the number of epochs trained (fewer than train.epochs
	// when early stopping ended the seed; mode full).
	EpochsRun    int       `json:"epochs_run,omitempty"`
	EpochSeconds []float64 `json:"-"`
}

// NewOptimizer builds the optimizer c describes over the model's two
// parameter groups.
func NewOptimizer(c OptimConfig, m models.Model) (optim.Optimizer, error) {
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

// FullBatch trains a fresh model on the whole graph for cfg.Train.Epochs
// epochs with seed seed (parameter init and dropout), evaluating every
// EvalEvery epochs, and selects an evaluated epoch by cfg.Train.Select:
// the best validation accuracy (the first such) or the lowest validation
// loss (the last such). With cfg.Train.Patience > 0 it stops once that
// many epochs have passed since the selected one. On return the model
// holds the parameters of the selected epoch. onEpoch, if not nil, is
// called after every epoch.
func FullBatch(ctx context.Context, cfg *Config, d *Data, seed uint64, b kernels.Backend, onEpoch func(Epoch)) (*SeedResult, models.Model, error) {
	var x *ad.Var
	return fit(ctx, cfg, d.problem(), seed, b, onEpoch, func(ctx context.Context, tp *ad.Tape, m models.Model, opt optim.Optimizer, epoch int) (float64, error) {
		if x == nil {
			x = d.Input(tp)
		}
		tp.SetTraining(true)
		out := m.Forward(tp, d.Adj, x)
		return step(tp, cfg, m, opt, tp.CrossEntropy(out, d.Labels, d.Split.Train)), nil
	})
}

// epochFunc trains m for one epoch (one step full-batch, a pass over the
// mini-batches otherwise) and returns the epoch's training loss.
type epochFunc func(ctx context.Context, tp *ad.Tape, m models.Model, opt optim.Optimizer, epoch int) (float64, error)

// step back-propagates loss, clips the gradients as configured, updates
// the parameters and resets the tape. It returns the loss's value.
func step(tp *ad.Tape, cfg *Config, m models.Model, opt optim.Optimizer, loss *ad.Var) float64 {
	v := float64(loss.Scalar())
	opt.ZeroGrad()
	tp.Backward(loss)
	if cfg.Optim.GradClip > 0 {
		optim.ClipGradNorm(m.Params(), cfg.Optim.GradClip)
	}
	opt.Step()
	tp.Reset()
	return v
}

// problem is what the training loop knows of a data set.
type problem struct {
	features, classes int
	// noValid, when not nil, is the error of a data set without
	// validation nodes (model selection needs them).
	noValid error
	// evaluate returns train, validation and test accuracy and the
	// validation loss of m (in evaluation mode, without gradients).
	evaluate func(ctx context.Context, tp *ad.Tape, m models.Model) (acc [3]float64, valLoss float64, err error)
}

// problem returns d as the training loop sees it: evaluation on the
// whole graph.
func (d *Data) problem() problem {
	p := problem{features: d.X.Cols, classes: d.NumClasses,
		evaluate: func(_ context.Context, tp *ad.Tape, m models.Model) ([3]float64, float64, error) {
			acc, vl := evaluate(tp, m, d)
			return acc, vl, nil
		}}
	if len(d.Split.Valid) == 0 {
		p.noValid = fmt.Errorf("train: dataset %s: split %q has no validation nodes; model selection needs them", d.Name, d.Split.Name)
	}
	return p
}

// fit is the training loop every mode but gas shares: a fresh model,
// trainEpoch for every epoch, evaluation every cfg.Train.EvalEvery
// epochs, model selection and early stopping (see FullBatch).
func fit(ctx context.Context, cfg *Config, p problem, seed uint64, b kernels.Backend, onEpoch func(Epoch), trainEpoch epochFunc) (*SeedResult, models.Model, error) {
	if p.noValid != nil {
		return nil, nil, p.noValid
	}
	m, err := models.Build(cfg.Model, p.features, p.classes, rand.New(rand.NewPCG(seed, 0x6e6e)))
	if err != nil {
		return nil, nil, err
	}
	opt, err := NewOptimizer(cfg.Optim, m)
	if err != nil {
		return nil, nil, err
	}
	params := m.Params()
	best := snapshot(params)
	res := &SeedResult{Seed: seed, ValAcc: -1, ValLoss: math.Inf(1)}
	byLoss := cfg.Train.Select == SelectValLoss
	tp := ad.New(b, ad.WithSeed(seed))
	for epoch := 1; epoch <= cfg.Train.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		start := time.Now()
		lossValue, err := trainEpoch(ctx, tp, m, opt, epoch)
		if err != nil {
			return nil, nil, fmt.Errorf("train: seed %d epoch %d: %w", seed, epoch, err)
		}
		ep := Epoch{Seed: seed, Epoch: epoch, Loss: lossValue, EpochSeconds: time.Since(start).Seconds(),
			TrainAcc: math.NaN(), ValAcc: math.NaN(), TestAcc: math.NaN(), ValLoss: math.NaN()}
		if math.IsNaN(lossValue) || math.IsInf(lossValue, 0) {
			return nil, nil, fmt.Errorf("train: seed %d epoch %d: loss is %v (diverged; lower optim.lr?)", seed, epoch, lossValue)
		}

		stop := false
		if epoch%cfg.Train.EvalEvery == 0 || epoch == cfg.Train.Epochs {
			es := time.Now()
			acc, vl, err := p.evaluate(ctx, tp, m)
			if err != nil {
				return nil, nil, fmt.Errorf("train: seed %d epoch %d: evaluation: %w", seed, epoch, err)
			}
			ep.TrainAcc, ep.ValAcc, ep.TestAcc, ep.ValLoss = acc[0], acc[1], acc[2], vl
			ep.EvalSeconds = time.Since(es).Seconds()
			better := acc[1] > res.ValAcc
			if byLoss {
				better = vl <= res.ValLoss // gnn-benchmark: ties move to the later epoch
			}
			if better {
				res.ValAcc, res.TestAcc, res.ValLoss, res.BestEpoch = acc[1], acc[2], vl, epoch
				copyParams(best, params)
			}
			stop = cfg.Train.Patience > 0 && epoch-res.BestEpoch >= cfg.Train.Patience
		}
		ep.BestValAcc, ep.BestTestAcc = res.ValAcc, res.TestAcc
		res.EpochSeconds = append(res.EpochSeconds, ep.EpochSeconds)
		res.EpochsRun = epoch
		if onEpoch != nil {
			onEpoch(ep)
		}
		if stop {
			break
		}
	}
	restoreParams(params, best)
	return res, m, nil
}

// Evaluate runs the model in evaluation mode without recording gradients
// and returns train, validation and test accuracy.
func Evaluate(tp *ad.Tape, m models.Model, d *Data) (train, val, test float64) {
	acc, _ := evaluate(tp, m, d)
	return acc[0], acc[1], acc[2]
}

// evaluate is Evaluate that also returns the validation cross-entropy.
func evaluate(tp *ad.Tape, m models.Model, d *Data) (acc [3]float64, valLoss float64) {
	tp.SetTraining(false)
	tp.SetNoGrad(true)
	out := m.Forward(tp, d.Adj, d.Input(tp))
	acc[0] = Accuracy(out.Value, d.Labels, d.Split.Train)
	acc[1] = Accuracy(out.Value, d.Labels, d.Split.Valid)
	acc[2] = Accuracy(out.Value, d.Labels, d.Split.Test)
	valLoss = CrossEntropy(out.Value, d.Labels, d.Split.Valid)
	tp.Reset()
	tp.SetNoGrad(false)
	return acc, valLoss
}

// CrossEntropy returns the mean over rows of -log softmax(logits)[label]
// (torch's F.cross_entropy), computed in float64; NaN for no rows.
func CrossEntropy(logits *tensor.Dense, labels []int32, rows []int32) float64 {
	if len(rows) == 0 {
		return math.NaN()
	}
	var total float64
	for _, r := range rows {
		row := logits.Row(int(r))
		hi := math.Inf(-1)
		for _, v := range row {
			hi = max(hi, float64(v))
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - hi)
		}
		total += hi + math.Log(s) - float64(row[labels[r]])
	}
	return total / float64(len(rows))
}

// Accuracy returns the fraction of rows whose arg-max logit is the label
// (NaN for no rows). Ties pick the first maximum, as torch.argmax.
func Accuracy(logits *tensor.Dense, labels []int32, rows []int32) float64 {
	if len(rows) == 0 {
		return math.NaN()
	}
	correct := 0
	for _, r := range rows {
		row := logits.Row(int(r))
		arg := 0
		for j, v := range row {
			if v > row[arg] {
				arg = j
			}
		}
		if int32(arg) == labels[r] {
			correct++
		}
	}
	return float64(correct) / float64(len(rows))
}

func snapshot(ps []ad.Named) []*tensor.Dense {
	out := make([]*tensor.Dense, len(ps))
	for i, p := range ps {
		out[i] = p.Param.Value.Clone()
	}
	return out
}

func copyParams(dst []*tensor.Dense, ps []ad.Named) {
	for i, p := range ps {
		dst[i].Copy(p.Param.Value)
	}
}

func restoreParams(ps []ad.Named, src []*tensor.Dense) {
	for i, p := range ps {
		p.Param.Value.Copy(src[i])
	}
}
