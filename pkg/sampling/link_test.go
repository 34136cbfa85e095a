package sampling

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestLinkSampler(t *testing.T) {
	seed := testSeed(t, 51)
	g := newTestGraph(t, seed, 150, 1200)
	r := rand.New(rand.NewPCG(seed, 4))
	const p = 17
	src, dst := make([]int32, p), make([]int32, p)
	label, etime := make([]int64, p), make([]int64, p)
	for i := range p {
		e := r.IntN(len(g.coo.Src))
		src[i], dst[i] = g.coo.Src[e], g.coo.Dst[e]
		label[i] = int64(2 + r.IntN(3))
		etime[i] = int64(r.IntN(100))
	}
	ctx := context.Background()
	tests := []struct {
		name  string
		opts  LinkOptions
		label bool
		times bool
	}{
		{"plain", LinkOptions{NeighborOptions: NeighborOptions{Fanouts: []int{3, 2}}}, true, false},
		{"binary", LinkOptions{NeighborOptions: NeighborOptions{Fanouts: []int{3, 2}}, Negative: BinaryNegatives, Amount: 1.5}, true, false},
		{"binary disjoint", LinkOptions{NeighborOptions: NeighborOptions{Fanouts: []int{2}, Disjoint: true}, Negative: BinaryNegatives, Amount: 1}, false, false},
		{"triplet", LinkOptions{NeighborOptions: NeighborOptions{Fanouts: []int{3, 2}}, Negative: TripletNegatives, Amount: 3}, false, false},
		{"triplet disjoint", LinkOptions{NeighborOptions: NeighborOptions{Fanouts: []int{3}, Disjoint: true}, Negative: TripletNegatives, Amount: 2}, false, false},
		{"binary temporal", LinkOptions{NeighborOptions: NeighborOptions{Fanouts: []int{3, 2}, Temporal: TemporalUniform}, Negative: BinaryNegatives, Amount: 2}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hop, _ := NewLocalHopSampler(g.src, nil)
			s, err := NewLinkSampler(hop, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var lab, tm []int64
			if tt.label {
				lab = label
			}
			if tt.times {
				tm = etime
			}
			var out LinkOutput
			if err := s.Sample(ctx, src, dst, lab, tm, 77, &out); err != nil {
				t.Fatal(err)
			}
			disjoint := s.opts.Disjoint
			seeds := slices.Clone(out.NID[:out.BatchSize])
			checkOutput(t, g, &out.Output, seeds, tt.opts.Fanouts, false, disjoint)
			if !disjoint {
				if !slices.IsSorted(seeds) || len(slices.Compact(slices.Clone(seeds))) != len(seeds) {
					t.Fatalf("non-disjoint seeds %v are not sorted and distinct", seeds)
				}
			}
			nid := out.NID
			switch tt.opts.Negative {
			case TripletNegatives:
				k := int(tt.opts.Amount)
				if len(out.SrcIndex) != p || len(out.DstPosIndex) != p || len(out.DstNegIndex) != p*k {
					t.Fatalf("triplet sizes %d %d %d", len(out.SrcIndex), len(out.DstPosIndex), len(out.DstNegIndex))
				}
				for i := range p {
					if nid[out.SrcIndex[i]] != src[i] || nid[out.DstPosIndex[i]] != dst[i] {
						t.Fatalf("positive %d maps to %d->%d, want %d->%d", i, nid[out.SrcIndex[i]], nid[out.DstPosIndex[i]], src[i], dst[i])
					}
				}
				for _, l := range out.DstNegIndex {
					if int(l) >= out.BatchSize {
						t.Fatal("negative destination is not a seed")
					}
				}
			default:
				neg := 0
				if tt.opts.Negative == BinaryNegatives {
					neg = int(float64(p)*tt.opts.Amount + 0.999999)
				}
				if len(out.Src) != p+neg || len(out.Dst) != p+neg || len(out.Label) != p+neg {
					t.Fatalf("%d/%d/%d supervision edges, want %d", len(out.Src), len(out.Dst), len(out.Label), p+neg)
				}
				for i := range p {
					if nid[out.Src[i]] != src[i] || nid[out.Dst[i]] != dst[i] {
						t.Fatalf("positive %d maps to %d->%d, want %d->%d", i, nid[out.Src[i]], nid[out.Dst[i]], src[i], dst[i])
					}
					want := int64(1)
					if lab != nil {
						want = lab[i]
					}
					if out.Label[i] != want {
						t.Fatalf("label %d = %d, want %d", i, out.Label[i], want)
					}
				}
				for j := p; j < p+neg; j++ {
					if out.Label[j] != 0 || int(out.Src[j]) >= out.BatchSize || int(out.Dst[j]) >= out.BatchSize {
						t.Fatalf("negative %d: label %d, local %d->%d", j, out.Label[j], out.Src[j], out.Dst[j])
					}
				}
				if disjoint && out.BatchSize != 2*(p+neg) {
					t.Fatalf("disjoint binary: %d seeds, want %d", out.BatchSize, 2*(p+neg))
				}
			}
			if tt.times {
				// Every subgraph stays at or before its seed's time; the
				// seed times are the edge times (negatives borrow in turn).
				for l := range out.BatchSize {
					j := l % (len(out.SeedTime) / 2)
					if out.SeedTime[l] != etime[j%p] {
						t.Fatalf("seed %d time %d, want %d", l, out.SeedTime[l], etime[j%p])
					}
				}
				for j, e := range out.EID {
					k := slices.Index(g.csc.EdgeID, e)
					if g.edgeTime[k] > out.SeedTime[out.Batch[out.Col[j]]] {
						t.Fatalf("edge %d from the future", j)
					}
				}
			}
			// deterministic for a seed
			var again LinkOutput
			if err := s.Sample(ctx, src, dst, lab, tm, 77, &again); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(again.NID, out.NID) || !slices.Equal(again.EID, out.EID) {
				t.Fatal("same seed, different sample")
			}
		})
	}
}

func TestLinkSamplerErrors(t *testing.T) {
	g := newTestGraph(t, 1, 10, 30)
	hop, _ := NewLocalHopSampler(g.src, nil)
	nb := NeighborOptions{Fanouts: []int{2}}
	for _, o := range []LinkOptions{
		{NeighborOptions: nb, Negative: BinaryNegatives},
		{NeighborOptions: nb, Negative: TripletNegatives, Amount: 1.5},
		{NeighborOptions: nb, Negative: 5, Amount: 1},
		{NeighborOptions: NeighborOptions{}},
	} {
		if _, err := NewLinkSampler(hop, o); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: got %v, want ErrOptions", o, err)
		}
	}
	s, _ := NewLinkSampler(hop, LinkOptions{NeighborOptions: nb, Negative: TripletNegatives, Amount: 1})
	var out LinkOutput
	ctx := context.Background()
	if err := s.Sample(ctx, []int32{1}, []int32{11}, nil, nil, 1, &out); !errors.Is(err, ErrNodeRange) {
		t.Errorf("bad dst: got %v", err)
	}
	if err := s.Sample(ctx, []int32{1, 2}, []int32{3}, nil, nil, 1, &out); !errors.Is(err, ErrOptions) {
		t.Errorf("length mismatch: got %v", err)
	}
	if err := s.Sample(ctx, []int32{1}, []int32{3}, []int64{1}, nil, 1, &out); !errors.Is(err, ErrOptions) {
		t.Errorf("labels in triplet mode: got %v", err)
	}
}
