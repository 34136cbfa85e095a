package sampling

import (
	"context"
	"fmt"
	"slices"
)

// Epochs and batches: [epochOrder] gives the order in which an epoch visits
// its inputs (shuffled from (seed, epoch) or identity), and batch b covers
// positions [b*size, (b+1)*size) of it.

func epochOrder(order []int32, n int, shuffle bool, seed uint64, epoch int) []int32 {
	order = order[:0]
	for i := range n {
		order = append(order, int32(i))
	}
	if shuffle {
		r := rng{s: derive(seed, uint64(epoch)+1<<62)}
		for i := n - 1; i > 0; i-- {
			j := int(r.intn(uint64(i + 1)))
			order[i], order[j] = order[j], order[i]
		}
	}
	return order
}

func numBatches(n, size int, dropLast bool) int {
	if dropLast {
		return n / size
	}
	return (n + size - 1) / size
}

// NeighborLoaderOptions configure [NewNeighborLoader] (PyG NeighborLoader).
type NeighborLoaderOptions struct {
	Sampler NeighborOptions
	// Input lists the seed nodes (nil: every node).
	Input []int32
	// NodeTime (temporal, optional) holds one time per node: hops filter
	// on neighbour node times, and seeds default to their own time.
	NodeTime []int64
	// InputTime (temporal) holds one time per input node; nil takes
	// NodeTime of each input node.
	InputTime []int64
	BatchSize int
	Shuffle   bool
	DropLast  bool
	Seed      uint64
	Loader    LoaderOptions
	// NewHop returns one worker's hop sampler (e.g. a remote client); nil
	// uses a LocalHopSampler over the source.
	NewHop func() (HopSampler, error)
}

// NodeBatch is a NeighborLoader batch: the sampled Output plus the indices
// of its seeds in the loader's Input (PyG's input_id).
type NodeBatch struct {
	Output
	InputID []int64
	Epoch   int
	Index   int
}

type neighborBuilder struct {
	src   NeighborSource
	opts  NeighborLoaderOptions
	order []int32
	n     int
}

// NewNeighborLoader returns a loader of neighbour-sampled node batches.
// Errors wrap [ErrOptions] (or [ErrNodeRange] for a bad input node).
func NewNeighborLoader(src NeighborSource, opts NeighborLoaderOptions) (*Loader[NodeBatch], error) {
	if src == nil {
		return nil, fmt.Errorf("sampling: neighbor loader: nil source: %w", ErrOptions)
	}
	if err := opts.Sampler.validate(); err != nil {
		return nil, fmt.Errorf("sampling: neighbor loader: Sampler.%w", err)
	}
	if opts.BatchSize <= 0 {
		return nil, fmt.Errorf("sampling: neighbor loader: BatchSize = %d: want > 0: %w", opts.BatchSize, ErrOptions)
	}
	n := src.NumNodes()
	if opts.Input == nil {
		opts.Input = make([]int32, n)
		for i := range opts.Input {
			opts.Input[i] = int32(i)
		}
	}
	if err := checkNodes(opts.Input, n); err != nil {
		return nil, fmt.Errorf("sampling: neighbor loader: Input: %w", err)
	}
	if opts.NodeTime != nil && len(opts.NodeTime) != n {
		return nil, fmt.Errorf("sampling: neighbor loader: NodeTime has %d entries for %d nodes: %w", len(opts.NodeTime), n, ErrOptions)
	}
	if opts.Sampler.Temporal != NotTemporal {
		if opts.InputTime == nil {
			if opts.NodeTime == nil {
				return nil, fmt.Errorf("sampling: neighbor loader: temporal sampling needs InputTime or NodeTime: %w", ErrOptions)
			}
			opts.InputTime = make([]int64, len(opts.Input))
			for i, v := range opts.Input {
				opts.InputTime[i] = opts.NodeTime[v]
			}
		}
		if len(opts.InputTime) != len(opts.Input) {
			return nil, fmt.Errorf("sampling: neighbor loader: InputTime has %d entries for %d inputs: %w", len(opts.InputTime), len(opts.Input), ErrOptions)
		}
	} else if opts.InputTime != nil {
		return nil, fmt.Errorf("sampling: neighbor loader: InputTime without temporal sampling: %w", ErrOptions)
	}
	b := &neighborBuilder{src: src, opts: opts, n: len(opts.Input)}
	return NewLoader[NodeBatch](b, opts.Loader)
}

func (b *neighborBuilder) Plan(epoch int) (int, error) {
	b.order = epochOrder(b.order, b.n, b.opts.Shuffle, b.opts.Seed, epoch)
	return numBatches(b.n, b.opts.BatchSize, b.opts.DropLast), nil
}

func (b *neighborBuilder) NewWorker() (Worker[NodeBatch], error) {
	hop, err := newHop(b.src, b.opts.NodeTime, b.opts.NewHop)
	if err != nil {
		return nil, err
	}
	s, err := NewNeighborSampler(hop, b.opts.Sampler)
	if err != nil {
		return nil, err
	}
	return &neighborWorker{b: b, s: s}, nil
}

func newHop(src NeighborSource, nodeTime []int64, f func() (HopSampler, error)) (HopSampler, error) {
	if f != nil {
		return f()
	}
	return NewLocalHopSampler(src, nodeTime)
}

type neighborWorker struct {
	b     *neighborBuilder
	s     *NeighborSampler
	seeds []int32
	times []int64
}

func (w *neighborWorker) Build(ctx context.Context, e, bi int, dst *NodeBatch) error {
	o := &w.b.opts
	lo, hi := bi*o.BatchSize, min((bi+1)*o.BatchSize, w.b.n)
	dst.InputID, w.seeds, w.times = dst.InputID[:0], w.seeds[:0], w.times[:0]
	for _, i := range w.b.order[lo:hi] {
		dst.InputID = append(dst.InputID, int64(i))
		w.seeds = append(w.seeds, o.Input[i])
		if o.InputTime != nil {
			w.times = append(w.times, o.InputTime[i])
		}
	}
	var st []int64
	if o.InputTime != nil {
		st = w.times
	}
	dst.Epoch, dst.Index = e, bi
	return w.s.Sample(ctx, w.seeds, st, BatchSeed(o.Seed, e, bi), &dst.Output)
}

// LinkLoaderOptions configure [NewLinkNeighborLoader] (PyG
// LinkNeighborLoader).
type LinkLoaderOptions struct {
	Sampler LinkOptions
	// Src and Dst list the supervision edges (edge_label_index).
	Src, Dst []int32
	// Label (optional) labels each edge; with binary negatives labels whose
	// minimum is 0 are shifted by +1 so that 0 means negative (as PyG).
	Label []int64
	// Time (temporal) holds each edge's time (edge_label_time).
	Time      []int64
	NodeTime  []int64
	BatchSize int
	Shuffle   bool
	DropLast  bool
	Seed      uint64
	Loader    LoaderOptions
	NewHop    func() (HopSampler, error)
}

// LinkBatch is a LinkNeighborLoader batch: the LinkOutput plus the indices
// of its supervision edges in the loader's input.
type LinkBatch struct {
	LinkOutput
	InputID []int64
	Epoch   int
	Index   int
}

type linkBuilder struct {
	src   NeighborSource
	opts  LinkLoaderOptions
	order []int32
}

// NewLinkNeighborLoader returns a loader of link batches.
func NewLinkNeighborLoader(src NeighborSource, opts LinkLoaderOptions) (*Loader[LinkBatch], error) {
	if src == nil {
		return nil, fmt.Errorf("sampling: link loader: nil source: %w", ErrOptions)
	}
	if opts.BatchSize <= 0 {
		return nil, fmt.Errorf("sampling: link loader: BatchSize = %d: want > 0: %w", opts.BatchSize, ErrOptions)
	}
	m := len(opts.Src)
	if len(opts.Dst) != m || (opts.Label != nil && len(opts.Label) != m) || (opts.Time != nil && len(opts.Time) != m) {
		return nil, fmt.Errorf("sampling: link loader: Src %d, Dst %d, Label %d, Time %d entries disagree: %w",
			m, len(opts.Dst), len(opts.Label), len(opts.Time), ErrOptions)
	}
	n := src.NumNodes()
	if err := checkNodes(opts.Src, n); err != nil {
		return nil, fmt.Errorf("sampling: link loader: Src: %w", err)
	}
	if err := checkNodes(opts.Dst, n); err != nil {
		return nil, fmt.Errorf("sampling: link loader: Dst: %w", err)
	}
	if opts.Sampler.Temporal != NotTemporal && opts.Time == nil {
		return nil, fmt.Errorf("sampling: link loader: temporal sampling needs Time: %w", ErrOptions)
	}
	if opts.Sampler.Temporal == NotTemporal && opts.Time != nil {
		return nil, fmt.Errorf("sampling: link loader: Time without temporal sampling: %w", ErrOptions)
	}
	if opts.Sampler.Negative == BinaryNegatives && len(opts.Label) > 0 && slices.Min(opts.Label) == 0 {
		shifted := make([]int64, m)
		for i, l := range opts.Label {
			shifted[i] = l + 1
		}
		opts.Label = shifted
	}
	// Check the sampler options once, up front.
	hop, err := newHop(src, opts.NodeTime, opts.NewHop)
	if err != nil {
		return nil, fmt.Errorf("sampling: link loader: %w", err)
	}
	if _, err := NewLinkSampler(hop, opts.Sampler); err != nil {
		return nil, err
	}
	return NewLoader[LinkBatch](&linkBuilder{src: src, opts: opts}, opts.Loader)
}

func (b *linkBuilder) Plan(epoch int) (int, error) {
	b.order = epochOrder(b.order, len(b.opts.Src), b.opts.Shuffle, b.opts.Seed, epoch)
	return numBatches(len(b.opts.Src), b.opts.BatchSize, b.opts.DropLast), nil
}

func (b *linkBuilder) NewWorker() (Worker[LinkBatch], error) {
	hop, err := newHop(b.src, b.opts.NodeTime, b.opts.NewHop)
	if err != nil {
		return nil, err
	}
	s, err := NewLinkSampler(hop, b.opts.Sampler)
	if err != nil {
		return nil, err
	}
	return &linkWorker{b: b, s: s}, nil
}

type linkWorker struct {
	b           *linkBuilder
	s           *LinkSampler
	src, dst    []int32
	label, time []int64
}

func (w *linkWorker) Build(ctx context.Context, e, bi int, out *LinkBatch) error {
	o := &w.b.opts
	lo, hi := bi*o.BatchSize, min((bi+1)*o.BatchSize, len(o.Src))
	out.InputID = out.InputID[:0]
	w.src, w.dst, w.label, w.time = w.src[:0], w.dst[:0], w.label[:0], w.time[:0]
	for _, i := range w.b.order[lo:hi] {
		out.InputID = append(out.InputID, int64(i))
		w.src = append(w.src, o.Src[i])
		w.dst = append(w.dst, o.Dst[i])
		if o.Label != nil {
			w.label = append(w.label, o.Label[i])
		}
		if o.Time != nil {
			w.time = append(w.time, o.Time[i])
		}
	}
	var label, time []int64
	if o.Label != nil {
		label = w.label
	}
	if o.Time != nil {
		time = w.time
	}
	out.Epoch, out.Index = e, bi
	return w.s.Sample(ctx, w.src, w.dst, label, time, BatchSeed(o.Seed, e, bi), &out.LinkOutput)
}

// GASLoaderOptions configure [NewGASLoader].
type GASLoaderOptions struct {
	GAS GASOptions
	// PartsPerBatch is the number of partitions per batch (PyGAS's
	// batch_size).
	PartsPerBatch int
	// Shuffle draws a fresh random grouping each epoch (PyGAS
	// SubgraphLoader with shuffle=True); otherwise batches are fixed
	// contiguous groups (EvalSubgraphLoader).
	Shuffle bool
	Seed    uint64
	Loader  LoaderOptions
}

// GASGroups returns the partition groups of an epoch: k partitions split
// into groups of partsPerBatch (the last may be smaller), after a shuffle
// derived from (seed, epoch) when shuffle is set.
func GASGroups(k, partsPerBatch int, shuffle bool, seed uint64, epoch int) [][]int {
	if k <= 0 || partsPerBatch <= 0 {
		return nil
	}
	order := epochOrder(nil, k, shuffle, seed, epoch)
	var groups [][]int
	for lo := 0; lo < k; lo += partsPerBatch {
		g := make([]int, 0, partsPerBatch)
		for _, p := range order[lo:min(lo+partsPerBatch, k)] {
			g = append(g, int(p))
		}
		groups = append(groups, g)
	}
	return groups
}

type gasBuilder struct {
	src    NeighborSource
	ptr    []int64
	opts   GASLoaderOptions
	groups [][]int
	deg    []float32
}

// NewGASLoader returns a loader of GAS (or Cluster-GCN) batches over the
// partition book ptr.
func NewGASLoader(src NeighborSource, ptr []int64, opts GASLoaderOptions) (*Loader[GASBatch], error) {
	if opts.PartsPerBatch <= 0 {
		return nil, fmt.Errorf("sampling: gas loader: PartsPerBatch = %d: want > 0: %w", opts.PartsPerBatch, ErrOptions)
	}
	if _, err := NewGASBatcher(src, ptr, opts.GAS); err != nil {
		return nil, err
	}
	return NewLoader[GASBatch](&gasBuilder{src: src, ptr: ptr, opts: opts}, opts.Loader)
}

func (b *gasBuilder) Plan(epoch int) (int, error) {
	b.groups = GASGroups(len(b.ptr)-1, b.opts.PartsPerBatch, b.opts.Shuffle, b.opts.Seed, epoch)
	return len(b.groups), nil
}

func (b *gasBuilder) NewWorker() (Worker[GASBatch], error) {
	g, err := NewGASBatcher(b.src, b.ptr, b.opts.GAS)
	if err != nil {
		return nil, err
	}
	if b.opts.GAS.Normalize && b.deg != nil {
		g.deg = b.deg
	} else if b.opts.GAS.Normalize {
		b.deg = g.globalDeg() // computed once, shared read-only
		g.deg = b.deg
	}
	return &gasWorker{b: b, g: g}, nil
}

type gasWorker struct {
	b *gasBuilder
	g *GASBatcher
}

func (w *gasWorker) Build(ctx context.Context, _, bi int, dst *GASBatch) error {
	return w.g.Build(ctx, w.b.groups[bi], dst)
}
