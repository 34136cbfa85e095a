package train

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gnnscale/gnnscale/pkg/gas"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/history"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/sampling"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Mode neighbor over a prepared GAS data folder (gas.store) and its
// servers: nothing of the graph is held in memory. The training nodes
// and the evaluation nodes with their labels are read once (one scan of
// the split codes); each batch samples on the graph servers
// (GraphStore.SampleHop: only the sampled neighbours travel; a replicated
// shard on whichever replica answers), or on the trainer from the
// folder's own store; features come by row from the feature server or
// the folder's store. Evaluation runs
// the model on the sampled neighbourhoods of the validation and test
// nodes (neighbor.eval_fanouts: by default all neighbours, which is
// exact); the reported training accuracy is that of the epoch's batches.

// gasNodes is the labelled nodes of a GAS data set, by split.
type gasNodes struct {
	ids, labels [3][]int32 // train, valid, test
}

// readGASNodes scans the split codes and labels of src.
func readGASNodes(ctx context.Context, src gas.Source) (*gasNodes, error) {
	const chunk = 1 << 16
	n := src.NumNodes()
	labels := make([]int32, min(chunk, n))
	split := make([]int8, min(chunk, n))
	var out gasNodes
	for off := 0; off < n; off += chunk {
		cnt := min(chunk, n-off)
		if err := src.Targets(ctx, []history.Range{{Offset: int64(off), Count: int64(cnt)}}, labels[:cnt], split[:cnt]); err != nil {
			return nil, err
		}
		for i, s := range split[:cnt] {
			if s < gas.SplitTrain || s > gas.SplitTest {
				continue
			}
			if y := labels[i]; y < 0 || int(y) >= src.NumClasses() {
				return nil, fmt.Errorf("node %d: label %d outside [0, %d)", off+i, y, src.NumClasses())
			}
			out.ids[s] = append(out.ids[s], int32(off+i))
			out.labels[s] = append(out.labels[s], labels[i])
		}
	}
	return &out, nil
}

// pushdownHops returns a factory of hop samplers that sample on the graph
// servers of gd (a shard of several replicas samples on whichever
// answers, with the failover of its reads), or nil when some shard is
// not on servers.
func pushdownHops(ctx context.Context, gd *GASData) (func() (sampling.HopSampler, error), error) {
	var hops []sampling.HopSampler
	for _, g := range gd.graphStores {
		h, err := serverHop(ctx, g)
		if h == nil || err != nil {
			return nil, err
		}
		hops = append(hops, h)
	}
	switch len(hops) {
	case 0:
		return nil, nil
	case 1:
		return func() (sampling.HopSampler, error) { return hops[0], nil }, nil
	}
	book := gas.Book{Ptr: gd.Ptr}
	bounds := book.ShardBounds(len(hops))
	return func() (sampling.HopSampler, error) { return sampling.NewShardedHopSampler(bounds, hops) }, nil
}

// serverHop returns the hop sampler of graph store g's server(s), or nil
// when g is not on servers.
func serverHop(ctx context.Context, g store.GraphStore) (sampling.HopSampler, error) {
	switch g := g.(type) {
	case *store.Graph:
		if gc := graphClient(g); gc != nil {
			return gc.HopSampler(ctx, store.DefaultEdgeType)
		}
	case *store.ReplicatedGraph:
		r := &replicatedHop{rg: g}
		for _, rep := range g.Replicas() {
			gc := graphClient(rep)
			if gc == nil {
				return nil, nil
			}
			r.clients = append(r.clients, gc)
		}
		info, err := g.EdgeInfo(ctx, store.DefaultEdgeType) // from a replica that answers
		if err != nil {
			return nil, err
		}
		r.n = info.NumNodes
		return r, nil
	}
	return nil, nil
}

// graphClient returns the RPC client behind g, or nil when g is not a
// remote graph store.
func graphClient(g store.GraphStore) *rpc.GraphClient {
	sg, ok := g.(*store.Graph)
	if !ok {
		return nil
	}
	gc, _ := sg.Backend().(*rpc.GraphClient)
	return gc
}

// replicatedHop samples on the servers of a replicated graph shard,
// moving to another replica when one is unavailable, as the shard's reads
// do (store.ReplicatedGraph.Read).
type replicatedHop struct {
	rg      *store.ReplicatedGraph
	clients []*rpc.GraphClient // per replica
	n       int
}

func (r *replicatedHop) NumNodes() int { return r.n }

func (r *replicatedHop) SampleHop(ctx context.Context, frontier []int32, fanout int, o *sampling.HopOptions, dst *graph.Adjacency) error {
	return r.rg.Read(func(i int) error {
		h, err := r.clients[i].HopSampler(ctx, store.DefaultEdgeType) // the edge type's handle is cached
		if err != nil {
			return err
		}
		return h.SampleHop(ctx, frontier, fanout, o, dst) // resets dst first
	})
}

// newGASFeed returns the batches and the evaluation of mode neighbor over
// gd.
func newGASFeed(ctx context.Context, cfg *Config, gd *GASData, log *slog.Logger) (*neighborFeed, problem, error) {
	src := gd.Src
	nodes, err := readGASNodes(ctx, src)
	if err != nil {
		return nil, problem{}, fmt.Errorf("train: gas.store %s: %w", cfg.GAS.Store, err)
	}
	newHop, err := pushdownHops(ctx, gd)
	if err != nil {
		return nil, problem{}, fmt.Errorf("train: graph servers: %w", err)
	}
	where := "trainer (from the stores' neighbour lists)"
	if newHop != nil {
		where = "graph servers"
	}
	log.Info("neighbor sampling", "on", where, "train", len(nodes.ids[0]), "valid", len(nodes.ids[1]), "test", len(nodes.ids[2]))
	f := &neighborFeed{src: gd.Graph, newHop: newHop, train: nodes.ids[0], trainY: nodes.labels[0], cols: src.NumFeatures(),
		features: func(ctx context.Context, ids []int32, dst *tensor.Dense, _ kernels.Backend) error {
			return src.Features(ctx, nil, ids, dst)
		}}
	if len(f.train) == 0 {
		return nil, problem{}, fmt.Errorf("train: gas.store %s: no training nodes", cfg.GAS.Store)
	}
	fanouts := cfg.Neighbor.evalFanouts(cfg.Model.Layers)
	p := problem{features: src.NumFeatures(), classes: src.NumClasses(),
		evaluate: func(ctx context.Context, tp *ad.Tape, m models.Model) (acc [3]float64, valLoss float64, err error) {
			acc[0] = f.trainAcc
			if acc[1], valLoss, err = f.infer(ctx, cfg, tp, m, nodes.ids[1], nodes.labels[1], fanouts); err != nil {
				return acc, 0, err
			}
			acc[2], _, err = f.infer(ctx, cfg, tp, m, nodes.ids[2], nodes.labels[2], fanouts)
			return acc, valLoss, err
		}}
	if len(nodes.ids[1]) == 0 {
		p.noValid = fmt.Errorf("train: gas.store %s has no validation nodes; model selection needs them", cfg.GAS.Store)
	}
	return f, p, nil
}

// evalFanouts returns the fan-outs of evaluation: EvalFanouts, or every
// neighbour over one hop per model layer.
func (c *NeighborConfig) evalFanouts(layers int) []int {
	if c.EvalFanouts != nil {
		return c.EvalFanouts
	}
	f := make([]int, max(layers, 1))
	for i := range f {
		f[i] = -1
	}
	return f
}

// neighborGAS opens cfg's GAS data folder and its servers and returns
// the per-seed training of mode neighbor over them.
func neighborGAS(ctx context.Context, cfg *Config, b kernels.Backend, log *slog.Logger) (name string, train trainFunc, closeData func() error, err error) {
	gd, err := openGASStore(ctx, cfg, log)
	if err != nil {
		return "", nil, nil, err
	}
	f, p, err := newGASFeed(ctx, cfg, gd, log)
	if err != nil {
		gd.Close()
		return "", nil, nil, err
	}
	return gd.Name, func(ctx context.Context, seed uint64, onEpoch func(Epoch)) (*SeedResult, models.Model, error) {
		return f.fit(ctx, cfg, p, seed, b, onEpoch)
	}, gd.Close, nil
}

// trainFunc trains one seed.
type trainFunc func(ctx context.Context, seed uint64, onEpoch func(Epoch)) (*SeedResult, models.Model, error)
