package storetest

import (
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// RunDurable checks what a durable backend promises beyond Run: data,
// removals, drops and edge indexes survive Close and reopen, and ids of
// dropped attributes never resurface. newStorage must return an opener
// bound to fresh, empty storage; every call of the opener opens that same
// storage (the suite closes one store before opening the next).
func RunDurable(t *testing.T, newStorage func(t *testing.T) (open func() Store)) {
	t.Helper()
	t.Run("FeaturesSurviveReopen", func(t *testing.T) { testDurableFeatures(t, newStorage(t)) })
	t.Run("EdgesSurviveReopen", func(t *testing.T) { testDurableEdges(t, newStorage(t)) })
}

func reopen(t *testing.T, s Store, open func() Store) Store {
	t.Helper()
	noErr(t, "close", s.Close())
	return open()
}

func testDurableFeatures(t *testing.T, open func() Store) {
	r := newRand(t)
	s := open()
	x := create(t, s, keyX, 700, 5)
	fill(t, r, s, x, 0.8)
	y := create(t, s, keyY, 100, 3)
	fill(t, r, s, y, 1)
	h := create(t, s, keyH, 10, 1)
	fill(t, r, s, h, 1)
	rm := []int64{0, 1, 2, 699, 350}
	noErr(t, "remove", s.Remove(ctx(t), keyX, rm))
	for _, id := range rm {
		delete(x.rows, id)
	}
	noErr(t, "drop", s.Drop(ctx(t), keyH))

	s = reopen(t, s, open)
	verify(t, r, s, x)
	verify(t, r, s, y)
	if _, err := s.Info(ctx(t), keyH); err == nil {
		t.Fatal("dropped attribute came back after reopen")
	}
	as, err := s.Attrs(ctx(t))
	noErr(t, "attrs", err)
	if len(as) != 2 || as[0] != x.info || as[1] != y.info {
		t.Fatalf("after reopen Attrs = %+v", as)
	}
	// A new attribute of the dropped name starts empty.
	h = create(t, s, keyH, 10, 1)
	err = s.Get(ctx(t), keyH, []int64{3}, tensor.New(1, 1))
	wantErr(t, "row of a dropped attribute", err, store.ErrNotFound, 3)
	fill(t, r, s, x, 0.2)
	fill(t, r, s, h, 0.5)

	s = reopen(t, s, open)
	verify(t, r, s, x)
	verify(t, r, s, y)
	verify(t, r, s, h)
	noErr(t, "final close", s.Close())
}

func testDurableEdges(t *testing.T, open func() Store) {
	r := newRand(t)
	s := open()
	a := randomEdges(r, 300, 3000, true, true)
	b := randomEdges(r, 50, 200, false, false)
	c := randomEdges(r, 40, 100, true, false)
	noErr(t, "put a", s.PutEdges(ctx(t), etCites, a))
	noErr(t, "put b", s.PutEdges(ctx(t), store.DefaultEdgeType, b))
	other := store.EdgeType{Src: "a", Rel: "r", Dst: "b"}
	noErr(t, "put other", s.PutEdges(ctx(t), other, c))
	noErr(t, "drop other", s.DropEdges(ctx(t), other))
	noErr(t, "replace b", s.PutEdges(ctx(t), store.DefaultEdgeType, c))

	s = reopen(t, s, open)
	checkNeighbors(t, s, etCites, a, randomNodes(r, 300, 500))
	checkNeighbors(t, s, store.DefaultEdgeType, c, randomNodes(r, 40, 100))
	var adj graph.Adjacency
	wantErr(t, "dropped edge type", s.Neighbors(ctx(t), other, []int32{0}, &adj), store.ErrNotFound, store.NoRow)
	got, err := s.GetEdges(ctx(t), etCites, store.COO)
	noErr(t, "get edges", err)
	if msg := equalIndex(got, sortedCOO(a)); msg != "" {
		t.Fatalf("edges after reopen: %s", msg)
	}
	types, err := s.EdgeTypes(ctx(t))
	noErr(t, "edge types", err)
	if len(types) != 2 {
		t.Fatalf("after reopen EdgeTypes = %+v", types)
	}
	noErr(t, "final close", s.Close())
}
