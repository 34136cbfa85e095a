package sampling

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// refSample is a plain reference of the multi-hop contract: it calls the
// hop sampler, then relabels with a Go map exactly as PyG orders n_id.
func refSample(t *testing.T, hop HopSampler, fanouts []int, o HopOptions, disjoint bool, seeds []int32, seedTime []int64, batchSeed uint64) *Output {
	t.Helper()
	out := &Output{BatchSize: len(seeds), Indptr: []int64{0}}
	type key struct{ tag, v int32 }
	local := map[key]int32{}
	for i, v := range seeds {
		out.NID = append(out.NID, v)
		tag := int32(0)
		if disjoint {
			tag = int32(i)
			out.Batch = append(out.Batch, tag)
		}
		if _, ok := local[key{tag, v}]; !ok {
			local[key{tag, v}] = int32(i)
		}
	}
	out.NumSampledNodes = []int{len(seeds)}
	begin, end := 0, len(seeds)
	for h, f := range fanouts {
		o.Seed = derive(batchSeed, uint64(h))
		o.Tags, o.Cutoff = nil, nil
		if disjoint {
			o.Tags = slices.Clone(out.Batch[begin:end])
		}
		if seedTime != nil {
			for _, b := range out.Batch[begin:end] {
				o.Cutoff = append(o.Cutoff, seedTime[b])
			}
		}
		var a graph.Adjacency
		if err := hop.SampleHop(context.Background(), slices.Clone(out.NID[begin:end]), f, &o, &a); err != nil {
			t.Fatal(err)
		}
		ne := 0
		for i := range end - begin {
			tgt := int32(begin + i)
			tag := int32(0)
			if disjoint {
				tag = out.Batch[tgt]
			}
			for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
				u := a.Nbrs[k]
				l, ok := local[key{tag, u}]
				if !ok {
					l = int32(len(out.NID))
					local[key{tag, u}] = l
					out.NID = append(out.NID, u)
					if disjoint {
						out.Batch = append(out.Batch, tag)
					}
				}
				out.Row = append(out.Row, l)
				out.Col = append(out.Col, tgt)
				out.EID = append(out.EID, a.EdgeID[k])
				ne++
			}
			out.Indptr = append(out.Indptr, int64(len(out.Row)))
		}
		out.NumSampledEdges = append(out.NumSampledEdges, ne)
		out.NumSampledNodes = append(out.NumSampledNodes, len(out.NID)-end)
		begin, end = end, len(out.NID)
	}
	for len(out.Indptr) < len(out.NID)+1 {
		out.Indptr = append(out.Indptr, int64(len(out.Row)))
	}
	return out
}

func equalOutput(t *testing.T, got, want *Output) {
	t.Helper()
	check := func(name string, eq bool) {
		if !eq {
			t.Fatalf("%s differs", name)
		}
	}
	check("NID", slices.Equal(got.NID, want.NID))
	check("Row", slices.Equal(got.Row, want.Row))
	check("Col", slices.Equal(got.Col, want.Col))
	check("EID", slices.Equal(got.EID, want.EID))
	check("Indptr", slices.Equal(got.Indptr, want.Indptr))
	check("Batch", slices.Equal(got.Batch, want.Batch) || len(got.Batch)+len(want.Batch) == 0)
	check("NumSampledNodes", slices.Equal(got.NumSampledNodes, want.NumSampledNodes))
	check("NumSampledEdges", slices.Equal(got.NumSampledEdges, want.NumSampledEdges))
	check("BatchSize", got.BatchSize == want.BatchSize)
}

// checkOutput checks the PyG contract on a sampled output by brute force.
func checkOutput(t *testing.T, g *testGraph, out *Output, seeds []int32, fanouts []int, replace, disjoint bool) {
	t.Helper()
	if !slices.Equal(out.NID[:out.BatchSize], seeds) {
		t.Fatal("n_id does not start with the seeds")
	}
	if err := out.Adj().Validate(); err != nil {
		t.Fatal(err)
	}
	// Hop ranges of n_id and of edges.
	nodeEnd, edgeEnd := []int{0}, []int{0}
	for h := range out.NumSampledNodes {
		nodeEnd = append(nodeEnd, nodeEnd[h]+out.NumSampledNodes[h])
	}
	for h := range out.NumSampledEdges {
		edgeEnd = append(edgeEnd, edgeEnd[h]+out.NumSampledEdges[h])
	}
	if nodeEnd[len(nodeEnd)-1] != len(out.NID) || edgeEnd[len(edgeEnd)-1] != len(out.Row) {
		t.Fatal("per-hop counts do not add up")
	}
	seen := map[[2]int32]bool{}
	tagOf := func(l int32) int32 {
		if disjoint {
			return out.Batch[l]
		}
		return 0
	}
	for l := range out.BatchSize {
		seen[[2]int32{tagOf(int32(l)), out.NID[l]}] = true
	}
	next := out.BatchSize
	for h := range out.NumSampledEdges {
		perTarget := map[int32][]int64{}
		for j := edgeEnd[h]; j < edgeEnd[h+1]; j++ {
			src, dst, e := out.Row[j], out.Col[j], out.EID[j]
			if int(dst) < nodeEnd[h] || int(dst) >= nodeEnd[h+1] {
				t.Fatalf("hop %d edge %d: target %d outside the hop's frontier", h, j, dst)
			}
			if j > 0 && out.Col[j-1] > dst {
				t.Fatalf("edge %d: targets not grouped in order", j)
			}
			if g.coo.Src[e] != out.NID[src] || g.coo.Dst[e] != out.NID[dst] {
				t.Fatalf("edge %d (id %d): %d->%d in the graph, %d->%d in the sample", j, e, g.coo.Src[e], g.coo.Dst[e], out.NID[src], out.NID[dst])
			}
			if disjoint && out.Batch[src] != out.Batch[dst] {
				t.Fatalf("edge %d crosses subgraphs", j)
			}
			// discovery order: a source seen for the first time is the next n_id
			k := [2]int32{tagOf(dst), out.NID[src]}
			if !seen[k] {
				if int(src) != next {
					t.Fatalf("edge %d: new node at position %d, want discovery position %d", j, src, next)
				}
				seen[k] = true
				next++
			}
			perTarget[dst] = append(perTarget[dst], e)
		}
		if next != nodeEnd[h+2] {
			t.Fatalf("hop %d: %d nodes discovered, n_id says %d", h, next-nodeEnd[h+1], out.NumSampledNodes[h+1])
		}
		for l := nodeEnd[h]; l < nodeEnd[h+1]; l++ {
			ids := perTarget[int32(l)]
			deg := int(g.csc.Indptr[out.NID[l]+1] - g.csc.Indptr[out.NID[l]])
			want := deg
			if f := fanouts[h]; f >= 0 {
				want = min(f, deg)
				if replace && deg > 0 {
					want = f
				}
			}
			if len(ids) != want && !(len(out.SeedTime) > 0 && len(ids) < want) { // temporal: the future is filtered out
				t.Fatalf("hop %d target %d (node %d): %d edges, want %d", h, l, out.NID[l], len(ids), want)
			}
			if !replace {
				s := slices.Clone(ids)
				slices.Sort(s)
				if len(slices.Compact(s)) != len(ids) {
					t.Fatalf("duplicate edge without replacement")
				}
			}
		}
	}
	if !disjoint && !replace {
		// no node twice in n_id beyond repeated seeds
		pos := map[int32]int{}
		for l, v := range out.NID {
			if p, ok := pos[v]; ok && l >= out.BatchSize {
				t.Fatalf("node %d at positions %d and %d", v, p, l)
			}
			pos[v] = l
		}
	}
}

func TestNeighborSamplerContract(t *testing.T) {
	seed := testSeed(t, 31)
	g := newTestGraph(t, seed, 300, 2400)
	r := rand.New(rand.NewPCG(seed, 1))
	tests := []struct {
		name    string
		opts    NeighborOptions
		repeats bool
	}{
		{"uniform", NeighborOptions{Fanouts: []int{4, 3, 2}}, false},
		{"uniform repeated seeds", NeighborOptions{Fanouts: []int{3, 2}}, true},
		{"all", NeighborOptions{Fanouts: []int{-1, -1}}, false},
		{"replace", NeighborOptions{Fanouts: []int{3, 3}, Replace: true}, false},
		{"disjoint", NeighborOptions{Fanouts: []int{3, 2}, Disjoint: true}, true},
		{"hash relabel", NeighborOptions{Fanouts: []int{5, 5}, DenseLimit: 10}, false},
		{"zero fanout", NeighborOptions{Fanouts: []int{0, 3}}, false},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, src := range []NeighborSource{g.src, slowSource{g.src}} {
				hop, _ := NewLocalHopSampler(src, nil)
				s, err := NewNeighborSampler(hop, tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				var out Output
				for trial := range 5 {
					seeds := make([]int32, 1+r.IntN(40))
					for i := range seeds {
						seeds[i] = int32(r.IntN(g.coo.NumNodes))
						if tt.repeats && i > 0 && r.IntN(3) == 0 {
							seeds[i] = seeds[r.IntN(i)]
						}
					}
					bs := BatchSeed(seed, 0, trial)
					if err := s.Sample(ctx, seeds, nil, bs, &out); err != nil {
						t.Fatal(err)
					}
					checkOutput(t, g, &out, seeds, tt.opts.Fanouts, tt.opts.Replace, tt.opts.Disjoint)
					ref := refSample(t, hop, tt.opts.Fanouts, HopOptions{Replace: tt.opts.Replace}, tt.opts.Disjoint, seeds, nil, bs)
					equalOutput(t, &out, ref)
				}
			}
		})
	}
}

// bfsAll is an independent brute force of fan-out -1 sampling: every
// in-edge of every frontier node, in CSC order, new nodes in discovery
// order.
func bfsAll(g *testGraph, seeds []int32, hops int) (nid []int32, row, col []int32, eid []int64) {
	local := map[int32]int32{}
	for i, v := range seeds {
		nid = append(nid, v)
		if _, ok := local[v]; !ok {
			local[v] = int32(i)
		}
	}
	begin, end := 0, len(nid)
	for range hops {
		for tgt := begin; tgt < end; tgt++ {
			v := nid[tgt]
			for k := g.csc.Indptr[v]; k < g.csc.Indptr[v+1]; k++ {
				u := g.csc.Indices[k]
				l, ok := local[u]
				if !ok {
					l = int32(len(nid))
					local[u] = l
					nid = append(nid, u)
				}
				row = append(row, l)
				col = append(col, int32(tgt))
				eid = append(eid, g.csc.EdgeID[k])
			}
		}
		begin, end = end, len(nid)
	}
	return
}

func TestNeighborSamplerAllMatchesBFS(t *testing.T) {
	seed := testSeed(t, 32)
	g := newTestGraph(t, seed, 200, 800)
	hop, _ := NewLocalHopSampler(g.src, nil)
	s, _ := NewNeighborSampler(hop, NeighborOptions{Fanouts: []int{-1, -1, -1}})
	seeds := []int32{5, 17, 5, 199, 0}
	var out Output
	if err := s.Sample(context.Background(), seeds, nil, 1, &out); err != nil {
		t.Fatal(err)
	}
	nid, row, col, eid := bfsAll(g, seeds, 3)
	if !slices.Equal(out.NID, nid) || !slices.Equal(out.Row, row) || !slices.Equal(out.Col, col) || !slices.Equal(out.EID, eid) {
		t.Fatal("fan-out -1 sample differs from the brute-force BFS")
	}
	// Layers: layer l keeps hops 1..3-l.
	for l := range 3 {
		a := out.Layer(l)
		if err := a.Validate(); err != nil {
			t.Fatalf("layer %d: %v", l, err)
		}
		hops := 3 - l
		edges := 0
		for h := range hops {
			edges += out.NumSampledEdges[h]
		}
		if a.NNZ() != int64(edges) {
			t.Fatalf("layer %d has %d edges, want %d", l, a.NNZ(), edges)
		}
		if l == 2 && a.Rows != out.BatchSize {
			t.Fatalf("last layer has %d rows, want the batch size %d", a.Rows, out.BatchSize)
		}
	}
}

func TestNeighborSamplerTemporal(t *testing.T) {
	seed := testSeed(t, 33)
	g := newTestGraph(t, seed, 200, 3000)
	r := rand.New(rand.NewPCG(seed, 2))
	for _, strat := range []TemporalStrategy{TemporalUniform, TemporalLast} {
		for _, useNodeTime := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v/nodetime=%v", strat, useNodeTime), func(t *testing.T) {
				var nt []int64
				if useNodeTime {
					nt = g.nodeTime
				}
				hop, _ := NewLocalHopSampler(g.src, nt)
				fan := []int{3, 3, 2}
				s, err := NewNeighborSampler(hop, NeighborOptions{Fanouts: fan, Temporal: strat})
				if err != nil {
					t.Fatal(err)
				}
				if !s.Options().Disjoint {
					t.Fatal("temporal sampling must imply disjoint")
				}
				seeds := make([]int32, 30)
				times := make([]int64, 30)
				for i := range seeds {
					seeds[i] = int32(r.IntN(200))
					times[i] = int64(r.IntN(100))
				}
				var out Output
				if err := s.Sample(context.Background(), seeds, times, 9, &out); err != nil {
					t.Fatal(err)
				}
				entryOf := map[int64]int64{}
				for k, e := range g.csc.EdgeID {
					entryOf[e] = int64(k)
				}
				for j, e := range out.EID {
					b := out.Batch[out.Col[j]]
					tm := g.edgeTime[entryOf[e]]
					if useNodeTime {
						tm = g.nodeTime[out.NID[out.Row[j]]]
					}
					if tm > times[b] {
						t.Fatalf("edge %d: time %d is after its seed's time %d", j, tm, times[b])
					}
				}
				ref := refSample(t, hop, fan, HopOptions{Temporal: strat}, true, seeds, times, 9)
				equalOutput(t, &out, ref)
			})
		}
	}
}

func TestNeighborSamplerErrors(t *testing.T) {
	g := newTestGraph(t, 1, 10, 30)
	hop, _ := NewLocalHopSampler(g.src, nil)
	for _, o := range []NeighborOptions{
		{},
		{Fanouts: []int{2, -2}},
		{Fanouts: []int{2}, Temporal: 7},
		{Fanouts: []int{2}, Temporal: TemporalLast, Weighted: true},
		{Fanouts: []int{2}, DenseLimit: -1},
	} {
		if _, err := NewNeighborSampler(hop, o); !errors.Is(err, ErrOptions) {
			t.Errorf("options %+v: got %v, want ErrOptions", o, err)
		}
	}
	s, _ := NewNeighborSampler(hop, NeighborOptions{Fanouts: []int{2}})
	var out Output
	if err := s.Sample(context.Background(), []int32{3, 10}, nil, 1, &out); !errors.Is(err, ErrNodeRange) {
		t.Errorf("bad seed: got %v", err)
	}
	if err := s.Sample(context.Background(), []int32{3}, []int64{1}, 1, &out); !errors.Is(err, ErrOptions) {
		t.Errorf("times without temporal: got %v", err)
	}
	ts, _ := NewNeighborSampler(hop, NeighborOptions{Fanouts: []int{2}, Temporal: TemporalUniform})
	if err := ts.Sample(context.Background(), []int32{3}, nil, 1, &out); !errors.Is(err, ErrOptions) {
		t.Errorf("temporal without times: got %v", err)
	}
}

// badHop answers with an out-of-range neighbour.
type badHop struct{ n int }

func (b badHop) NumNodes() int { return b.n }
func (b badHop) SampleHop(_ context.Context, frontier []int32, _ int, _ *HopOptions, dst *graph.Adjacency) error {
	dst.Reset()
	for range frontier {
		dst.Nbrs = append(dst.Nbrs, int32(b.n))
		dst.EdgeID = append(dst.EdgeID, 0)
		dst.Indptr = append(dst.Indptr, int64(len(dst.Nbrs)))
	}
	return nil
}

func TestNeighborSamplerRejectsBadHopAnswer(t *testing.T) {
	s, _ := NewNeighborSampler(badHop{5}, NeighborOptions{Fanouts: []int{1}})
	var out Output
	if err := s.Sample(context.Background(), []int32{1}, nil, 1, &out); !errors.Is(err, ErrNodeRange) {
		t.Fatalf("got %v, want ErrNodeRange", err)
	}
}
