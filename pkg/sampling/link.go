package sampling

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
)

// NegativeMode selects negative sampling for link batches (PyG's
// NegativeSampling mode).
type NegativeMode int

const (
	// NoNegatives samples only the given edges.
	NoNegatives NegativeMode = iota
	// BinaryNegatives adds ceil(Amount * positives) random (src, dst) pairs
	// labelled 0 to the edge_label_index.
	BinaryNegatives
	// TripletNegatives draws Amount random destinations per positive edge
	// and returns src_index, dst_pos_index and dst_neg_index.
	TripletNegatives
)

// LinkOptions configure a [LinkSampler].
type LinkOptions struct {
	NeighborOptions
	// Negative is the negative sampling mode; Amount its ratio (binary:
	// > 0; triplet: a whole number >= 1).
	Negative NegativeMode
	Amount   float64
}

// LinkOutput is one link mini-batch: the subgraph sampled around every
// endpoint (Output, whose seeds are the endpoints) plus the supervision
// edges in local positions. Non-disjoint: the seeds are the sorted distinct
// endpoints (PyG's seed.unique()); disjoint: every endpoint of every edge is
// its own seed, in order [src..., dst..., negatives...].
type LinkOutput struct {
	Output
	// Binary and no-negative modes: supervision edge j goes from local
	// node Src[j] to Dst[j] with label Label[j]; positives come first, then
	// the negatives (label 0).
	Src, Dst []int32
	Label    []int64
	// Triplet mode: SrcIndex[i] and DstPosIndex[i] are positive edge i's
	// endpoints; DstNegIndex[i*Amount : (i+1)*Amount] its negatives.
	SrcIndex, DstPosIndex, DstNegIndex []int32

	seeds []int32
	times []int64
	inv   []int32
	order []int32
	uniq  []int32
}

// LinkSampler samples link mini-batches (PyG's LinkNeighborLoader sampler).
// Not goroutine-safe.
type LinkSampler struct {
	ns   *NeighborSampler
	opts LinkOptions
}

// NewLinkSampler returns a link sampler drawing neighbourhoods from hop.
func NewLinkSampler(hop HopSampler, opts LinkOptions) (*LinkSampler, error) {
	switch opts.Negative {
	case NoNegatives:
	case BinaryNegatives:
		if !(opts.Amount > 0) || math.IsInf(opts.Amount, 0) {
			return nil, fmt.Errorf("sampling: link sampler: Amount = %v: binary negatives need a finite ratio > 0: %w", opts.Amount, ErrOptions)
		}
	case TripletNegatives:
		if opts.Amount < 1 || opts.Amount != math.Trunc(opts.Amount) || opts.Amount > 1<<20 {
			return nil, fmt.Errorf("sampling: link sampler: Amount = %v: triplet negatives need a whole number >= 1: %w", opts.Amount, ErrOptions)
		}
	default:
		return nil, fmt.Errorf("sampling: link sampler: unknown negative mode %d: %w", int(opts.Negative), ErrOptions)
	}
	ns, err := NewNeighborSampler(hop, opts.NeighborOptions)
	if err != nil {
		return nil, fmt.Errorf("sampling: link sampler: %w", err)
	}
	opts.NeighborOptions = ns.Options()
	return &LinkSampler{ns: ns, opts: opts}, nil
}

// Sample builds the link batch of the positive edges (src[i], dst[i]).
// label (nil: all ones; not allowed in triplet mode) gives each positive
// its label; in binary mode a caller whose labels use 0 should shift them
// (the loader does, as PyG). edgeTime (temporal only) gives each positive
// its time; negatives borrow the times of the positives in turn, as PyG.
func (s *LinkSampler) Sample(ctx context.Context, src, dst []int32, label, edgeTime []int64, batchSeed uint64, out *LinkOutput) error {
	n := s.ns.n
	if len(src) != len(dst) {
		return fmt.Errorf("sampling: link sample: %d sources for %d destinations: %w", len(src), len(dst), ErrOptions)
	}
	if err := checkNodes(src, n); err != nil {
		return fmt.Errorf("sampling: link sample: sources: %w", err)
	}
	if err := checkNodes(dst, n); err != nil {
		return fmt.Errorf("sampling: link sample: destinations: %w", err)
	}
	if label != nil && (len(label) != len(src) || s.opts.Negative == TripletNegatives) {
		return fmt.Errorf("sampling: link sample: %d labels for %d edges (labels are not allowed with triplet negatives): %w", len(label), len(src), ErrOptions)
	}
	temporal := s.opts.Temporal != NotTemporal
	if temporal != (edgeTime != nil) || (temporal && len(edgeTime) != len(src)) {
		return fmt.Errorf("sampling: link sample: %d edge times for %d edges (temporal: %v): %w", len(edgeTime), len(src), temporal, ErrOptions)
	}
	if n == 0 && s.opts.Negative != NoNegatives && len(src) > 0 {
		return fmt.Errorf("sampling: link sample: negatives from an empty graph: %w", ErrOptions)
	}
	p := len(src)
	r := rng{s: derive(batchSeed, 1<<40)}
	seeds := append(append(out.seeds[:0], src...), dst...)
	times := out.times[:0]
	if temporal {
		times = append(append(times, edgeTime...), edgeTime...)
	}
	out.Src, out.Dst, out.Label = out.Src[:0], out.Dst[:0], out.Label[:0]
	out.SrcIndex, out.DstPosIndex, out.DstNegIndex = out.SrcIndex[:0], out.DstPosIndex[:0], out.DstNegIndex[:0]
	numNeg := 0
	switch s.opts.Negative {
	case BinaryNegatives:
		numNeg = int(math.Ceil(float64(p) * s.opts.Amount))
		for range numNeg {
			seeds = append(seeds, int32(r.intn(uint64(n))))
		}
		for range numNeg {
			seeds = append(seeds, int32(r.intn(uint64(n))))
		}
		// seeds: [src, dst, negSrc, negDst]; reorder to [src, negSrc, dst, negDst].
		seeds = append(seeds[:0:0], slices.Concat(seeds[:p], seeds[2*p:2*p+numNeg], seeds[p:2*p], seeds[2*p+numNeg:])...)
		if temporal {
			for j := range numNeg {
				times = append(times, edgeTime[j%p])
			}
			times = slices.Concat(times[:p], times[2*p:], times[p:2*p], times[2*p:])
		}
	case TripletNegatives:
		numNeg = p * int(s.opts.Amount)
		for range numNeg {
			seeds = append(seeds, int32(r.intn(uint64(n))))
		}
		if temporal {
			for j := range numNeg {
				times = append(times, edgeTime[j/int(s.opts.Amount)])
			}
		}
	}
	out.seeds, out.times = seeds, times

	// inv[j]: local position of seed j in the sampled n_id.
	var nodeSeeds []int32
	inv := out.inv[:0]
	if s.opts.Disjoint {
		nodeSeeds = seeds
		for j := range seeds {
			inv = append(inv, int32(j))
		}
	} else {
		order := out.order[:0]
		for j := range seeds {
			order = append(order, int32(j))
		}
		sort.SliceStable(order, func(a, b int) bool { return seeds[order[a]] < seeds[order[b]] })
		inv = append(inv, make([]int32, len(seeds))...)
		uniq := out.uniq[:0]
		for _, j := range order {
			if len(uniq) == 0 || uniq[len(uniq)-1] != seeds[j] {
				uniq = append(uniq, seeds[j])
			}
			inv[j] = int32(len(uniq) - 1)
		}
		out.order, out.uniq = order, uniq
		nodeSeeds = uniq
	}
	out.inv = inv
	var st []int64
	if temporal {
		st = times
	}
	if err := s.ns.Sample(ctx, nodeSeeds, st, batchSeed, &out.Output); err != nil {
		return fmt.Errorf("sampling: link sample: %w", err)
	}

	switch s.opts.Negative {
	case TripletNegatives:
		out.SrcIndex = append(out.SrcIndex, inv[:p]...)
		out.DstPosIndex = append(out.DstPosIndex, inv[p:2*p]...)
		out.DstNegIndex = append(out.DstNegIndex, inv[2*p:]...)
	default:
		m := p + numNeg
		out.Src = append(out.Src, inv[:m]...)
		out.Dst = append(out.Dst, inv[m:2*m]...)
		for j := range p {
			if label != nil {
				out.Label = append(out.Label, label[j])
			} else {
				out.Label = append(out.Label, 1)
			}
		}
		for range numNeg {
			out.Label = append(out.Label, 0)
		}
	}
	return nil
}
