package partition

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// TestAgainstGpmetis partitions small graphs with gpmetis (when installed;
// scripts/deps.sh test installs it) and with Partition, evaluates both
// with EdgeCut, and requires our cut to stay within 10% of METIS's (the
// benchmark tracks the exact ratios on large graphs).
func TestAgainstGpmetis(t *testing.T) {
	bin, err := exec.LookPath("gpmetis")
	if err != nil {
		t.Skip("gpmetis not installed")
	}
	r := rand.New(rand.NewPCG(testSeed(t, 5), 6))
	cases := []struct {
		name string
		g    *Graph
		k    int
	}{
		{"grid", gridGraph(t, 70, 70), 8},
		{"geometric", geometricGraph(t, 3000, 10, r), 16},
		{"random-isolated", randomGraph(t, 3000, 6000, 900, r), 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "g.graph")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := WriteGraph(f, tc.g); err != nil {
				t.Fatal(err)
			}
			f.Close()
			if out, err := exec.Command(bin, path, strconv.Itoa(tc.k)).CombinedOutput(); err != nil {
				t.Fatalf("gpmetis: %v\n%s", err, out)
			}
			pf, err := os.Open(path + ".part." + strconv.Itoa(tc.k))
			if err != nil {
				t.Fatal(err)
			}
			mpart, err := ReadPart(pf, "metis.part", tc.g.NumNodes(), tc.k)
			pf.Close()
			if err != nil {
				t.Fatal(err)
			}
			mcut, _, err := EdgeCut(tc.g, mpart, tc.k)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Partition(tc.g, tc.k, &Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, tc.g, tc.k, 1.03, res)
			t.Logf("cut: ours %d, gpmetis %d (ratio %.3f)", res.Cut, mcut, float64(res.Cut)/float64(mcut))
			if float64(res.Cut) > 1.10*float64(mcut) {
				t.Errorf("cut %d more than 10%% above gpmetis's %d", res.Cut, mcut)
			}
		})
	}
}
