package dataset

import (
	"math"
	"runtime"
	"slices"
	"testing"
)

func TestRMATDegreesFollowQuadrants(t *testing.T) {
	// Without permutation, P(src bit i = 0) = A + B at every level, so the
	// share of edges whose source has top bit 0 is A+B = 0.76.
	cfg := RMATConfig{Scale: 12, EdgeFactor: 16, Seed: 5}
	g, err := RMATEdges(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if g.NumNodes != 4096 || len(g.Src) != 16*4096 {
		t.Fatalf("got %d nodes %d edges", g.NumNodes, len(g.Src))
	}
	var topSrc, topDst int
	for e := range g.Src {
		if g.Src[e]>>11 == 0 {
			topSrc++
		}
		if g.Dst[e]>>11 == 0 {
			topDst++
		}
	}
	m := float64(len(g.Src))
	if s := float64(topSrc) / m; math.Abs(s-0.76) > 0.01 {
		t.Errorf("share of sources in the top half %.4f, want 0.76", s)
	}
	if s := float64(topDst) / m; math.Abs(s-0.76) > 0.01 {
		t.Errorf("share of destinations in the left half %.4f, want 0.76", s)
	}
	// Node 0 is the hub: expected out-degree m * (A+B)^scale.
	var deg0 int
	for _, s := range g.Src {
		if s == 0 {
			deg0++
		}
	}
	want := m * math.Pow(0.76, 12)
	if math.Abs(float64(deg0)-want) > 5*math.Sqrt(want) {
		t.Errorf("degree of node 0 = %d, want ~%.0f", deg0, want)
	}
}

func TestRMATOptions(t *testing.T) {
	base := RMATConfig{Scale: 10, EdgeFactor: 8, Seed: 9, Noise: 0.1, Permute: true}
	sym := base
	sym.Symmetrize, sym.NoSelfLoops = true, true
	g, err := RMATEdges(sym)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[[2]int32]bool)
	for e := range g.Src {
		k := [2]int32{g.Src[e], g.Dst[e]}
		if k[0] == k[1] || seen[k] {
			t.Fatalf("edge %d %v: loop or duplicate", e, k)
		}
		seen[k] = true
	}
	for k := range seen {
		if !seen[[2]int32{k[1], k[0]}] {
			t.Fatalf("edge %v has no reverse", k)
		}
	}
	// The symmetrized graph is exactly the union of the raw edges and their
	// reverses, minus loops.
	raw, _ := RMATEdges(base)
	want := make(map[[2]int32]bool)
	for e := range raw.Src {
		if raw.Src[e] != raw.Dst[e] {
			want[[2]int32{raw.Src[e], raw.Dst[e]}] = true
			want[[2]int32{raw.Dst[e], raw.Src[e]}] = true
		}
	}
	if len(want) != len(seen) {
		t.Fatalf("symmetrized %d edges, want %d", len(seen), len(want))
	}
}

func TestRMATDeterministicAcrossCores(t *testing.T) {
	cfg := RMATConfig{Scale: 14, EdgeFactor: 16, Seed: 3, Noise: 0.05, Permute: true, NumFeatures: 3, NumClasses: 4, TrainFrac: 0.5}
	prev := runtime.GOMAXPROCS(1)
	a, err := RMAT(cfg)
	runtime.GOMAXPROCS(3)
	b, err2 := RMAT(cfg)
	runtime.GOMAXPROCS(prev)
	if err != nil || err2 != nil {
		t.Fatal(err, err2)
	}
	if !slices.Equal(a.Graph.Src, b.Graph.Src) || !slices.Equal(a.Graph.Dst, b.Graph.Dst) ||
		!slices.Equal(a.Features.Data, b.Features.Data) || !slices.Equal(a.Labels, b.Labels) {
		t.Fatal("output depends on GOMAXPROCS")
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
}
