package sampling_test

import (
	"context"
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/sampling"
)

// A path 0 -> 1 -> 2 -> 3 plus 4 -> 2: messages flow along the arrows, so
// sampling from seed 3 walks the in-neighbours backwards.
func exampleSource() *sampling.MemorySource {
	coo := graph.COO{NumNodes: 5, Src: []int32{0, 1, 2, 4}, Dst: []int32{1, 2, 3, 2}}
	csc := coo.ToCSC()
	src, err := sampling.FromCSC(&csc, nil, nil)
	if err != nil {
		panic(err)
	}
	return src
}

func ExampleNeighborSampler() {
	hop, _ := sampling.NewLocalHopSampler(exampleSource(), nil)
	s, _ := sampling.NewNeighborSampler(hop, sampling.NeighborOptions{Fanouts: []int{-1, -1}})
	var out sampling.Output
	if err := s.Sample(context.Background(), []int32{3}, nil, sampling.BatchSeed(1, 0, 0), &out); err != nil {
		panic(err)
	}
	row, col := out.EdgeIndex()
	fmt.Println("n_id:", out.NID, "batch_size:", out.BatchSize)
	fmt.Println("edge_index:", row, col, "e_id:", out.EID)
	fmt.Println("nodes per hop:", out.NumSampledNodes, "edges per hop:", out.NumSampledEdges)
	last := out.Layer(1) // the last layer only updates the seeds
	fmt.Printf("last layer: %dx%d, %d edges\n", last.Rows, last.Cols, last.NNZ())
	// Output:
	// n_id: [3 2 1 4] batch_size: 1
	// edge_index: [1 2 3] [0 1 1] e_id: [2 1 3]
	// nodes per hop: [1 1 2] edges per hop: [1 2]
	// last layer: 1x2, 1 edges
}

func ExampleNewGASLoader() {
	src := exampleSource()
	ptr := []int64{0, 2, 4, 5} // three partitions: {0,1}, {2,3}, {4}
	// Evaluation grouping (no shuffle): parts {0,1}, then {2}. Node 4 is
	// the halo of the first batch (it sends to node 2).
	l, _ := sampling.NewGASLoader(src, ptr, sampling.GASLoaderOptions{PartsPerBatch: 2})
	defer l.Close()
	ctx := context.Background()
	it := l.Epoch(ctx, 0)
	defer it.Close()
	for it.Next(ctx) {
		b := it.Batch()
		fmt.Println("n_id:", b.NID, "batch_size:", b.BatchSize, "offset:", b.Offset, "count:", b.Count,
			"adj:", b.Adj.Rows, "x", b.Adj.Cols)
	}
	// Output:
	// n_id: [0 1 2 3 4] batch_size: 4 offset: [0] count: [4] adj: 4 x 5
	// n_id: [4] batch_size: 1 offset: [4] count: [1] adj: 1 x 1
}
