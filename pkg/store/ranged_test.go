package store_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
)

// TestRanged: a graph cut into destination ranges over several stores
// answers like the whole graph in one store, for random queries with
// duplicates, empty ranges and weights.
func TestRanged(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(11, 12))
	const n, m = 500, 4000
	coo := graph.COO{NumNodes: n, Src: make([]int32, m), Dst: make([]int32, m), Weight: make([]float32, m)}
	for e := range coo.Src {
		coo.Src[e], coo.Dst[e], coo.Weight[e] = r.Int32N(n), r.Int32N(n), r.Float32()
	}
	et := store.DefaultEdgeType
	whole := memstore.Open()
	defer whole.Close()
	if err := whole.PutEdges(ctx, et, store.FromCOO(coo)); err != nil {
		t.Fatal(err)
	}
	csc := coo.ToCSC()
	for _, bounds := range [][]int64{{0, n}, {0, 100, 100, 350, n}, {0, 0, 250, n, n}} {
		readers := make([]store.NeighborReader, len(bounds)-1)
		for i := range readers {
			part := memstore.Open()
			defer part.Close()
			c := csc.MajorRange(int(bounds[i]), int(bounds[i+1]))
			if err := part.PutEdges(ctx, et, store.FromCSC(graph.CSC{Compressed: c})); err != nil {
				t.Fatal(err)
			}
			readers[i] = part
		}
		ranged, err := store.NewRanged(readers, bounds)
		if err != nil {
			t.Fatal(err)
		}
		info, err := ranged.EdgeInfo(ctx, et)
		if err != nil || info.NumNodes != n || info.NumEdges != m || !info.Weighted {
			t.Fatalf("%v: EdgeInfo %+v, %v", bounds, info, err)
		}
		var got, want graph.Adjacency
		for q := 0; q < 20; q++ {
			nodes := make([]int32, r.IntN(300))
			for i := range nodes {
				nodes[i] = r.Int32N(n)
			}
			if err := ranged.Neighbors(ctx, et, nodes, &got); err != nil {
				t.Fatal(err)
			}
			if err := whole.Neighbors(ctx, et, nodes, &want); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Indptr, want.Indptr) || !slices.Equal(got.Nbrs, want.Nbrs) ||
				!slices.Equal(got.EdgeID, want.EdgeID) || !slices.Equal(got.Weight, want.Weight) {
				t.Fatalf("%v: answers differ for %v", bounds, nodes)
			}
		}
		err = ranged.Neighbors(ctx, et, []int32{3, n}, &got)
		var se *store.Error
		if !errors.Is(err, store.ErrOutOfRange) || !errors.As(err, &se) || se.Row != n {
			t.Fatalf("%v: node %d: %v, want ErrOutOfRange naming it", bounds, n, err)
		}
	}
	if _, err := store.NewRanged([]store.NeighborReader{whole}, []int64{1, n}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("bounds not from 0: %v", err)
	}
}
