package sampling

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// ShardedHopSampler samples a hop over shards that own contiguous node
// ranges (graph servers holding partitions after renumbering): it splits
// the frontier by owner, asks every owner in parallel, and puts the
// answers back in frontier order. Since each entry's randomness depends
// only on (Seed, node, tag), the result equals one sampler's over the
// whole graph. It holds scratch buffers and is not goroutine-safe.
type ShardedHopSampler struct {
	bounds []int64 // shard i owns nodes [bounds[i], bounds[i+1])
	shards []HopSampler
	parts  []shardHop
}

// shardHop is one shard's part of a hop.
type shardHop struct {
	pos      []int   // frontier positions the shard answers
	frontier []int32 // their nodes
	opts     HopOptions
	ans      graph.Adjacency
	err      error
}

// NewShardedHopSampler returns a sampler over shards, shard i owning the
// nodes [bounds[i], bounds[i+1]); bounds starts at 0, never decreases and
// has one entry more than shards. Every shard sees the whole id space
// (NumNodes = the last bound) and is only asked about its own nodes.
func NewShardedHopSampler(bounds []int64, shards []HopSampler) (*ShardedHopSampler, error) {
	if len(shards) == 0 || len(bounds) != len(shards)+1 || bounds[0] != 0 {
		return nil, fmt.Errorf("sampling: sharded hop sampler: %d bounds for %d shards (want shards+1, from 0): %w", len(bounds), len(shards), ErrOptions)
	}
	for i, h := range shards {
		if h == nil {
			return nil, fmt.Errorf("sampling: sharded hop sampler: shard %d is nil: %w", i, ErrOptions)
		}
		if bounds[i+1] < bounds[i] {
			return nil, fmt.Errorf("sampling: sharded hop sampler: bounds[%d] = %d < bounds[%d] = %d: %w", i+1, bounds[i+1], i, bounds[i], ErrOptions)
		}
	}
	return &ShardedHopSampler{bounds: bounds, shards: shards, parts: make([]shardHop, len(shards))}, nil
}

// NumNodes returns the last bound.
func (s *ShardedHopSampler) NumNodes() int { return int(s.bounds[len(s.bounds)-1]) }

// owner returns the shard owning node v.
func (s *ShardedHopSampler) owner(v int32) int {
	return sort.Search(len(s.shards), func(i int) bool { return s.bounds[i+1] > int64(v) })
}

// SampleHop implements [HopSampler].
func (s *ShardedHopSampler) SampleHop(ctx context.Context, frontier []int32, fanout int, o *HopOptions, dst *graph.Adjacency) error {
	if o == nil {
		o = &HopOptions{}
	}
	if err := checkNodes(frontier, s.NumNodes()); err != nil {
		return fmt.Errorf("sampling: sample hop: %w", err)
	}
	if o.Temporal != NotTemporal && len(o.Cutoff) != len(frontier) {
		return fmt.Errorf("sampling: sample hop: %d cutoff times for %d frontier nodes: %w", len(o.Cutoff), len(frontier), ErrOptions)
	}
	if o.Tags != nil && len(o.Tags) != len(frontier) {
		return fmt.Errorf("sampling: sample hop: %d tags for %d frontier nodes: %w", len(o.Tags), len(frontier), ErrOptions)
	}
	for i := range s.parts {
		p := &s.parts[i]
		p.pos, p.frontier, p.err = p.pos[:0], p.frontier[:0], nil
		p.opts = HopOptions{Replace: o.Replace, Weighted: o.Weighted, Temporal: o.Temporal, Seed: o.Seed,
			Cutoff: p.opts.Cutoff[:0], Tags: p.opts.Tags[:0]}
	}
	for i, v := range frontier {
		p := &s.parts[s.owner(v)]
		p.pos = append(p.pos, i)
		p.frontier = append(p.frontier, v)
		if o.Temporal != NotTemporal {
			p.opts.Cutoff = append(p.opts.Cutoff, o.Cutoff[i])
		}
		if o.Tags != nil {
			p.opts.Tags = append(p.opts.Tags, o.Tags[i])
		}
	}
	var wg sync.WaitGroup
	for i := range s.parts {
		p := &s.parts[i]
		if len(p.frontier) == 0 {
			continue
		}
		if o.Tags == nil {
			p.opts.Tags = nil
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.err = s.shards[i].SampleHop(ctx, p.frontier, fanout, &p.opts, &p.ans)
			if p.err == nil {
				p.err = checkAnswer(&p.ans, len(p.frontier))
			}
		}()
	}
	wg.Wait()
	for i := range s.parts {
		if err := s.parts[i].err; err != nil {
			return fmt.Errorf("sampling: sample hop: shard %d (nodes [%d, %d)): %w", i, s.bounds[i], s.bounds[i+1], err)
		}
	}
	return s.gather(frontier, dst)
}

// gather writes the shards' answers to dst in frontier order.
func (s *ShardedHopSampler) gather(frontier []int32, dst *graph.Adjacency) error {
	dst.Reset()
	next := make([]int, len(s.parts)) // the next answer entry of each shard
	for _, v := range frontier {
		si := s.owner(v)
		p, k := &s.parts[si], next[si]
		next[si]++
		lo, hi := p.ans.Indptr[k], p.ans.Indptr[k+1]
		dst.Nbrs = append(dst.Nbrs, p.ans.Nbrs[lo:hi]...)
		dst.EdgeID = append(dst.EdgeID, p.ans.EdgeID[lo:hi]...)
		dst.Indptr = append(dst.Indptr, int64(len(dst.Nbrs)))
	}
	return nil
}
