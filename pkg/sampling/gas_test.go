package sampling

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomPtr splits [0, n) into k contiguous parts (some may be empty).
func randomPtr(r *rand.Rand, n, k int) []int64 {
	cuts := []int64{0, int64(n)}
	for range k - 1 {
		cuts = append(cuts, int64(r.IntN(n+1)))
	}
	slices.Sort(cuts)
	return cuts
}

func TestGASBatchMatchesBruteForce(t *testing.T) {
	seed := testSeed(t, 41)
	g := newTestGraph(t, seed, 240, 2000)
	r := rand.New(rand.NewPCG(seed, 3))
	ptr := randomPtr(r, 240, 12)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		src  NeighborSource
		opts GASOptions
	}{
		{"gas", g.src, GASOptions{}},
		{"gas fallback", slowSource{g.src}, GASOptions{}},
		{"gas hash", g.src, GASOptions{DenseLimit: 10}},
		{"gas selfloops normalized", g.src, GASOptions{SelfLoops: true, Normalize: true}},
		{"gas normalized fallback", slowSource{g.src}, GASOptions{SelfLoops: true, Normalize: true}},
		{"cluster-gcn", g.src, GASOptions{ClusterGCN: true}},
		{"cluster-gcn hash", g.src, GASOptions{ClusterGCN: true, DenseLimit: 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := NewGASBatcher(tc.src, ptr, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var out GASBatch
			for epoch := range 3 {
				for _, parts := range GASGroups(12, 5, true, seed, epoch) {
					if err := b.Build(ctx, parts, &out); err != nil {
						t.Fatal(err)
					}
					checkGAS(t, g, ptr, parts, tc.opts, &out)
				}
			}
		})
	}
}

func checkGAS(t *testing.T, g *testGraph, ptr []int64, parts []int, o GASOptions, b *GASBatch) {
	t.Helper()
	in := map[int32]bool{}
	var want []int32
	sorted := slices.Sorted(slices.Values(parts))
	for _, p := range sorted {
		for v := ptr[p]; v < ptr[p+1]; v++ {
			in[int32(v)] = true
			want = append(want, int32(v))
		}
	}
	if b.BatchSize != len(want) || !slices.Equal(b.NID[:b.BatchSize], want) {
		t.Fatalf("in-batch nodes %v, want %v", b.NID[:b.BatchSize], want)
	}
	// offset/count ranges cover exactly the in-batch nodes, in order
	var cover []int32
	for r := range b.Offset {
		if r > 0 && b.Offset[r-1]+b.Count[r-1] >= b.Offset[r] {
			t.Fatalf("ranges %d and %d overlap or touch (should be merged)", r-1, r)
		}
		for v := b.Offset[r]; v < b.Offset[r]+b.Count[r]; v++ {
			cover = append(cover, int32(v))
		}
	}
	if !slices.Equal(cover, want) {
		t.Fatal("offset/count do not cover the in-batch nodes")
	}
	// halo: out-of-batch in-neighbours in discovery order
	var halo []int32
	seen := map[int32]bool{}
	for _, v := range want {
		for k := g.csc.Indptr[v]; k < g.csc.Indptr[v+1]; k++ {
			u := g.csc.Indices[k]
			if !in[u] && !seen[u] {
				seen[u] = true
				halo = append(halo, u)
			}
		}
	}
	if o.ClusterGCN {
		halo = nil
	}
	if !slices.Equal(b.NID[b.BatchSize:], halo) {
		t.Fatalf("halo %v, want %v", b.NID[b.BatchSize:], halo)
	}
	a := b.Adj
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.Rows != b.BatchSize || (a.Cols != len(b.NID)) {
		t.Fatalf("adj %dx%d, want %dx%d", a.Rows, a.Cols, b.BatchSize, len(b.NID))
	}
	// rows keep every in-edge (Cluster-GCN: every in-batch in-edge)
	deg := globalDegrees(g, o.SelfLoops)
	for i, v := range want {
		var wantIDs []int64
		self := false
		for k := g.csc.Indptr[v]; k < g.csc.Indptr[v+1]; k++ {
			self = self || g.csc.Indices[k] == v
			if o.ClusterGCN && !in[g.csc.Indices[k]] {
				continue
			}
			wantIDs = append(wantIDs, g.csc.EdgeID[k])
		}
		if o.SelfLoops && !self {
			wantIDs = append(wantIDs, -1)
		}
		got := b.EID[a.Indptr[i]:a.Indptr[i+1]]
		if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(wantIDs))) {
			t.Fatalf("row %d (node %d): edges %v, want %v", i, v, got, wantIDs)
		}
		for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
			e := b.EID[k]
			u := v
			if e >= 0 {
				u = g.coo.Src[e]
			}
			if b.NID[a.Indices[k]] != u {
				t.Fatalf("row %d entry %d: column holds node %d, edge source is %d", i, k, b.NID[a.Indices[k]], u)
			}
			if o.Normalize {
				w := 1.0
				if e >= 0 {
					w = float64(g.coo.Weight[e])
				}
				ref := w / math.Sqrt(deg[v]*deg[u])
				if deg[v] == 0 || deg[u] == 0 {
					ref = 0
				}
				if got := float64(a.Values[k]); math.Abs(got-ref) > 1e-6*math.Max(1, ref) {
					t.Fatalf("row %d entry %d: weight %g, want %g", i, k, got, ref)
				}
			}
		}
	}
	if o.Normalize {
		for l, u := range b.NID {
			if math.Abs(float64(b.Deg[l])-deg[u]) > 1e-4 {
				t.Fatalf("deg of node %d = %g, want %g", u, b.Deg[l], deg[u])
			}
		}
	}
}

// globalDegrees is the GCN degree from the COO: weighted in-degree plus 1
// for a node without a self loop when loops are added.
func globalDegrees(g *testGraph, loops bool) []float64 {
	deg := make([]float64, g.coo.NumNodes)
	self := make([]bool, g.coo.NumNodes)
	for e := range g.coo.Src {
		deg[g.coo.Dst[e]] += float64(g.coo.Weight[e])
		if g.coo.Src[e] == g.coo.Dst[e] {
			self[g.coo.Dst[e]] = true
		}
	}
	if loops {
		for v := range deg {
			if !self[v] {
				deg[v]++
			}
		}
	}
	return deg
}

func TestGASGroups(t *testing.T) {
	seed := testSeed(t, 42)
	for _, shuffle := range []bool{false, true} {
		var prev [][]int
		for epoch := range 3 {
			gr := GASGroups(10, 3, shuffle, seed, epoch)
			if len(gr) != 4 || len(gr[3]) != 1 {
				t.Fatalf("groups %v: want 3+3+3+1", gr)
			}
			var all []int
			for _, x := range gr {
				all = append(all, x...)
			}
			slices.Sort(all)
			if !slices.Equal(all, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
				t.Fatalf("groups %v are not a partition of the parts", gr)
			}
			if !shuffle && !slices.Equal(gr[1], []int{3, 4, 5}) {
				t.Fatalf("eval groups %v not contiguous", gr)
			}
			if again := GASGroups(10, 3, shuffle, seed, epoch); !slices.EqualFunc(gr, again, slices.Equal) {
				t.Fatal("groups not deterministic")
			}
			if shuffle && prev != nil && slices.EqualFunc(gr, prev, slices.Equal) {
				t.Fatal("shuffled grouping repeated across epochs")
			}
			prev = gr
		}
	}
}

func TestGASErrors(t *testing.T) {
	g := newTestGraph(t, 1, 10, 30)
	for _, ptr := range [][]int64{nil, {0}, {1, 10}, {0, 5, 3, 10}, {0, 5, 9}} {
		if _, err := NewGASBatcher(g.src, ptr, GASOptions{}); !errors.Is(err, ErrOptions) {
			t.Errorf("ptr %v: got %v, want ErrOptions", ptr, err)
		}
	}
	b, _ := NewGASBatcher(g.src, []int64{0, 5, 10}, GASOptions{})
	var out GASBatch
	for _, parts := range [][]int{{2}, {-1}, {0, 0}} {
		if err := b.Build(context.Background(), parts, &out); !errors.Is(err, ErrOptions) {
			t.Errorf("parts %v: got %v, want ErrOptions", parts, err)
		}
	}
}
