package sampling

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// ownOnly is a shard's hop sampler that fails when asked about a node
// outside its range.
type ownOnly struct {
	HopSampler
	lo, hi int32
}

func (o ownOnly) SampleHop(ctx context.Context, frontier []int32, fanout int, opts *HopOptions, dst *graph.Adjacency) error {
	for _, v := range frontier {
		if v < o.lo || v >= o.hi {
			return fmt.Errorf("shard [%d, %d) asked about node %d", o.lo, o.hi, v)
		}
	}
	return o.HopSampler.SampleHop(ctx, frontier, fanout, opts, dst)
}

// TestShardedEqualsWhole: a hop sampled over shards of the node range
// (each asked only about its own nodes) is the hop sampled over the whole
// graph, entry for entry, for every kind of hop.
func TestShardedEqualsWhole(t *testing.T) {
	seed := testSeed(t, 21)
	g := newTestGraph(t, seed, 60, 900)
	w := make([]float32, len(g.csc.Indices))
	for k := range w {
		w[k] = g.coo.Weight[g.csc.ID(int64(k))]
	}
	src, err := FromCSC(&g.csc, w, g.edgeTime)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	frontier := make([]int32, 0, 150)
	tags := make([]int32, 0, 150)
	cutoff := make([]int64, 0, 150)
	for i := range 150 {
		frontier = append(frontier, int32(i*37%60))
		tags = append(tags, int32(i%3))
		cutoff = append(cutoff, int64(i*13%100))
	}
	bounds := []int64{0, 17, 17, 40, 60} // an empty shard too
	for _, tt := range []struct {
		name   string
		fanout int
		o      HopOptions
	}{
		{"uniform", 5, HopOptions{}},
		{"all", -1, HopOptions{}},
		{"replace", 7, HopOptions{Replace: true}},
		{"weighted", 4, HopOptions{Weighted: true}},
		{"weighted-replace", 6, HopOptions{Weighted: true, Replace: true}},
		{"tags", 3, HopOptions{Tags: tags}},
		{"temporal-uniform", 3, HopOptions{Temporal: TemporalUniform, Cutoff: cutoff}},
		{"temporal-last", 2, HopOptions{Temporal: TemporalLast, Cutoff: cutoff, Tags: tags}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			o.Seed = seed
			whole, err := NewLocalHopSampler(src, nil)
			if err != nil {
				t.Fatal(err)
			}
			var want graph.Adjacency
			if err := whole.SampleHop(ctx, frontier, tt.fanout, &o, &want); err != nil {
				t.Fatal(err)
			}
			var shards []HopSampler
			for i := range len(bounds) - 1 {
				h, err := NewLocalHopSampler(slowSource{src}, nil)
				if err != nil {
					t.Fatal(err)
				}
				shards = append(shards, ownOnly{h, int32(bounds[i]), int32(bounds[i+1])})
			}
			s, err := NewShardedHopSampler(bounds, shards)
			if err != nil {
				t.Fatal(err)
			}
			var got graph.Adjacency
			for range 2 { // scratch reuse
				if err := s.SampleHop(ctx, frontier, tt.fanout, &o, &got); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got.Indptr, want.Indptr) || !slices.Equal(got.Nbrs, want.Nbrs) || !slices.Equal(got.EdgeID, want.EdgeID) {
					t.Fatalf("sharded hop differs from the whole graph's:\nindptr %v\nwant   %v\nnbrs %v\nwant %v", got.Indptr, want.Indptr, got.Nbrs, want.Nbrs)
				}
			}
		})
	}
}

func TestShardedErrors(t *testing.T) {
	g := newTestGraph(t, 3, 20, 100)
	h, err := NewLocalHopSampler(g.src, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		bounds []int64
		shards []HopSampler
	}{
		{[]int64{0, 20}, nil},
		{[]int64{0, 10}, []HopSampler{h, h}},
		{[]int64{1, 20}, []HopSampler{h}},
		{[]int64{0, 12, 8}, []HopSampler{h, h}},
		{[]int64{0, 20}, []HopSampler{nil}},
	} {
		if _, err := NewShardedHopSampler(tt.bounds, tt.shards); !errors.Is(err, ErrOptions) {
			t.Errorf("bounds %v, %d shards: err = %v, want ErrOptions", tt.bounds, len(tt.shards), err)
		}
	}
	s, err := NewShardedHopSampler([]int64{0, 10, 20}, []HopSampler{h, ownOnly{h, 0, 5}})
	if err != nil {
		t.Fatal(err)
	}
	var a graph.Adjacency
	if err := s.SampleHop(context.Background(), []int32{3, 20}, 2, nil, &a); !errors.Is(err, ErrNodeRange) {
		t.Errorf("node 20 of 20: err = %v, want ErrNodeRange", err)
	}
	err = s.SampleHop(context.Background(), []int32{3, 15}, 2, nil, &a)
	if err == nil || !strings.Contains(err.Error(), "shard 1 (nodes [10, 20))") {
		t.Errorf("failing shard: err = %v, want it named", err)
	}
}
