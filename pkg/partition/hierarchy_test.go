package partition

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestDroppedLevelsRebuildIdentically coarsens the same graphs with every
// odd level dropped and with none dropped: every level the dropping
// hierarchy rebuilds equals the stored one, and the partitions are
// identical.
func TestDroppedLevelsRebuildIdentically(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t, 11), 3))
	for _, tc := range []struct {
		name string
		g    *Graph
		k    int
	}{
		{"rmat", rmatGraph(t, 13), 8},
		{"random", randomGraph(t, 20000, 120000, 500, r), 4},
		{"grid", gridGraph(t, 120, 120), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			core, _ := coreGraph(tc.g)
			build := func(drop int) *hierarchy {
				old := dropMinEntries
				dropMinEntries = drop
				defer func() { dropMinEntries = old }()
				return coarsen(core, 100, 1<<30, rand.New(rand.NewPCG(5, 5)))
			}
			keep, drop := build(1<<62), build(0)
			if keep.depth() != drop.depth() || keep.depth() < 4 {
				t.Fatalf("depths %d and %d (want equal, at least 4)", keep.depth(), drop.depth())
			}
			dropped := 0
			for l := keep.depth() - 1; l >= 0; l-- {
				if drop.levels[l] == nil {
					dropped++
				}
				a, b := keep.at(l), drop.at(l)
				if !slices.Equal(a.xadj, b.xadj) || !slices.Equal(a.adj, b.adj) || !slices.Equal(a.adjw, b.adjw) || !slices.Equal(a.vw, b.vw) {
					t.Fatalf("level %d: rebuilt graph differs from the stored one", l)
				}
				if !slices.Equal(keep.cmaps[max(l-1, 0)], drop.cmaps[max(l-1, 0)]) {
					t.Fatalf("level %d: maps differ", l)
				}
			}
			if want := (keep.depth() - 1) / 2; dropped != want {
				t.Fatalf("%d levels dropped, want the %d odd ones below the top", dropped, want)
			}
			part := func(drop int) []int32 {
				old := dropMinEntries
				dropMinEntries = drop
				defer func() { dropMinEntries = old }()
				res, err := Partition(tc.g, tc.k, &Options{Seed: 3, CoarsenTo: 100})
				if err != nil {
					t.Fatal(err)
				}
				return res.Part
			}
			if !slices.Equal(part(1<<62), part(0)) {
				t.Fatal("partitions differ when levels are dropped and rebuilt")
			}
		})
	}
}
