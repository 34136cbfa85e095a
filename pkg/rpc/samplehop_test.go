package rpc_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"google.golang.org/grpc"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/sampling"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// randomCSC returns an in-neighbour topology of n nodes with weights and
// edge times, a few nodes of high degree, and only the rows of nodes in
// [lo, hi) filled (a graph server's shard).
func randomCSC(seed uint64, n int, lo, hi int32) store.EdgeIndex {
	r := rand.New(rand.NewPCG(seed, 1))
	c := graph.Compressed{NumNodes: n, Indptr: make([]int64, 1, n+1)}
	var tm []int64
	for v := range int32(n) {
		deg := r.IntN(12)
		if v%97 == 0 {
			deg = 300
		}
		for k := range deg {
			u, w, at := int32(r.IntN(n)), float32(r.IntN(4)), int64(r.IntN(100))
			if v < lo || v >= hi {
				continue // drawn all the same: every shard sees the same graph
			}
			c.Indices = append(c.Indices, u)
			c.EdgeID = append(c.EdgeID, int64(v)*1000+int64(k))
			c.Weight = append(c.Weight, w)
			tm = append(tm, at)
		}
		c.Indptr = append(c.Indptr, int64(len(c.Indices)))
	}
	return store.EdgeIndex{Layout: store.CSC, Compressed: c, Time: tm}
}

func dialHopSampler(t *testing.T, addr string) *rpc.HopSampler {
	t.Helper()
	conn, err := grpc.NewClient(addr, rpc.DialOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	h, err := rpc.NewGraphClient(conn).HopSampler(context.Background(), store.DefaultEdgeType)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestSampleHopPushedDown: a hop sampled on the graph server equals the
// hop sampled on the client from the same server's neighbour lists, for
// every kind of hop, over one server and over two servers each holding
// half the nodes' neighbourhoods (sampling.ShardedHopSampler); a
// frontier longer than one request goes in several.
func TestSampleHopPushedDown(t *testing.T) {
	ctx := context.Background()
	const n, half = 3000, 1400
	full := randomCSC(9, n, 0, n)
	addr, local := serveGraph(t)
	if err := local.PutEdges(ctx, store.DefaultEdgeType, full); err != nil {
		t.Fatal(err)
	}
	one := dialHopSampler(t, addr)
	var shards []sampling.HopSampler
	for i, r := range [][2]int32{{0, half}, {half, n}} {
		a, g := serveGraph(t)
		if err := g.PutEdges(ctx, store.DefaultEdgeType, randomCSC(9, n, r[0], r[1])); err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
		shards = append(shards, dialHopSampler(t, a))
	}
	sharded, err := sampling.NewShardedHopSampler([]int64{0, half, n}, shards)
	if err != nil {
		t.Fatal(err)
	}
	view, err := store.View(ctx, local, store.DefaultEdgeType)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(4, 4))
	frontier := make([]int32, 40_000) // three requests of at most 16384
	tags := make([]int32, len(frontier))
	cutoff := make([]int64, len(frontier))
	for i := range frontier {
		frontier[i], tags[i], cutoff[i] = int32(r.IntN(n)), int32(r.IntN(3)), int64(r.IntN(100))
	}
	for _, tt := range []struct {
		name   string
		fanout int
		o      sampling.HopOptions
	}{
		{"uniform", 10, sampling.HopOptions{Seed: 1}},
		{"all", -1, sampling.HopOptions{Seed: 2}},
		{"replace", 5, sampling.HopOptions{Replace: true, Seed: 3}},
		{"weighted", 4, sampling.HopOptions{Weighted: true, Seed: 4}},
		{"tags", 3, sampling.HopOptions{Tags: tags, Seed: 5}},
		{"temporal-uniform", 3, sampling.HopOptions{Temporal: sampling.TemporalUniform, Cutoff: cutoff, Seed: 6}},
		{"temporal-last", 2, sampling.HopOptions{Temporal: sampling.TemporalLast, Cutoff: cutoff, Seed: 7}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			client, err := sampling.NewLocalHopSampler(view, nil)
			if err != nil {
				t.Fatal(err)
			}
			var want graph.Adjacency
			if err := client.SampleHop(ctx, frontier, tt.fanout, &tt.o, &want); err != nil {
				t.Fatal(err)
			}
			for _, h := range []struct {
				name string
				s    sampling.HopSampler
			}{{"one server", one}, {"two shards", sharded}} {
				var got graph.Adjacency
				if err := h.s.SampleHop(ctx, frontier, tt.fanout, &tt.o, &got); err != nil {
					t.Fatalf("%s: %v", h.name, err)
				}
				if !slices.Equal(got.Indptr, want.Indptr) || !slices.Equal(got.Nbrs, want.Nbrs) || !slices.Equal(got.EdgeID, want.EdgeID) {
					t.Fatalf("%s: %d sampled entries, client-side sampling %d (or they differ)", h.name, len(got.Nbrs), len(want.Nbrs))
				}
			}
		})
	}
}

// TestSampleHopErrors: bad requests come back as the store's errors.
func TestSampleHopErrors(t *testing.T) {
	ctx := context.Background()
	addr, local := serveGraph(t)
	unweighted := randomCSC(2, 50, 0, 50)
	unweighted.Compressed.Weight, unweighted.Time = nil, nil
	if err := local.PutEdges(ctx, store.DefaultEdgeType, unweighted); err != nil {
		t.Fatal(err)
	}
	h := dialHopSampler(t, addr)
	var a graph.Adjacency
	for _, tt := range []struct {
		name     string
		frontier []int32
		o        sampling.HopOptions
		want     error
	}{
		{"node out of range", []int32{1, 50}, sampling.HopOptions{}, store.ErrOutOfRange},
		{"negative node", []int32{-1}, sampling.HopOptions{}, store.ErrOutOfRange},
		{"weighted without weights", []int32{1}, sampling.HopOptions{Weighted: true}, store.ErrInvalid},
		{"temporal without times", []int32{1}, sampling.HopOptions{Temporal: sampling.TemporalUniform, Cutoff: []int64{5}}, store.ErrInvalid},
		{"cutoffs missing", []int32{1, 2}, sampling.HopOptions{Temporal: sampling.TemporalLast, Cutoff: []int64{5}}, sampling.ErrOptions},
	} {
		if err := h.SampleHop(ctx, tt.frontier, 3, &tt.o, &a); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	// The edge type replaced under the sampler: answered from the new one.
	if err := local.PutEdges(ctx, store.DefaultEdgeType, randomCSC(3, 50, 0, 50)); err != nil {
		t.Fatal(err)
	}
	if err := h.SampleHop(ctx, []int32{1, 2, 3}, -1, nil, &a); err != nil {
		t.Fatalf("after a replacement: %v", err)
	}
	if err := local.DropEdges(ctx, store.DefaultEdgeType); err != nil {
		t.Fatal(err)
	}
	if err := h.SampleHop(ctx, []int32{1}, 2, nil, &a); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("dropped edge type: err = %v, want ErrNotFound", err)
	}
}
