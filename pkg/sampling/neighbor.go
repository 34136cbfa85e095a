package sampling

import (
	"context"
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// NeighborOptions configure a [NeighborSampler] (PyG NeighborLoader's
// sampler arguments).
type NeighborOptions struct {
	// Fanouts holds the number of neighbours sampled per node at each hop;
	// -1 takes all of them. Required (at least one hop).
	Fanouts []int
	// Replace samples with replacement.
	Replace bool
	// Weighted samples proportionally to edge weights.
	Weighted bool
	// Temporal enables temporal sampling; it implies Disjoint (as in PyG),
	// and Sample then needs one time per seed.
	Temporal TemporalStrategy
	// Disjoint gives every seed its own subgraph: n_id may repeat nodes and
	// Output.Batch names each entry's subgraph.
	Disjoint bool
	// DenseLimit is the largest graph (in nodes) relabelled with a dense
	// array (8 bytes per node per sampler); larger graphs use a hash map.
	// 0 means 1<<25.
	DenseLimit int
}

// Output is one sampled mini-batch in PyG's contract.
//
// NID lists the batch's nodes: the BatchSize seeds first (in input order,
// repeats kept), then each hop's new nodes in discovery order (frontier
// order, then sample order). Edge j goes from local node Row[j] (the sampled
// neighbour) to local node Col[j] (the frontier node) and has global id
// EID[j]; edges are grouped by hop and, within a hop, by target, so Col is
// non-decreasing and (Row, Col) is PyG's edge_index. Indptr is the same
// edges as a CSR over targets: target t owns edges [Indptr[t],
// Indptr[t+1]); see [Output.Adj] and [Output.Layer].
type Output struct {
	NID       []int32
	EID       []int64
	BatchSize int
	// NumSampledNodes[h] is the number of nodes added at hop h (hop 0: the
	// seeds); NumSampledEdges[h] the number of edges sampled at hop h+1.
	NumSampledNodes []int
	NumSampledEdges []int
	Row, Col        []int32
	Indptr          []int64
	// Batch (disjoint mode only, nil otherwise) holds the subgraph (seed
	// index) of each NID entry.
	Batch []int32
	// SeedTime (temporal only) holds the time of each subgraph's seed.
	SeedTime []int64
}

func (o *Output) reset() {
	o.NID, o.EID = o.NID[:0], o.EID[:0]
	o.BatchSize = 0
	o.NumSampledNodes, o.NumSampledEdges = o.NumSampledNodes[:0], o.NumSampledEdges[:0]
	o.Row, o.Col = o.Row[:0], o.Col[:0]
	o.Indptr = append(o.Indptr[:0], 0)
	o.Batch = o.Batch[:0]
	o.SeedTime = o.SeedTime[:0]
}

// NeighborSampler samples multi-hop neighbourhoods through a [HopSampler]
// and relabels them. It holds scratch buffers and is not goroutine-safe.
type NeighborSampler struct {
	hop   HopSampler
	opts  NeighborOptions
	n     int
	dense denseMap
	hash  hashMap
	adj   graph.Adjacency
	hopt  HopOptions
	touch uint32 // sink for prefetching loads
}

// NewNeighborSampler validates opts and returns a sampler drawing each hop
// from hop. Errors wrap [ErrOptions] and name the bad field.
func NewNeighborSampler(hop HopSampler, opts NeighborOptions) (*NeighborSampler, error) {
	if hop == nil {
		return nil, fmt.Errorf("sampling: neighbor sampler: nil hop sampler: %w", ErrOptions)
	}
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("sampling: neighbor sampler: %w", err)
	}
	opts.Fanouts = append([]int(nil), opts.Fanouts...)
	if opts.Temporal != NotTemporal {
		opts.Disjoint = true
	}
	if opts.DenseLimit == 0 {
		opts.DenseLimit = 1 << 25
	}
	return &NeighborSampler{hop: hop, opts: opts, n: hop.NumNodes()}, nil
}

func (o *NeighborOptions) validate() error {
	if len(o.Fanouts) == 0 {
		return fmt.Errorf("Fanouts: need at least one hop: %w", ErrOptions)
	}
	for h, f := range o.Fanouts {
		if f < -1 {
			return fmt.Errorf("Fanouts[%d] = %d: want -1 (all) or >= 0: %w", h, f, ErrOptions)
		}
	}
	if o.Temporal < NotTemporal || o.Temporal > TemporalLast {
		return fmt.Errorf("Temporal: unknown strategy %d: %w", int(o.Temporal), ErrOptions)
	}
	if o.Temporal == TemporalLast && o.Weighted {
		return fmt.Errorf("Temporal: the last strategy cannot be weighted: %w", ErrOptions)
	}
	if o.DenseLimit < 0 {
		return fmt.Errorf("DenseLimit = %d: want >= 0: %w", o.DenseLimit, ErrOptions)
	}
	return nil
}

// Options returns the sampler's options (defaults filled).
func (s *NeighborSampler) Options() NeighborOptions { return s.opts }

// Sample fills out with the sampled neighbourhood of seeds, reusing out's
// capacity. seedTime holds one time per seed (temporal sampling only: a
// subgraph never contains a neighbour later than its seed's time) and must
// be nil otherwise. batchSeed (see [BatchSeed]) fixes every random choice.
// Errors name the bad seed or option and leave out unspecified.
func (s *NeighborSampler) Sample(ctx context.Context, seeds []int32, seedTime []int64, batchSeed uint64, out *Output) error {
	if err := checkNodes(seeds, s.n); err != nil {
		return fmt.Errorf("sampling: sample: seeds: %w", err)
	}
	temporal := s.opts.Temporal != NotTemporal
	if temporal && len(seedTime) != len(seeds) {
		return fmt.Errorf("sampling: sample: %d seed times for %d seeds: %w", len(seedTime), len(seeds), ErrOptions)
	}
	if !temporal && seedTime != nil {
		return fmt.Errorf("sampling: sample: seed times given but the sampler is not temporal: %w", ErrOptions)
	}
	out.reset()
	disjoint := s.opts.Disjoint
	dense := !disjoint && s.n <= s.opts.DenseLimit
	if dense {
		s.dense.reset(s.n)
	} else {
		s.hash.reset(len(seeds) * 16)
	}
	out.BatchSize = len(seeds)
	out.NID = append(out.NID, seeds...)
	for i, v := range seeds {
		switch {
		case disjoint:
			out.Batch = append(out.Batch, int32(i))
			s.hash.getOrAdd(pairKey(int32(i), v), int32(i))
		case dense:
			if sl := &s.dense.slots[v]; sl.stamp != s.dense.stamp {
				*sl = slot{stamp: s.dense.stamp, local: int32(i)}
			}
		default:
			s.hash.getOrAdd(pairKey(0, v), int32(i))
		}
	}
	if temporal {
		out.SeedTime = append(out.SeedTime, seedTime...)
	}
	out.NumSampledNodes = append(out.NumSampledNodes, len(seeds))

	s.hopt = HopOptions{Replace: s.opts.Replace, Weighted: s.opts.Weighted, Temporal: s.opts.Temporal,
		Cutoff: s.hopt.Cutoff[:0]}
	begin, end := 0, len(out.NID)
	for h, fanout := range s.opts.Fanouts {
		frontier := out.NID[begin:end]
		s.hopt.Seed = derive(batchSeed, uint64(h))
		s.hopt.Tags = nil
		if disjoint {
			s.hopt.Tags = out.Batch[begin:end]
		}
		if temporal {
			s.hopt.Cutoff = s.hopt.Cutoff[:0]
			for _, b := range out.Batch[begin:end] {
				s.hopt.Cutoff = append(s.hopt.Cutoff, seedTime[b])
			}
		}
		if err := s.hop.SampleHop(ctx, frontier, fanout, &s.hopt, &s.adj); err != nil {
			return fmt.Errorf("sampling: sample: hop %d: %w", h, err)
		}
		if err := checkAnswer(&s.adj, len(frontier)); err != nil {
			return fmt.Errorf("sampling: sample: hop %d: hop sampler answer: %w", h, err)
		}
		if err := checkNodes(s.adj.Nbrs, s.n); err != nil {
			return fmt.Errorf("sampling: sample: hop %d: hop sampler answer: %w", h, err)
		}
		edges0 := len(out.Row)
		switch {
		case dense:
			s.relabelDense(out, begin)
		default:
			s.relabelHash(out, begin, disjoint)
		}
		out.NumSampledEdges = append(out.NumSampledEdges, len(out.Row)-edges0)
		out.NumSampledNodes = append(out.NumSampledNodes, len(out.NID)-end)
		begin, end = end, len(out.NID)
	}
	// Nodes of the last hop are never targets: their rows are empty.
	last := out.Indptr[len(out.Indptr)-1]
	for len(out.Indptr) < len(out.NID)+1 {
		out.Indptr = append(out.Indptr, last)
	}
	return nil
}

// relabelDense appends the hop in s.adj (targets NID[begin:]) to out,
// mapping sources through the dense array.
func (s *NeighborSampler) relabelDense(out *Output, begin int) {
	a := &s.adj
	slots, stamp := s.dense.slots, s.dense.stamp
	base := int64(len(out.Row))
	nid := out.NID
	m := len(a.Nbrs)
	row := grow(out.Row, int(base)+m)
	col := grow(out.Col, int(base)+m)
	rowH, colH := row[base:], col[base:]
	// Targets: a sequential pass, independent of the map.
	for i := 0; i < a.Len(); i++ {
		t := int32(begin + i)
		for j := a.Indptr[i]; j < a.Indptr[i+1]; j++ {
			colH[j] = t
		}
		out.Indptr = append(out.Indptr, base+a.Indptr[i+1])
	}
	// Sources, in chunks: first touch every chunk's slots (independent
	// loads, so their cache misses overlap), then relabel from cache.
	const chunk = 1024
	var touch uint32
	nbrs := a.Nbrs
	for c := 0; c < m; c += chunk {
		part := nbrs[c:min(c+chunk, m)]
		for _, u := range part {
			touch += slots[u].stamp
		}
		dstRow := rowH[c : c+len(part)]
		for j, u := range part {
			sl := &slots[u]
			if sl.stamp != stamp {
				*sl = slot{stamp: stamp, local: int32(len(nid))}
				nid = append(nid, u)
			}
			dstRow[j] = sl.local
		}
	}
	s.touch += touch
	out.NID, out.Row, out.Col = nid, row, col
	out.EID = append(out.EID, a.EdgeID...)
}

// relabelHash is relabelDense through the hash map; in disjoint mode keys
// carry the target's subgraph and new nodes inherit it.
func (s *NeighborSampler) relabelHash(out *Output, begin int, disjoint bool) {
	a := &s.adj
	base := int64(len(out.Row))
	for i := 0; i < a.Len(); i++ {
		lo, hi := a.Indptr[i], a.Indptr[i+1]
		t := int32(begin + i)
		var tag int32
		if disjoint {
			tag = out.Batch[t]
		}
		for _, u := range a.Nbrs[lo:hi] {
			local, added := s.hash.getOrAdd(pairKey(tag, u), int32(len(out.NID)))
			if added {
				out.NID = append(out.NID, u)
				if disjoint {
					out.Batch = append(out.Batch, tag)
				}
			}
			out.Row = append(out.Row, local)
			out.Col = append(out.Col, t)
		}
		out.Indptr = append(out.Indptr, base+hi)
	}
	out.EID = append(out.EID, a.EdgeID...)
}

// checkAnswer checks the shape of a hop or neighbour answer for q queries:
// q+1 offsets from 0, non-decreasing, ending at len(Nbrs), one edge id per
// neighbour.
func checkAnswer(a *graph.Adjacency, q int) error {
	if len(a.Indptr) != q+1 || a.Indptr[0] != 0 {
		return fmt.Errorf("%d offsets for %d queries", len(a.Indptr), q)
	}
	for i := 0; i < q; i++ {
		if a.Indptr[i+1] < a.Indptr[i] {
			return fmt.Errorf("query %d: offsets decrease (%d > %d)", i, a.Indptr[i], a.Indptr[i+1])
		}
	}
	if a.Indptr[q] != int64(len(a.Nbrs)) || len(a.EdgeID) != len(a.Nbrs) {
		return fmt.Errorf("offsets end at %d with %d neighbours and %d edge ids", a.Indptr[q], len(a.Nbrs), len(a.EdgeID))
	}
	return nil
}
