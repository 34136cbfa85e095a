package dataset

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// datasetsDir returns $GNNSCALE_DATASETS (default ../../../shared/datasets
// from this package, i.e. /work/shared/datasets beside the repository).
func datasetsDir() string {
	if d := os.Getenv("GNNSCALE_DATASETS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "datasets")
}

// needDataset returns the folder of a real data set, skipping the test when
// it is absent unless GNNSCALE_REQUIRE_DATASETS=1.
func needDataset(t testing.TB, name string) string {
	t.Helper()
	dir := filepath.Join(datasetsDir(), name)
	if _, err := os.Stat(filepath.Join(dir, NumNodesFile)); err != nil {
		if os.Getenv("GNNSCALE_REQUIRE_DATASETS") == "1" {
			t.Fatalf("data set %s required (GNNSCALE_REQUIRE_DATASETS=1): %v", name, err)
		}
		t.Skipf("data set %s absent: %v", name, err)
	}
	return dir
}

func TestLoadReal(t *testing.T) {
	tests := []struct {
		name               string
		nodes              int
		edges              int64
		feats, classes     int
		split              string
		train, valid, test int
		classSizes         []int
		nonzeros           int
		homophily          float64
	}{
		{"cora", 2708, 10556, 1433, 7, "public", 140, 500, 1000, []int{351, 217, 418, 818, 426, 298, 180}, 49216, 0.8100},
		{"amazon-photo", 7650, 238162, 745, 8, "random0", 160, 240, 7250, []int{369, 1686, 703, 915, 882, 823, 1941, 331}, 1979909, 0.8272},
		{"coauthor-cs", 18333, 163788, 6805, 15, "random0", 300, 450, 17583, []int{708, 462, 2050, 429, 1394, 2193, 371, 924, 775, 118, 1444, 2033, 420, 4136, 876}, 1092079, 0.8081},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := needDataset(t, tt.name)
			// Under -race the concurrency is covered by the smaller sets;
			// coauthor-cs's 125M feature fields are parsed without it.
			skipFeatures := raceEnabled && tt.feats > 5000
			ds, err := Load(context.Background(), dir, &LoadOptions{NoFeatures: skipFeatures})
			if err != nil {
				t.Fatal(err)
			}
			if err := ds.Validate(); err != nil {
				t.Fatal(err)
			}
			if skipFeatures {
				tt.feats, tt.nonzeros = 0, 0
			}
			if ds.NumNodes() != tt.nodes || ds.NumEdges() != tt.edges || ds.NumFeatures() != tt.feats || ds.NumClasses != tt.classes {
				t.Fatalf("got %d nodes %d edges %d features %d classes", ds.NumNodes(), ds.NumEdges(), ds.NumFeatures(), ds.NumClasses)
			}
			if ds.Split.Name != tt.split || len(ds.Split.Train) != tt.train || len(ds.Split.Valid) != tt.valid || len(ds.Split.Test) != tt.test {
				t.Fatalf("split %q %d/%d/%d", ds.Split.Name, len(ds.Split.Train), len(ds.Split.Valid), len(ds.Split.Test))
			}
			sizes := make([]int, ds.NumClasses)
			for _, y := range ds.Labels {
				sizes[y]++
			}
			for c := range sizes {
				if sizes[c] != tt.classSizes[c] {
					t.Fatalf("class sizes %v, want %v", sizes, tt.classSizes)
				}
			}
			nz := 0
			var data []float32
			if ds.Features != nil {
				data = ds.Features.Data
			}
			for _, v := range data {
				if v != 0 {
					if v != 1 {
						t.Fatalf("non-binary feature %v", v)
					}
					nz++
				}
			}
			if nz != tt.nonzeros {
				t.Fatalf("%d non-zero features, want %d", nz, tt.nonzeros)
			}
			var same int
			for e, s := range ds.Graph.Src {
				if ds.Labels[s] == ds.Labels[ds.Graph.Dst[e]] {
					same++
				}
			}
			if h := float64(same) / float64(ds.NumEdges()); h < tt.homophily-5e-5 || h > tt.homophily+5e-5 {
				t.Fatalf("homophily %.5f, want %.4f", h, tt.homophily)
			}
			if !symmetric(ds) {
				t.Fatal("graph not symmetric")
			}
			t.Log("\n" + ds.Summary())
		})
	}
}
