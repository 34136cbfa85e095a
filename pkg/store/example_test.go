package store_test

import (
	"context"
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func Example() {
	ctx := context.Background()
	s := memstore.Open() // or pebblestore.Open(dir, nil)
	defer s.Close()

	x := store.Key{Group: "paper", Name: "x"}
	_ = s.Create(ctx, store.AttrInfo{Key: x, Rows: 4, Cols: 2})
	_ = s.PutRange(ctx, x, 0, tensor.FromSlice(4, 2, []float32{0, 0, 1, 1, 2, 2, 3, 3}))

	dst := tensor.New(3, 2) // caller-owned, e.g. a pinned buffer
	_ = s.Get(ctx, x, []int64{3, 1, 3}, dst)
	fmt.Println(dst)

	err := s.Get(ctx, x, []int64{7}, tensor.New(1, 2))
	fmt.Println(err)

	_ = s.PutEdges(ctx, store.DefaultEdgeType, store.FromCOO(graph.COO{NumNodes: 3, Src: []int32{0, 1, 2}, Dst: []int32{2, 2, 0}}))
	src, _ := store.View(ctx, s, store.DefaultEdgeType) // a sampling.NeighborSource
	var adj graph.Adjacency
	_ = src.Neighbors(ctx, []int32{2, 0}, &adj)
	fmt.Println(adj.Of(0), adj.Of(1), adj.EdgeID)
	// Output:
	// [3 3; 1 1; 3 3]
	// store: get paper/x: row 7: out of range [0, 4) at ids[0]
	// [0 1] [2] [0 1 2]
}
