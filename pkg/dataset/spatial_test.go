package dataset

import (
	"errors"
	"math"
	"runtime"
	"slices"
	"testing"
)

func TestGrid(t *testing.T) {
	tests := []struct{ w, h int }{{0, 0}, {1, 1}, {1, 5}, {4, 3}, {300, 200}}
	for _, tt := range tests {
		ds, err := Grid(GridConfig{Width: tt.w, Height: tt.h, SpatialConfig: SpatialConfig{NumClasses: 3, NumFeatures: 2, Signal: 1, TrainFrac: 0.3, ValidFrac: 0.3, Seed: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if err := ds.Validate(); err != nil {
			t.Fatal(err)
		}
		g := ds.Graph
		wantM := 2 * (max(tt.w-1, 0)*tt.h + tt.w*max(tt.h-1, 0))
		if g.NumNodes != tt.w*tt.h || len(g.Src) != wantM {
			t.Fatalf("%dx%d: %d nodes %d edges, want %d", tt.w, tt.h, g.NumNodes, len(g.Src), wantM)
		}
		prev := [2]int32{-1, -1}
		for e := range g.Src {
			s, d := g.Src[e], g.Dst[e]
			dx, dy := int(s)%tt.w-int(d)%tt.w, int(s)/tt.w-int(d)/tt.w
			if dx*dx+dy*dy != 1 {
				t.Fatalf("edge %d->%d joins non-neighbours", s, d)
			}
			if cur := [2]int32{s, d}; slices.Compare(prev[:], cur[:]) >= 0 {
				t.Fatalf("edges not sorted at %d", e)
			} else {
				prev = cur
			}
		}
		if !symmetric(ds) {
			t.Fatal("grid not symmetric")
		}
	}
}

// TestRGGMatchesBruteForce compares the cell-grid search with all pairs.
func TestRGGMatchesBruteForce(t *testing.T) {
	for _, n := range []int{0, 1, 50, 3000} {
		cfg := RGGConfig{NumNodes: n, AvgDegree: 8, SpatialConfig: SpatialConfig{NumClasses: 4, Seed: 11}}
		ds, err := RGG(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := ds.Validate(); err != nil {
			t.Fatal(err)
		}
		// Recreate the points from the same streams.
		xs, ys := make([]float64, n), make([]float64, n)
		for c := 0; c*chunkSize < n; c++ {
			r := newRand(cfg.Seed, streamPoints, uint64(c))
			for v := c * chunkSize; v < min(n, (c+1)*chunkSize); v++ {
				xs[v], ys[v] = r.Float64(), r.Float64()
			}
		}
		r2 := 8 / (math.Pi * float64(max(n, 1)))
		var want [][2]int32
		for u := range n {
			for v := range n {
				dx, dy := xs[u]-xs[v], ys[u]-ys[v]
				if u != v && dx*dx+dy*dy <= r2 {
					want = append(want, [2]int32{int32(u), int32(v)})
				}
			}
		}
		got := make([][2]int32, len(ds.Graph.Src))
		for e := range got {
			got[e] = [2]int32{ds.Graph.Src[e], ds.Graph.Dst[e]}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("n=%d: %d edges, brute force %d", n, len(got), len(want))
		}
		if n == 3000 {
			avg := float64(len(got)) / float64(n)
			border := 8 * (1 - 8*math.Sqrt(r2)/(3*math.Pi))
			if math.Abs(avg-border) > 0.3 {
				t.Errorf("average degree %.2f, want about %.2f", avg, border)
			}
		}
	}
}

func TestSpatialDeterministicAndErrors(t *testing.T) {
	cfg := RGGConfig{NumNodes: 40000, AvgDegree: 6, SpatialConfig: SpatialConfig{NumClasses: 2, NumFeatures: 3, Seed: 4}}
	prev := runtime.GOMAXPROCS(1)
	a, _ := RGG(cfg)
	runtime.GOMAXPROCS(3)
	b, _ := RGG(cfg)
	runtime.GOMAXPROCS(prev)
	if !slices.Equal(a.Graph.Dst, b.Graph.Dst) || !slices.Equal(a.Features.Data, b.Features.Data) {
		t.Fatal("RGG depends on GOMAXPROCS")
	}
	if _, err := RGG(RGGConfig{NumNodes: 10, AvgDegree: -1}); !errors.Is(err, ErrConfig) {
		t.Fatalf("err = %v", err)
	}
	if _, err := Grid(GridConfig{Width: -1, Height: 2}); !errors.Is(err, ErrConfig) {
		t.Fatalf("err = %v", err)
	}
}
