package rpc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpctest"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/store/storetest"
)

// serveGraph starts a graph server over a fresh memory store on a
// loopback TCP port and returns its address and the local store; the
// server stops at cleanup.
func serveGraph(t *testing.T) (string, *store.Graph) {
	t.Helper()
	local := store.NewGraph(memstore.New())
	t.Cleanup(func() { _ = local.Close() }) // after the server stops
	return rpctest.Serve(t, nil, local), local
}

func dialGraph(t *testing.T, addr string) *store.Graph {
	t.Helper()
	g, err := rpc.DialGraph(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

// TestGraphConformance: a remote graph store passes the same suite as the
// local backends.
func TestGraphConformance(t *testing.T) {
	storetest.RunGraph(t, func(t *testing.T) storetest.GraphStore {
		addr, _ := serveGraph(t)
		return dialGraph(t, addr)
	})
}

// TestGraphLargeTopology: a topology larger than one chunk streams both
// ways intact.
func TestGraphLargeTopology(t *testing.T) {
	ctx := context.Background()
	addr, local := serveGraph(t)
	remote := dialGraph(t, addr)
	const n, deg = 300_000, 3 // 900k entries: two chunks
	coo := graph.COO{NumNodes: n, Src: make([]int32, 0, n*deg), Dst: make([]int32, 0, n*deg)}
	for v := int32(0); v < n; v++ {
		for k := int32(1); k <= deg; k++ {
			coo.Src = append(coo.Src, (v*7+k*13)%n)
			coo.Dst = append(coo.Dst, v)
		}
	}
	if err := remote.PutEdges(ctx, store.DefaultEdgeType, store.FromCOO(coo)); err != nil {
		t.Fatal(err)
	}
	want, err := local.GetEdges(ctx, store.DefaultEdgeType, store.CSC)
	if err != nil {
		t.Fatal(err)
	}
	got, err := remote.GetEdges(ctx, store.DefaultEdgeType, store.CSC)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Compressed.Indices) != n*deg || !equal(got.Compressed.Indptr, want.Compressed.Indptr) ||
		!equal(got.Compressed.Indices, want.Compressed.Indices) || !equal(got.Compressed.EdgeID, want.Compressed.EdgeID) {
		t.Fatal("topology differs after a round trip")
	}
	var a, b graph.Adjacency
	nodes := []int32{n - 1, 0, 5, 5, 123456}
	if err := remote.Neighbors(ctx, store.DefaultEdgeType, nodes, &a); err != nil {
		t.Fatal(err)
	}
	if err := local.Neighbors(ctx, store.DefaultEdgeType, nodes, &b); err != nil {
		t.Fatal(err)
	}
	if !equal(a.Indptr, b.Indptr) || !equal(a.Nbrs, b.Nbrs) || !equal(a.EdgeID, b.EdgeID) {
		t.Fatalf("neighbors differ: %v vs %v", a, b)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestStaleEdges: a handle opened before the edge type was replaced
// through another client reads the new topology (its new nodes once a
// read has noticed the replacement); after a drop it fails with
// ErrNotFound; after a new put it reads again.
func TestStaleEdges(t *testing.T) {
	ctx := context.Background()
	addr, _ := serveGraph(t)
	a, b := dialGraph(t, addr), dialGraph(t, addr)
	put := func(g *store.Graph, n int) {
		t.Helper()
		coo := graph.COO{NumNodes: n, Src: []int32{0}, Dst: []int32{int32(n - 1)}}
		if err := g.PutEdges(ctx, store.DefaultEdgeType, store.FromCOO(coo)); err != nil {
			t.Fatal(err)
		}
	}
	var adj graph.Adjacency
	neighbors := func(v int32) error { return a.Neighbors(ctx, store.DefaultEdgeType, []int32{v}, &adj) }
	put(a, 2)
	if err := neighbors(1); err != nil || len(adj.Nbrs) != 1 {
		t.Fatalf("neighbors: %v %v", adj, err)
	}
	put(b, 5)
	if err := neighbors(1); err != nil || len(adj.Nbrs) != 0 {
		t.Fatalf("neighbors after a replace through another client: %v %v", adj, err)
	}
	if err := neighbors(4); err != nil || len(adj.Nbrs) != 1 {
		t.Fatalf("neighbors after a replace through another client: %v %v", adj, err)
	}
	if err := b.DropEdges(ctx, store.DefaultEdgeType); err != nil {
		t.Fatal(err)
	}
	if err := neighbors(4); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("neighbors after a drop through another client: %v, want ErrNotFound", err)
	}
	put(b, 3)
	if err := neighbors(0); err != nil || len(adj.Nbrs) != 0 {
		t.Fatalf("neighbors after a new put: %v %v", adj, err)
	}
	if err := neighbors(2); err != nil || len(adj.Nbrs) != 1 {
		t.Fatalf("neighbors after a new put: %v %v", adj, err)
	}
}
