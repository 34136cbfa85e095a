package sampling

import (
	"context"
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// TemporalStrategy selects how temporal sampling picks among the neighbours
// that are not in the future (PyG's temporal_strategy).
type TemporalStrategy int

const (
	// NotTemporal samples without looking at time.
	NotTemporal TemporalStrategy = iota
	// TemporalUniform samples uniformly (or by weight) among the neighbours
	// whose time is at most the cutoff.
	TemporalUniform
	// TemporalLast takes the most recent neighbours whose time is at most
	// the cutoff (ties: the later entry first).
	TemporalLast
)

func (s TemporalStrategy) String() string {
	switch s {
	case NotTemporal:
		return "none"
	case TemporalUniform:
		return "uniform"
	case TemporalLast:
		return "last"
	}
	return fmt.Sprintf("TemporalStrategy(%d)", int(s))
}

// HopOptions says how one hop samples. The zero value samples uniformly
// without replacement.
type HopOptions struct {
	// Replace samples with replacement (a neighbour may be drawn twice).
	Replace bool
	// Weighted samples proportionally to edge weights: Efraimidis–Spirakis
	// keys without replacement, inverse CDF with replacement. Entries of
	// weight 0 are never drawn. The source must have weights.
	Weighted bool
	// Temporal enables time filtering: entry i of the frontier only sees
	// neighbours whose time is <= Cutoff[i]. Time is the neighbour node's
	// time when the hop sampler has node times, the edge's time otherwise.
	Temporal TemporalStrategy
	// Cutoff holds one time per frontier entry when Temporal is set.
	Cutoff []int64
	// Tags (nil: all 0) separate the random streams of repeated frontier
	// nodes, e.g. the disjoint subgraph each entry belongs to.
	Tags []int32
	// Seed is the hop's seed; entry i draws from a stream derived from
	// (Seed, frontier[i], Tags[i]) only.
	Seed uint64
}

// HopSampler samples one hop: for each frontier node, up to fanout of its
// in-neighbours (fanout < 0: all of them). It resets dst and fills, for
// frontier entry i, entries [dst.Indptr[i], dst.Indptr[i+1]) of dst.Nbrs
// (the sampled sources) and dst.EdgeID; Weight and Time are left empty.
// Because each entry's randomness depends only on (Seed, node, tag), a
// frontier may be split among several HopSamplers (graph servers) and the
// answers concatenated with the same result. Errors wrap [ErrNodeRange] for
// a bad frontier id and [ErrOptions] for options the source cannot serve.
type HopSampler interface {
	NumNodes() int
	SampleHop(ctx context.Context, frontier []int32, fanout int, opts *HopOptions, dst *graph.Adjacency) error
}

// LocalHopSampler samples from a [NeighborSource], reading neighbour lists
// in place when the source is a [CSCViewer]. It holds scratch buffers and
// is not goroutine-safe; create one per goroutine.
type LocalHopSampler struct {
	src      NeighborSource
	view     *CSCView // non-nil on the fast path
	nodeTime []int64
	adj      graph.Adjacency // fallback scratch
	cand     []int32
	pick     []int32
	set      []uint64
	fkeys    []keyed[float64]
	tkeys    []keyed[int64]
	cum      []float64
	lo       []int64 // uniformCSC scratch
	pos      []int64
}

// NewLocalHopSampler returns a hop sampler over src. nodeTime (nil: none)
// holds one time per node; when set, temporal hops filter on the
// neighbour's node time instead of the edge time.
func NewLocalHopSampler(src NeighborSource, nodeTime []int64) (*LocalHopSampler, error) {
	if src == nil {
		return nil, fmt.Errorf("sampling: nil neighbor source: %w", ErrOptions)
	}
	if nodeTime != nil && len(nodeTime) != src.NumNodes() {
		return nil, fmt.Errorf("sampling: %d node times for %d nodes: %w", len(nodeTime), src.NumNodes(), ErrOptions)
	}
	h := &LocalHopSampler{src: src, nodeTime: nodeTime}
	if cv, ok := src.(CSCViewer); ok {
		v := cv.CSCView()
		h.view = &v
	}
	return h, nil
}

// NumNodes returns the source's node count.
func (h *LocalHopSampler) NumNodes() int { return h.src.NumNodes() }

// SampleHop implements [HopSampler].
func (h *LocalHopSampler) SampleHop(ctx context.Context, frontier []int32, fanout int, o *HopOptions, dst *graph.Adjacency) error {
	if o == nil {
		o = &HopOptions{}
	}
	if err := h.check(frontier, o); err != nil {
		return fmt.Errorf("sampling: sample hop: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dst.Reset()
	if h.view != nil {
		v := h.view
		if o.Weighted && v.Weight == nil {
			return fmt.Errorf("sampling: sample hop: weighted sampling but the source has no weights: %w", ErrOptions)
		}
		if o.Temporal != NotTemporal && h.nodeTime == nil && v.Time == nil {
			return fmt.Errorf("sampling: sample hop: temporal sampling but neither node nor edge times: %w", ErrOptions)
		}
		if !o.Weighted && o.Temporal == NotTemporal {
			h.uniformCSC(ctx, frontier, fanout, o, dst)
			return ctx.Err()
		}
		for i, u := range frontier {
			if i&4095 == 4095 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			lo, hi := v.Indptr[u], v.Indptr[u+1]
			l := list{nbrs: v.Indices[lo:hi], base: lo}
			if v.EdgeID != nil {
				l.eids = v.EdgeID[lo:hi]
			}
			if v.Weight != nil {
				l.w = v.Weight[lo:hi]
			}
			if v.Time != nil {
				l.t = v.Time[lo:hi]
			}
			h.sampleEntry(i, u, &l, fanout, o, dst)
		}
		return nil
	}
	a := &h.adj
	if err := h.src.Neighbors(ctx, frontier, a); err != nil {
		return fmt.Errorf("sampling: sample hop: %w", err)
	}
	if err := checkAnswer(a, len(frontier)); err != nil {
		return fmt.Errorf("sampling: sample hop: source answer: %w", err)
	}
	if err := checkNodes(a.Nbrs, h.src.NumNodes()); err != nil {
		return fmt.Errorf("sampling: sample hop: source answer: %w", err)
	}
	hasW, hasT := len(a.Weight) == len(a.Nbrs) && a.Weight != nil, len(a.Time) == len(a.Nbrs) && a.Time != nil
	if o.Weighted && !hasW && len(a.Nbrs) > 0 {
		return fmt.Errorf("sampling: sample hop: weighted sampling but the source gave no weights: %w", ErrOptions)
	}
	if o.Temporal != NotTemporal && h.nodeTime == nil && !hasT && len(a.Nbrs) > 0 {
		return fmt.Errorf("sampling: sample hop: temporal sampling but neither node nor edge times: %w", ErrOptions)
	}
	for i, u := range frontier {
		lo, hi := a.Indptr[i], a.Indptr[i+1]
		l := list{nbrs: a.Nbrs[lo:hi], eids: a.EdgeID[lo:hi]}
		if hasW {
			l.w = a.Weight[lo:hi]
		}
		if hasT {
			l.t = a.Time[lo:hi]
		}
		h.sampleEntry(i, u, &l, fanout, o, dst)
	}
	return nil
}

func (h *LocalHopSampler) check(frontier []int32, o *HopOptions) error {
	if err := checkNodes(frontier, h.src.NumNodes()); err != nil {
		return err
	}
	if o.Temporal < NotTemporal || o.Temporal > TemporalLast {
		return fmt.Errorf("unknown temporal strategy %d: %w", int(o.Temporal), ErrOptions)
	}
	if o.Temporal != NotTemporal && len(o.Cutoff) != len(frontier) {
		return fmt.Errorf("%d cutoff times for %d frontier nodes: %w", len(o.Cutoff), len(frontier), ErrOptions)
	}
	if o.Temporal == TemporalLast && o.Weighted {
		return fmt.Errorf("the last temporal strategy ignores weights; do not combine it with weighted sampling: %w", ErrOptions)
	}
	if o.Tags != nil && len(o.Tags) != len(frontier) {
		return fmt.Errorf("%d tags for %d frontier nodes: %w", len(o.Tags), len(frontier), ErrOptions)
	}
	return nil
}

// list is one node's neighbour entries: sources, edge ids (nil: base+k),
// weights and edge times (nil when absent).
type list struct {
	nbrs []int32
	eids []int64
	base int64
	w    []float32
	t    []int64
}

func (l *list) emit(k int32, dst *graph.Adjacency) {
	dst.Nbrs = append(dst.Nbrs, l.nbrs[k])
	if l.eids != nil {
		dst.EdgeID = append(dst.EdgeID, l.eids[k])
	} else {
		dst.EdgeID = append(dst.EdgeID, l.base+int64(k))
	}
}

// sampleEntry samples frontier entry i (node u) into dst and closes its row.
func (h *LocalHopSampler) sampleEntry(i int, u int32, l *list, fanout int, o *HopOptions, dst *graph.Adjacency) {
	var tag int32
	if o.Tags != nil {
		tag = o.Tags[i]
	}
	n := len(l.nbrs)
	switch {
	case n == 0 || fanout == 0:
	case o.Temporal != NotTemporal:
		h.sampleTemporal(nodeRNG(o.Seed, u, tag), l, fanout, o, o.Cutoff[i], dst)
	case fanout < 0 || (!o.Replace && !o.Weighted && n <= fanout):
		dst.Nbrs = append(dst.Nbrs, l.nbrs...)
		if l.eids != nil {
			dst.EdgeID = append(dst.EdgeID, l.eids...)
		} else {
			for k := range l.nbrs {
				dst.EdgeID = append(dst.EdgeID, l.base+int64(k))
			}
		}
	default:
		r := nodeRNG(o.Seed, u, tag)
		h.pick = h.choose(&r, l, nil, n, fanout, o, h.pick[:0])
		for _, k := range h.pick {
			l.emit(k, dst)
		}
	}
	dst.Indptr = append(dst.Indptr, int64(len(dst.Nbrs)))
}

// sampleTemporal keeps the entries whose time is at most cutoff, then picks
// the most recent ones (TemporalLast) or samples among them.
func (h *LocalHopSampler) sampleTemporal(r rng, l *list, fanout int, o *HopOptions, cutoff int64, dst *graph.Adjacency) {
	cand := h.cand[:0]
	for k, u := range l.nbrs {
		if h.timeOf(l, k, u) <= cutoff {
			cand = append(cand, int32(k))
		}
	}
	h.cand = cand
	n := len(cand)
	switch {
	case n == 0:
	case fanout < 0 || (!o.Replace && !o.Weighted && n <= fanout) || (o.Temporal == TemporalLast && n <= fanout):
		for _, k := range cand {
			l.emit(k, dst)
		}
	case o.Temporal == TemporalLast:
		keys := h.tkeys[:0]
		for _, k := range cand {
			keys = append(keys, keyed[int64]{key: h.timeOf(l, int(k), l.nbrs[k]), pos: k})
		}
		keys = topK(keys, fanout)
		h.tkeys = keys
		for _, e := range keys {
			l.emit(e.pos, dst)
		}
	default:
		h.pick = h.choose(&r, l, cand, n, fanout, o, h.pick[:0])
		for _, k := range h.pick {
			l.emit(k, dst)
		}
	}
}

func (h *LocalHopSampler) timeOf(l *list, k int, u int32) int64 {
	if h.nodeTime != nil {
		return h.nodeTime[u]
	}
	return l.t[k]
}
