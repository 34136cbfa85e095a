package sampling

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

func TestSampleHopProperties(t *testing.T) {
	seed := testSeed(t, 11)
	g := newTestGraph(t, seed, 60, 900)
	ctx := context.Background()
	frontier := make([]int32, 0, 120)
	for i := range 120 {
		frontier = append(frontier, int32(i%60))
	}
	cutoff := make([]int64, len(frontier))
	for i := range cutoff {
		cutoff[i] = int64(i * 97 % 100)
	}
	tests := []struct {
		name     string
		fanout   int
		o        HopOptions
		nodeTime bool
	}{
		{"uniform", 5, HopOptions{}, false},
		{"uniform-large-k", 40, HopOptions{}, false},
		{"all", -1, HopOptions{}, false},
		{"zero", 0, HopOptions{}, false},
		{"replace", 7, HopOptions{Replace: true}, false},
		{"weighted", 4, HopOptions{Weighted: true}, false},
		{"weighted-replace", 6, HopOptions{Weighted: true, Replace: true}, false},
		{"temporal-uniform-edge", 3, HopOptions{Temporal: TemporalUniform}, false},
		{"temporal-last-edge", 3, HopOptions{Temporal: TemporalLast}, false},
		{"temporal-uniform-node", 3, HopOptions{Temporal: TemporalUniform}, true},
		{"temporal-last-node", 4, HopOptions{Temporal: TemporalLast}, true},
		{"temporal-weighted", 3, HopOptions{Temporal: TemporalUniform, Weighted: true}, true},
		{"temporal-all", -1, HopOptions{Temporal: TemporalUniform}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var nt []int64
			if tt.nodeTime {
				nt = g.nodeTime
			}
			o := tt.o
			o.Seed = seed
			if o.Temporal != NotTemporal {
				o.Cutoff = cutoff
			}
			fast, err := NewLocalHopSampler(g.src, nt)
			if err != nil {
				t.Fatal(err)
			}
			var a graph.Adjacency
			if err := fast.SampleHop(ctx, frontier, tt.fanout, &o, &a); err != nil {
				t.Fatal(err)
			}
			checkHop(t, g, frontier, tt.fanout, &o, nt, &a)

			// The fallback through Neighbors gives the same answer.
			slow, _ := NewLocalHopSampler(slowSource{g.src}, nt)
			var b graph.Adjacency
			if err := slow.SampleHop(ctx, frontier, tt.fanout, &o, &b); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Indptr, b.Indptr) || !slices.Equal(a.Nbrs, b.Nbrs) || !slices.Equal(a.EdgeID, b.EdgeID) {
				t.Fatal("fallback path differs from the fast path")
			}

			// Splitting the frontier (as the remote client does by owner)
			// gives the same answer per entry.
			var c1, c2 graph.Adjacency
			o1, o2 := o, o
			if o.Temporal != NotTemporal {
				o1.Cutoff, o2.Cutoff = cutoff[:50], cutoff[50:]
			}
			if err := fast.SampleHop(ctx, frontier[:50], tt.fanout, &o1, &c1); err != nil {
				t.Fatal(err)
			}
			if err := fast.SampleHop(ctx, frontier[50:], tt.fanout, &o2, &c2); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(append(c1.Nbrs, c2.Nbrs...), a.Nbrs) || !slices.Equal(append(c1.EdgeID, c2.EdgeID...), a.EdgeID) {
				t.Fatal("split frontier differs from the whole")
			}
		})
	}
}

// checkHop checks a hop answer against the CSC by brute force.
func checkHop(t *testing.T, g *testGraph, frontier []int32, fanout int, o *HopOptions, nodeTime []int64, a *graph.Adjacency) {
	t.Helper()
	if a.Len() != len(frontier) || len(a.EdgeID) != len(a.Nbrs) {
		t.Fatalf("answer has %d rows, %d ids, %d nbrs", a.Len(), len(a.EdgeID), len(a.Nbrs))
	}
	timeOf := func(k int64) int64 { // k: CSC entry
		if nodeTime != nil {
			return nodeTime[g.csc.Indices[k]]
		}
		return g.edgeTime[k]
	}
	entryOf := make(map[int64]int64) // edge id -> CSC entry
	for k, e := range g.csc.EdgeID {
		entryOf[e] = int64(k)
	}
	for i, v := range frontier {
		lo, hi := g.csc.Indptr[v], g.csc.Indptr[v+1]
		// admissible entries
		var adm []int64
		for k := lo; k < hi; k++ {
			if o.Temporal != NotTemporal && timeOf(k) > o.Cutoff[i] {
				continue
			}
			if o.Weighted && fanout >= 0 && g.csc.Weight[k] == 0 {
				continue
			}
			adm = append(adm, k)
		}
		ids := a.EdgeID[a.Indptr[i]:a.Indptr[i+1]]
		for j, e := range ids {
			if g.coo.Dst[e] != v || g.coo.Src[e] != a.Nbrs[a.Indptr[i]+int64(j)] {
				t.Fatalf("entry %d (node %d): edge %d is %d->%d, answer says %d->%d", i, v, e, g.coo.Src[e], g.coo.Dst[e], a.Nbrs[a.Indptr[i]+int64(j)], v)
			}
			if !slices.Contains(adm, entryOf[e]) {
				t.Fatalf("entry %d (node %d): edge %d not admissible (future or zero weight)", i, v, e)
			}
		}
		want := len(adm)
		switch {
		case fanout < 0:
		case o.Replace:
			if len(adm) > 0 {
				want = fanout
			}
		default:
			want = min(fanout, len(adm))
		}
		if len(ids) != want {
			t.Fatalf("entry %d (node %d): %d sampled, want %d (fanout %d, %d admissible)", i, v, len(ids), want, fanout, len(adm))
		}
		if !o.Replace {
			s := slices.Clone(ids)
			slices.Sort(s)
			if len(slices.Compact(s)) != len(ids) {
				t.Fatalf("entry %d: duplicate edge without replacement: %v", i, ids)
			}
		}
		if o.Temporal == TemporalLast && fanout >= 0 && len(adm) > fanout {
			// exactly the fanout most recent (ties: later entry first)
			slices.SortFunc(adm, func(x, y int64) int {
				if tx, ty := timeOf(x), timeOf(y); tx != ty {
					return int(ty - tx)
				}
				return int(y - x)
			})
			var wantIDs []int64
			for _, k := range adm[:fanout] {
				wantIDs = append(wantIDs, g.csc.EdgeID[k])
			}
			got := slices.Clone(ids)
			slices.Sort(got)
			slices.Sort(wantIDs)
			if !slices.Equal(got, wantIDs) {
				t.Fatalf("entry %d: last strategy took %v, want %v", i, got, wantIDs)
			}
		}
	}
}

func TestSampleHopErrors(t *testing.T) {
	g := newTestGraph(t, 1, 10, 30)
	h, _ := NewLocalHopSampler(g.src, nil)
	unweighted, _ := FromCSC(&graph.CSC{Compressed: graph.Compressed{NumNodes: 2, Indptr: []int64{0, 1, 1}, Indices: []int32{1}}}, nil, nil)
	hu, _ := NewLocalHopSampler(unweighted, nil)
	var a graph.Adjacency
	ctx := context.Background()
	tests := []struct {
		name     string
		h        *LocalHopSampler
		frontier []int32
		o        HopOptions
		want     error
	}{
		{"negative id", h, []int32{0, -1}, HopOptions{}, ErrNodeRange},
		{"id too large", h, []int32{10}, HopOptions{}, ErrNodeRange},
		{"cutoff length", h, []int32{1, 2}, HopOptions{Temporal: TemporalUniform, Cutoff: []int64{1}}, ErrOptions},
		{"tags length", h, []int32{1, 2}, HopOptions{Tags: []int32{1}}, ErrOptions},
		{"last weighted", h, []int32{1}, HopOptions{Temporal: TemporalLast, Weighted: true, Cutoff: []int64{1}}, ErrOptions},
		{"no weights", hu, []int32{0}, HopOptions{Weighted: true}, ErrOptions},
		{"no times", hu, []int32{0}, HopOptions{Temporal: TemporalUniform, Cutoff: []int64{1}}, ErrOptions},
		{"bad strategy", h, []int32{0}, HopOptions{Temporal: 9}, ErrOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.h.SampleHop(ctx, tt.frontier, 2, &tt.o, &a)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := h.SampleHop(cctx, []int32{1}, 2, nil, &a); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: got %v", err)
	}
	if _, err := FromCSC(&g.csc, []float32{1}, nil); !errors.Is(err, ErrOptions) {
		t.Fatalf("short weights: got %v", err)
	}
	if _, err := FromCSC(&g.csc, nil, []int64{1}); !errors.Is(err, ErrOptions) {
		t.Fatalf("short times: got %v", err)
	}
	if _, err := NewLocalHopSampler(g.src, []int64{1}); !errors.Is(err, ErrOptions) {
		t.Fatalf("short node times: got %v", err)
	}
}

// badSource answers Neighbors with a malformed adjacency.
type badSource struct {
	n    int
	kind int
}

func (b badSource) NumNodes() int { return b.n }
func (b badSource) Neighbors(_ context.Context, nodes []int32, dst *graph.Adjacency) error {
	dst.Reset()
	for range nodes {
		switch b.kind {
		case 0: // neighbour out of range
			dst.Nbrs = append(dst.Nbrs, int32(b.n))
			dst.EdgeID = append(dst.EdgeID, 0)
		case 1: // missing edge id
			dst.Nbrs = append(dst.Nbrs, 0)
		}
		dst.Indptr = append(dst.Indptr, int64(len(dst.Nbrs)))
	}
	if b.kind == 2 { // offsets past the end
		dst.Indptr[len(dst.Indptr)-1] += 5
	}
	return nil
}

func TestMalformedSourceIsAnError(t *testing.T) {
	ctx := context.Background()
	for kind := range 3 {
		src := badSource{n: 4, kind: kind}
		h, _ := NewLocalHopSampler(src, nil)
		var a graph.Adjacency
		if err := h.SampleHop(ctx, []int32{1, 2}, 2, nil, &a); err == nil {
			t.Errorf("kind %d: hop sampler accepted a malformed answer", kind)
		}
		s, _ := NewNeighborSampler(h, NeighborOptions{Fanouts: []int{2}})
		var out Output
		if err := s.Sample(ctx, []int32{1}, nil, 1, &out); err == nil {
			t.Errorf("kind %d: neighbour sampler accepted a malformed answer", kind)
		}
		g, _ := NewGASBatcher(src, []int64{0, 2, 4}, GASOptions{})
		var gb GASBatch
		if err := g.Build(ctx, []int{0}, &gb); err == nil {
			t.Errorf("kind %d: GAS batcher accepted a malformed answer", kind)
		}
	}
}
