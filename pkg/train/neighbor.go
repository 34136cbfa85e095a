package train

import (
	"context"
	"fmt"

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
	nc := cfg.Neighbor
	loader, err := sampling.NewNeighborLoader(src, sampling.NeighborLoaderOptions{
		Sampler:   sampling.NeighborOptions{Fanouts: nc.Fanouts, Replace: nc.Replace},
		Input:     d.Split.Train,
		BatchSize: nc.BatchSize,
		Shuffle:   true,
		Seed:      seed,
		Loader:    sampling.LoaderOptions{Workers: nc.Workers},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("train: %w", err)
	}
	defer loader.Close()
	var nb neighborInputs
	return fit(ctx, cfg, d, seed, b, onEpoch, func(ctx context.Context, tp *ad.Tape, m models.Model, opt optim.Optimizer, epoch int) (float64, error) {
		it := loader.Epoch(ctx, epoch)
		defer it.Close()
		var sum float64
		var seeds int
		for it.Next(ctx) {
			bt := it.Batch()
			adj, x, labels, rows, err := nb.build(tp, d, &bt.Output)
			if err != nil {
				return 0, err
			}
			tp.SetTraining(true)
			out := m.Forward(tp, adj, x)
			sum += step(tp, cfg, m, opt, tp.CrossEntropy(out, labels, rows)) * float64(len(rows))
			seeds += len(rows)
		}
		if err := it.Err(); err != nil {
			return 0, err
		}
		if seeds == 0 {
			return 0, fmt.Errorf("no training batch")
		}
		return sum / float64(seeds), nil
	})
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
// the data set's features are sparse), the labels of its nodes and the
// local rows of its seeds.
func (nb *neighborInputs) build(tp *ad.Tape, d *Data, o *sampling.Output) (*ad.Sparse, *ad.Var, []int32, []int32, error) {
	adj, err := ad.NewSparse(o.Adj())
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("sampled batch: %w", err)
	}
	n := len(o.NID)
	if nb.x == nil || cap(nb.x.Data) < n*d.X.Cols {
		nb.x = tensor.New(n, d.X.Cols)
	}
	nb.x = &tensor.Dense{Rows: n, Cols: d.X.Cols, Stride: d.X.Cols, Data: nb.x.Data[:n*d.X.Cols]}
	tp.Backend().Gather(nb.x, d.X, o.NID)
	nb.labels, nb.rows = nb.labels[:0], nb.rows[:0]
	for _, v := range o.NID {
		nb.labels = append(nb.labels, d.Labels[v])
	}
	for i := range o.BatchSize {
		nb.rows = append(nb.rows, int32(i))
	}
	var x *ad.Var
	if d.XSparse != nil {
		x = tp.ConstSparse(nb.x, ad.FeatureCSR(nb.x))
		tp.ReuseSparseInput(nb.prevX, x) // the dropout's dense buffer moves on
		nb.prevX = x
	} else {
		x = tp.Const(nb.x)
	}
	return adj, x, nb.labels, nb.rows, nil
}
