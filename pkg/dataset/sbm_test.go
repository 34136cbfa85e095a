package dataset

import (
	"errors"
	"math"
	"runtime"
	"slices"
	"testing"
)

func TestSBMStructure(t *testing.T) {
	tests := []struct {
		name string
		cfg  SBMConfig
	}{
		{"default-small", func() SBMConfig { c := DefaultSBM(); c.NumNodes = 5000; return c }()},
		{"heterophilous", SBMConfig{NumNodes: 3000, NumClasses: 4, AvgDegree: 6, Homophily: 0.1, NumFeatures: 8, Signal: 1, TrainFrac: 0.2, ValidFrac: 0.2, Seed: 7}},
		{"one-class", SBMConfig{NumNodes: 500, NumClasses: 1, AvgDegree: 4, Homophily: 0.3, Seed: 3}},
		{"dense-tiny", SBMConfig{NumNodes: 20, NumClasses: 2, AvgDegree: 30, Homophily: 0.8, NumFeatures: 2, Seed: 2}},
		{"empty", SBMConfig{NumNodes: 0, NumClasses: 3, AvgDegree: 4, Seed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := SBM(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := ds.Validate(); err != nil {
				t.Fatal(err)
			}
			g := ds.Graph
			if g.NumNodes != tt.cfg.NumNodes || len(ds.Labels) != tt.cfg.NumNodes {
				t.Fatalf("nodes %d labels %d, want %d", g.NumNodes, len(ds.Labels), tt.cfg.NumNodes)
			}
			if !symmetric(ds) {
				t.Fatal("graph not symmetric")
			}
			// No self loops, no duplicates.
			seen := make(map[[2]int32]bool, len(g.Src))
			var same int
			for e := range g.Src {
				k := [2]int32{g.Src[e], g.Dst[e]}
				if k[0] == k[1] || seen[k] {
					t.Fatalf("edge %d (%d,%d) is a loop or duplicate", e, k[0], k[1])
				}
				seen[k] = true
				if ds.Labels[k[0]] == ds.Labels[k[1]] {
					same++
				}
			}
			if tt.cfg.NumNodes >= 3000 {
				avg := float64(len(g.Src)) / float64(g.NumNodes)
				if math.Abs(avg-tt.cfg.AvgDegree) > 0.05*tt.cfg.AvgDegree {
					t.Errorf("average degree %.3f, want ~%g", avg, tt.cfg.AvgDegree)
				}
				h := float64(same) / float64(len(g.Src))
				want := tt.cfg.Homophily
				if tt.cfg.NumClasses == 1 {
					want = 1
				}
				if math.Abs(h-want) > 0.02 {
					t.Errorf("homophily %.4f, want ~%g", h, want)
				}
			}
			// Balanced classes.
			cnt := make([]int, tt.cfg.NumClasses)
			for _, y := range ds.Labels {
				cnt[y]++
			}
			if len(cnt) > 0 && tt.cfg.NumNodes > 0 && slices.Max(cnt)-slices.Min(cnt) > 1 {
				t.Errorf("class sizes %v not balanced", cnt)
			}
			if tt.cfg.NumFeatures > 0 && (ds.Features == nil || ds.Features.Rows != tt.cfg.NumNodes || ds.Features.Cols != tt.cfg.NumFeatures) {
				t.Fatalf("features %v", ds.Features)
			}
			s := ds.Split
			if got := len(s.Train) + len(s.Valid) + len(s.Test); got != tt.cfg.NumNodes {
				t.Fatalf("split covers %d nodes, want %d", got, tt.cfg.NumNodes)
			}
		})
	}
}

func TestSBMDeterministicAcrossCores(t *testing.T) {
	cfg := DefaultSBM()
	cfg.NumNodes = 3 * chunkSize / 2 // more than one chunk
	cfg.NumFeatures = 5
	prev := runtime.GOMAXPROCS(1)
	a, err := SBM(cfg)
	runtime.GOMAXPROCS(4)
	b, err2 := SBM(cfg)
	runtime.GOMAXPROCS(prev)
	if err != nil || err2 != nil {
		t.Fatal(err, err2)
	}
	if !slices.Equal(a.Graph.Src, b.Graph.Src) || !slices.Equal(a.Graph.Dst, b.Graph.Dst) ||
		!slices.Equal(a.Labels, b.Labels) || !slices.Equal(a.Features.Data, b.Features.Data) ||
		!slices.Equal(a.Split.Train, b.Split.Train) {
		t.Fatal("output depends on GOMAXPROCS")
	}
	cfg.Seed++
	c, _ := SBM(cfg)
	if slices.Equal(a.Graph.Src, c.Graph.Src) && slices.Equal(a.Graph.Dst, c.Graph.Dst) {
		t.Fatal("a different seed gives the same graph")
	}
}

func TestSBMConfigErrors(t *testing.T) {
	cfg := SBMConfig{NumNodes: -1, NumClasses: 0, AvgDegree: math.NaN(), Homophily: 1.5, TrainFrac: 0.8, ValidFrac: 0.5}
	_, err := SBM(cfg)
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("err = %v, want ErrConfig", err)
	}
	for _, field := range []string{"NumNodes", "NumClasses", "AvgDegree", "Homophily", "TrainFrac"} {
		if !contains(err.Error(), field) {
			t.Errorf("error %q does not name %s", err, field)
		}
	}
}

func contains(s, sub string) bool { return len(sub) == 0 || indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
