package sampling

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata/")

// TestGolden pins exact sampler outputs for fixed seeds, so that a change
// of random streams or ordering (which changes every trained model's
// batches) shows up as a reviewed diff. Rewrite with -rewrite.
func TestGolden(t *testing.T) {
	g := newTestGraph(t, 5, 40, 200)
	var b strings.Builder
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opts NeighborOptions
		nt   []int64
	}{
		{"uniform", NeighborOptions{Fanouts: []int{3, 2}}, nil},
		{"replace", NeighborOptions{Fanouts: []int{2, 2}, Replace: true}, nil},
		{"weighted", NeighborOptions{Fanouts: []int{2, 2}, Weighted: true}, nil},
		{"disjoint", NeighborOptions{Fanouts: []int{2, 1}, Disjoint: true}, nil},
		{"temporal-last", NeighborOptions{Fanouts: []int{2, 2}, Temporal: TemporalLast}, g.nodeTime},
	} {
		hop, _ := NewLocalHopSampler(g.src, tc.nt)
		s, err := NewNeighborSampler(hop, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		var st []int64
		if tc.opts.Temporal != NotTemporal {
			st = []int64{50, 90, 20}
		}
		var out Output
		if err := s.Sample(ctx, []int32{1, 7, 30}, st, BatchSeed(3, 1, 2), &out); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "# %s\nn_id %v\nrow %v\ncol %v\ne_id %v\nnodes %v edges %v batch %v\n",
			tc.name, out.NID, out.Row, out.Col, out.EID, out.NumSampledNodes, out.NumSampledEdges, out.Batch)
	}
	gb, _ := NewGASBatcher(g.src, []int64{0, 10, 20, 30, 40}, GASOptions{SelfLoops: true})
	var gout GASBatch
	if err := gb.Build(ctx, GASGroups(4, 2, true, 3, 1)[0], &gout); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "# gas\nparts %v\nn_id %v\nbatch_size %d offset %v count %v\nindptr %v\nindices %v\ne_id %v\n",
		gout.Parts, gout.NID, gout.BatchSize, gout.Offset, gout.Count, gout.Adj.Indptr, gout.Adj.Indices, gout.EID)

	path := filepath.Join("testdata", "golden.txt")
	if *rewrite {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -rewrite to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Fatalf("sampler output differs from %s (run with -rewrite if the change is intended):\n%s", path, got)
	}
}
