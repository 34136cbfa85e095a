package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// downStore is a replica whose server is unreachable.
type downStore struct {
	store.FeatureStore
	store.GraphStore
	calls int
}

func (d *downStore) err() error {
	d.calls++
	return &store.Error{Op: "get", Row: store.NoRow, Err: store.ErrUnavailable}
}

func (d *downStore) Get(context.Context, store.Key, []int64, *tensor.Dense) error { return d.err() }
func (d *downStore) Info(context.Context, store.Key) (store.AttrInfo, error) {
	return store.AttrInfo{}, d.err()
}
func (d *downStore) Neighbors(context.Context, store.EdgeType, []int32, *graph.Adjacency) error {
	return d.err()
}

// TestReplicated: reads fail over from an unavailable replica to a live
// one, every time; other errors do not fail over; writes reach every
// replica and stop at a dead one.
func TestReplicated(t *testing.T) {
	ctx := context.Background()
	key := store.Key{Name: "x"}
	live := memstore.Open()
	defer live.Close()
	if err := live.Create(ctx, store.AttrInfo{Key: key, Rows: 4, Cols: 1}); err != nil {
		t.Fatal(err)
	}
	if err := live.Put(ctx, key, []int64{2}, tensor.FromSlice(1, 1, []float32{7})); err != nil {
		t.Fatal(err)
	}
	coo := graph.COO{NumNodes: 3, Src: []int32{0}, Dst: []int32{2}}
	if err := live.PutEdges(ctx, store.DefaultEdgeType, store.FromCOO(coo)); err != nil {
		t.Fatal(err)
	}
	down := &downStore{}
	failovers := 0
	fs := store.NewReplicatedFeatures(func(int, error) { failovers++ }, down, live)
	gs := store.NewReplicatedGraph(nil, down, live)
	for i := 0; i < 4; i++ {
		dst := tensor.New(1, 1)
		if err := fs.Get(ctx, key, []int64{2}, dst); err != nil || dst.Data[0] != 7 {
			t.Fatalf("get %d: %v %v", i, dst.Data, err)
		}
		var adj graph.Adjacency
		if err := gs.Neighbors(ctx, store.DefaultEdgeType, []int32{2}, &adj); err != nil || len(adj.Nbrs) != 1 {
			t.Fatalf("neighbors %d: %v %v", i, adj, err)
		}
	}
	if down.calls == 0 || down.calls > 2 {
		t.Errorf("the dead replica was asked %d times in 8 reads: want at least once, then skipped while marked down", down.calls)
	}
	if failovers == 0 {
		t.Error("no failover reported")
	}
	if err := fs.Get(ctx, key, []int64{1}, tensor.New(1, 1)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("absent row: %v, want ErrNotFound from the live replica", err)
	}
	alone := store.NewReplicatedFeatures(nil, down)
	if err := alone.Get(ctx, key, []int64{2}, tensor.New(1, 1)); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("all replicas down: %v, want ErrUnavailable", err)
	}
	other := memstore.Open()
	defer other.Close()
	both := store.NewReplicatedFeatures(nil, live, other)
	k2 := store.Key{Name: "y"}
	if err := both.Create(ctx, store.AttrInfo{Key: k2, Rows: 2, Cols: 1}); err != nil {
		t.Fatal(err)
	}
	if err := both.Put(ctx, k2, []int64{0}, tensor.FromSlice(1, 1, []float32{3})); err != nil {
		t.Fatal(err)
	}
	for _, s := range []store.FeatureStore{live, other} {
		dst := tensor.New(1, 1)
		if err := s.Get(ctx, k2, []int64{0}, dst); err != nil || dst.Data[0] != 3 {
			t.Fatalf("a replica missed the write: %v %v", dst.Data, err)
		}
	}
}

// TestReplicaSetDown: a replica marked down gets no read while another
// replica is there, is still the last resort, and gets reads again once
// marked up; an index out of range is an error.
func TestReplicaSetDown(t *testing.T) {
	ctx := context.Background()
	key := store.Key{Name: "x"}
	a, b := &downStore{}, &downStore{}
	failovers := 0
	fs := store.NewReplicatedFeatures(func(int, error) { failovers++ }, a, b)
	gs := store.NewReplicatedGraph(nil, a, b)
	if err := fs.SetDown(0, true); err != nil {
		t.Fatal(err)
	}
	if err := gs.SetDown(0, true); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		_ = fs.Get(ctx, key, []int64{0}, tensor.New(1, 1))
	}
	// Both are dead here, so each read also tries a, last.
	if a.calls != 4 || b.calls != 4 || failovers != 8 {
		t.Fatalf("calls a %d b %d failovers %d, want 4, 4, 8 (b first every time)", a.calls, b.calls, failovers)
	}
	live := memstore.Open()
	defer live.Close()
	if err := live.Create(ctx, store.AttrInfo{Key: key, Rows: 1, Cols: 1}); err != nil {
		t.Fatal(err)
	}
	fs = store.NewReplicatedFeatures(nil, a, live)
	a.calls = 0
	if err := fs.SetDown(0, true); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if _, err := fs.Info(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	if a.calls != 0 {
		t.Fatalf("replica marked down read %d times", a.calls)
	}
	if err := fs.SetDown(0, false); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if _, err := fs.Info(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	if a.calls == 0 {
		t.Fatal("replica marked up again got no read")
	}
	for _, i := range []int{-1, 2} {
		if err := fs.SetDown(i, true); err == nil {
			t.Errorf("SetDown(%d) on 2 replicas succeeded", i)
		}
		if err := gs.SetDown(i, true); err == nil {
			t.Errorf("graph SetDown(%d) on 2 replicas succeeded", i)
		}
	}
}
