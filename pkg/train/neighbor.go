package train

import (
	"context"
	"fmt"
	"math"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
	"github.com/gnnscale/gnnscale/pkg/gnn/optim"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/sampling"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// NeighborConfig is the "neighbor:" section of a trainer config (mode
// neighbor): PyG NeighborLoader mini-batches over the training nodes.
// Each step samples a batch of training nodes' neighbourhoods, runs the
// model on the sampled subgraph and takes the loss on the batch's seeds
// (PyG: model(batch.x, batch.edge_index)[:batch.batch_size]);
// evaluation runs the model on the whole graph, exactly.
type NeighborConfig struct {
	// Fanouts is the number of neighbours sampled per node at each hop
	// (-1: all). Default: 10 per model layer.
	Fanouts []int `yaml:"fanouts"`
	// BatchSize is the number of seed (training) nodes per batch. Default
	// 1024.
	BatchSize int `yaml:"batch_size"`
	// Replace samples with replacement.
	Replace bool `yaml:"replace"`
	// Workers is the number of goroutines sampling batches ahead of
	// training (default 1). Results do not depend on it.
	Workers int `yaml:"workers"`
	// EvalFanouts are the fan-outs of evaluation when training from a GAS
	// data folder (gas.store): default -1 (all) per model layer, which is
	// exact. In memory, evaluation runs on the whole graph.
	EvalFanouts []int `yaml:"eval_fanouts"`
}

func (c *NeighborConfig) ensureDefaults(layers int) {
	if c.Fanouts == nil && layers > 0 {
		c.Fanouts = make([]int, layers)
		for i := range c.Fanouts {
			c.Fanouts[i] = 10
		}
	}
	if c.BatchSize == 0 {
		c.BatchSize = 1024
	}
	if c.Workers == 0 {
		c.Workers = 1
	}
}

func (c *NeighborConfig) validate(bad func(string, ...any)) {
	if len(c.Fanouts) == 0 {
		bad("neighbor.fanouts: empty, want one fan-out per hop")
	}
	for i, f := range c.Fanouts {
		if f == 0 || f < -1 {
			bad("neighbor.fanouts[%d]: %d, want > 0 or -1 (all)", i, f)
		}
	}
	for i, f := range c.EvalFanouts {
		if f == 0 || f < -1 {
			bad("neighbor.eval_fanouts[%d]: %d, want > 0 or -1 (all)", i, f)
		}
	}
	if c.EvalFanouts != nil && len(c.EvalFanouts) == 0 {
		bad("neighbor.eval_fanouts: empty, want one fan-out per hop (or leave it out)")
	}
	if c.BatchSize < 1 {
		bad("neighbor.batch_size: %d, want >= 1", c.BatchSize)
	}
	if c.Workers < 1 {
		bad("neighbor.workers: %d, want >= 1", c.Workers)
	}
}

// NeighborBatch trains like FullBatch (same model selection, evaluation
// on the whole graph) but each epoch is a pass over mini-batches of the
// training nodes with sampled neighbourhoods (cfg.Neighbor), shuffled per
// epoch. Batches and dropout depend only on seed, not on the number of
// sampling workers. The epoch's loss is the seed-weighted mean over its
// batches.
func NeighborBatch(ctx context.Context, cfg *Config, d *Data, seed uint64, b kernels.Backend, onEpoch func(Epoch)) (*SeedResult, models.Model, error) {
	if d.CSC == nil {
		return nil, nil, fmt.Errorf("train: dataset %s: mode neighbor needs the graph in memory", d.Name)
	}
	src, err := sampling.FromCSC(d.CSC, nil, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("train: %w", err)
	}
	f := &neighborFeed{src: src, train: d.Split.Train, cols: d.X.Cols, sparse: d.XSparse != nil,
		features: func(_ context.Context, ids []int32, dst *tensor.Dense, bk kernels.Backend) error {
			bk.Gather(dst, d.X, ids)
			return nil
		}}
	for _, v := range f.train {
		f.trainY = append(f.trainY, d.Labels[v])
	}
	return f.fit(ctx, cfg, d.problem(), seed, b, onEpoch)
}

// neighborFeed is where neighbour-sampled batches come from: the graph
// (a neighbour source, or hop samplers such as graph servers), the
// training nodes with their labels, and the nodes' features.
type neighborFeed struct {
	src    sampling.NeighborSource             // the node count; sampled from unless newHop is set
	newHop func() (sampling.HopSampler, error) // nil: local sampling from src
	train  []int32                             // the training nodes
	trainY []int32                             // their labels
	cols   int
	sparse bool // give the model the features' sparse form too
	// features sets dst's rows to the features of ids.
	features func(ctx context.Context, ids []int32, dst *tensor.Dense, b kernels.Backend) error
	// trainAcc is the accuracy of the last epoch's batches on their seeds
	// (in training mode, as the batches were trained).
	trainAcc float64
}

// loader returns a loader of batches of the nodes input.
func (f *neighborFeed) loader(nc NeighborConfig, input []int32, fanouts []int, shuffle bool, seed uint64) (*sampling.Loader[sampling.NodeBatch], error) {
	l, err := sampling.NewNeighborLoader(f.src, sampling.NeighborLoaderOptions{
		Sampler:   sampling.NeighborOptions{Fanouts: fanouts, Replace: nc.Replace},
		Input:     input,
		BatchSize: nc.BatchSize,
		Shuffle:   shuffle,
		Seed:      seed,
		Loader:    sampling.LoaderOptions{Workers: nc.Workers},
		NewHop:    f.newHop,
	})
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return l, nil
}

// fit trains a model on f's batches (see NeighborBatch), evaluating with
// p.evaluate.
func (f *neighborFeed) fit(ctx context.Context, cfg *Config, p problem, seed uint64, b kernels.Backend, onEpoch func(Epoch)) (*SeedResult, models.Model, error) {
	loader, err := f.loader(cfg.Neighbor, f.train, cfg.Neighbor.Fanouts, true, seed)
	if err != nil {
		return nil, nil, err
	}
	defer loader.Close()
	var nb neighborInputs
	return fit(ctx, cfg, p, seed, b, onEpoch, func(ctx context.Context, tp *ad.Tape, m models.Model, opt optim.Optimizer, epoch int) (float64, error) {
		it := loader.Epoch(ctx, epoch)
		defer it.Close()
		var sum float64
		var seeds, correct int
		for it.Next(ctx) {
			bt := it.Batch()
			adj, x, labels, rows, err := nb.build(ctx, tp, f, bt, f.trainY)
			if err != nil {
				return 0, err
			}
			tp.SetTraining(true)
			out := m.Forward(tp, adj, x)
			correct += int(math.Round(Accuracy(out.Value, labels, rows) * float64(len(rows))))
			sum += step(tp, cfg, m, opt, tp.CrossEntropy(out, labels, rows)) * float64(len(rows))
			seeds += len(rows)
		}
		if err := it.Err(); err != nil {
			return 0, err
		}
		if seeds == 0 {
			return 0, fmt.Errorf("no training batch")
		}
		f.trainAcc = float64(correct) / float64(seeds)
		return sum / float64(seeds), nil
	})
}

// infer returns the accuracy and mean cross-entropy of m on nodes
// (labels: theirs), each in a batch of its sampled neighbourhood
// (fanouts; all neighbours over as many hops as the model has layers is
// exact inference), in evaluation mode without gradients.
func (f *neighborFeed) infer(ctx context.Context, cfg *Config, tp *ad.Tape, m models.Model, nodes, labels []int32, fanouts []int) (acc, loss float64, err error) {
	if len(nodes) == 0 {
		return math.NaN(), math.NaN(), nil
	}
	loader, err := f.loader(cfg.Neighbor, nodes, fanouts, false, 0)
	if err != nil {
		return 0, 0, err
	}
	defer loader.Close()
	tp.SetTraining(false)
	tp.SetNoGrad(true)
	defer tp.SetNoGrad(false)
	var nb neighborInputs
	var correct, ce float64
	it := loader.Epoch(ctx, 0)
	defer it.Close()
	for it.Next(ctx) {
		bt := it.Batch()
		adj, x, y, rows, err := nb.build(ctx, tp, f, bt, labels)
		if err != nil {
			return 0, 0, err
		}
		out := m.Forward(tp, adj, x)
		correct += Accuracy(out.Value, y, rows) * float64(len(rows))
		ce += CrossEntropy(out.Value, y, rows) * float64(len(rows))
		tp.Reset()
	}
	if err := it.Err(); err != nil {
		return 0, 0, err
	}
	return correct / float64(len(nodes)), ce / float64(len(nodes)), nil
}

// neighborInputs holds one batch's model inputs, reusing its buffers
// from batch to batch.
type neighborInputs struct {
	x      *tensor.Dense
	prevX  *ad.Var // the last batch's features, for Tape.ReuseSparseInput
	labels []int32
	rows   []int32
}

// build returns the sampled subgraph's adjacency (every sampled edge,
// len(NID) x len(NID)), its nodes' features (with their sparse form when
// f's features are sparse), labels for its rows (the seeds' from
// inputLabels, which is aligned with the loader's input; 0 for the other
// rows, which the loss does not read) and the local rows of its seeds.
func (nb *neighborInputs) build(ctx context.Context, tp *ad.Tape, f *neighborFeed, bt *sampling.NodeBatch, inputLabels []int32) (*ad.Sparse, *ad.Var, []int32, []int32, error) {
	o := &bt.Output
	adj, err := ad.NewSparse(o.Adj())
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("sampled batch: %w", err)
	}
	n := len(o.NID)
	if nb.x == nil || cap(nb.x.Data) < n*f.cols {
		nb.x = tensor.New(n, f.cols)
	}
	nb.x = &tensor.Dense{Rows: n, Cols: f.cols, Stride: f.cols, Data: nb.x.Data[:n*f.cols]}
	if err := f.features(ctx, o.NID, nb.x, tp.Backend()); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("sampled batch: %w", err)
	}
	nb.labels, nb.rows = nb.labels[:0], nb.rows[:0]
	for i := range n {
		var y int32
		if i < o.BatchSize {
			y = inputLabels[bt.InputID[i]]
			nb.rows = append(nb.rows, int32(i))
		}
		nb.labels = append(nb.labels, y)
	}
	var x *ad.Var
	if f.sparse {
		x = tp.ConstSparse(nb.x, ad.FeatureCSR(nb.x))
		tp.ReuseSparseInput(nb.prevX, x) // the dropout's dense buffer moves on
		nb.prevX = x
	} else {
		x = tp.Const(nb.x)
	}
	return adj, x, nb.labels, nb.rows, nil
}
