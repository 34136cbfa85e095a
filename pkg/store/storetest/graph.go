package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// RunGraph runs every graph-store check on stores made by newStore.
func RunGraph(t *testing.T, newStore func(t *testing.T) GraphStore) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s GraphStore)
	}{
		{"NeighborsMatchBruteForce", testNeighbors},
		{"LayoutsRoundTrip", testLayouts},
		{"PutAnyLayoutSameAnswers", testPutLayouts},
		{"EdgeTypesAndInfo", testEdgeTypes},
		{"ReplaceAndDrop", testReplaceDrop},
		{"InvalidEdgeIndexChangesNothing", testInvalidEdges},
		{"OutOfRangeNodes", testNodeRange},
		{"NotRetainedNotAliased", testEdgesNotAliased},
		{"EmptyAndIsolated", testEmptyGraph},
		{"NeighborView", testView},
		{"Cancellation", testGraphCancel},
		{"ConcurrentReadersDuringReplace", testGraphConcurrency},
		{"Closed", testGraphClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

var etCites = store.EdgeType{Src: "paper", Rel: "cites", Dst: "paper"}

// checkNeighbors queries nodes and compares with the brute-force answer,
// including the presence of weights and times.
func checkNeighbors(t *testing.T, s store.NeighborReader, et store.EdgeType, ei store.EdgeIndex, nodes []int32) {
	t.Helper()
	var adj graph.Adjacency
	adj.Weight = []float32{9} // stale content must be cleared
	adj.Time = []int64{9}
	noErr(t, "neighbors", s.Neighbors(ctx(t), et, nodes, &adj))
	if msg := compareAdj(nodes, &adj, bruteIn(ei)); msg != "" {
		t.Fatal(msg)
	}
	weighted := (ei.Layout == store.COO && ei.COO.Weight != nil) || (ei.Layout != store.COO && ei.Compressed.Weight != nil)
	if wantW := int64(0); weighted {
		wantW = int64(len(adj.Nbrs))
		if int64(len(adj.Weight)) != wantW {
			t.Fatalf("weighted edges: %d weights for %d neighbours", len(adj.Weight), len(adj.Nbrs))
		}
	} else if len(adj.Weight) != 0 {
		t.Fatalf("unweighted edges: answer has %d weights", len(adj.Weight))
	}
	if wantT := len(adj.Nbrs); ei.Time != nil && len(adj.Time) != wantT {
		t.Fatalf("timed edges: %d times for %d neighbours", len(adj.Time), wantT)
	} else if ei.Time == nil && len(adj.Time) != 0 {
		t.Fatalf("untimed edges: answer has %d times", len(adj.Time))
	}
}

func testNeighbors(t *testing.T, s GraphStore) {
	r := newRand(t)
	for _, c := range []struct {
		n, m            int
		weighted, timed bool
	}{{1, 0, false, false}, {5, 20, true, false}, {200, 3000, false, true}, {2000, 20000, true, true}} {
		t.Run(fmt.Sprintf("n%d_m%d_w%v_t%v", c.n, c.m, c.weighted, c.timed), func(t *testing.T) {
			ei := randomEdges(r, c.n, c.m, c.weighted, c.timed)
			noErr(t, "put", s.PutEdges(ctx(t), etCites, ei))
			checkNeighbors(t, s, etCites, ei, randomNodes(r, c.n, 300))
			all := make([]int32, c.n)
			for i := range all {
				all[i] = int32(c.n - 1 - i)
			}
			checkNeighbors(t, s, etCites, ei, all)
		})
	}
}

func testLayouts(t *testing.T, s GraphStore) {
	r := newRand(t)
	ei := randomEdges(r, 60, 400, true, true)
	noErr(t, "put", s.PutEdges(ctx(t), etCites, ei))
	want := map[store.Layout]store.EdgeIndex{
		store.COO: sortedCOO(ei),
		store.CSR: bruteCompressed(ei, false),
		store.CSC: bruteCompressed(ei, true),
	}
	for _, l := range []store.Layout{store.COO, store.CSR, store.CSC} {
		got, err := s.GetEdges(ctx(t), etCites, l)
		noErr(t, "get "+l.String(), err)
		if msg := equalIndex(got, want[l]); msg != "" {
			t.Fatalf("GetEdges(%v): %s", l, msg)
		}
	}
	_, err := s.GetEdges(ctx(t), etCites, store.Layout(7))
	wantErr(t, "unknown layout", err, store.ErrInvalid, store.NoRow)
}

func testPutLayouts(t *testing.T, s GraphStore) {
	r := newRand(t)
	coo := randomEdges(r, 80, 600, true, true)
	nodes := randomNodes(r, 80, 200)
	for _, l := range []store.Layout{store.COO, store.CSR, store.CSC} {
		ei := coo
		if l != store.COO {
			ei = bruteCompressed(coo, l == store.CSC)
		}
		et := store.EdgeType{Src: "a", Rel: l.String(), Dst: "b"}
		noErr(t, "put "+l.String(), s.PutEdges(ctx(t), et, ei))
		checkNeighbors(t, s, et, ei, nodes)
		got, err := s.GetEdges(ctx(t), et, l)
		noErr(t, "get", err)
		if l != store.COO { // compressed layouts come back exactly as put
			if msg := equalIndex(got, ei); msg != "" {
				t.Fatalf("put %v, get %v: %s", l, l, msg)
			}
		}
	}
}

func testEdgeTypes(t *testing.T, s GraphStore) {
	r := newRand(t)
	types := []store.EdgeType{
		{Src: "paper", Rel: "cites", Dst: "paper"},
		{Src: "author", Rel: "writes", Dst: "paper"},
		store.DefaultEdgeType,
	}
	var want []store.EdgeInfo
	for i, et := range types {
		ei := randomEdges(r, 10+i, 30*i, i == 1, i == 2)
		noErr(t, "put", s.PutEdges(ctx(t), et, ei))
		want = append(want, store.EdgeInfo{Type: et, NumNodes: 10 + i, NumEdges: int64(30 * i), Weighted: i == 1, Timed: i == 2})
	}
	for _, w := range want {
		got, err := s.EdgeInfo(ctx(t), w.Type)
		noErr(t, "edge info", err)
		if got != w {
			t.Fatalf("EdgeInfo = %+v, want %+v", got, w)
		}
	}
	got, err := s.EdgeTypes(ctx(t))
	noErr(t, "edge types", err)
	slices.SortFunc(want, func(a, b store.EdgeInfo) int {
		return cmpString(a.Type.String(), b.Type.String())
	})
	if !slices.Equal(got, want) {
		t.Fatalf("EdgeTypes = %+v, want %+v (sorted)", got, want)
	}
	bad := store.EdgeType{Src: "a", Rel: "", Dst: "b"}
	wantErr(t, "put with empty relation", s.PutEdges(ctx(t), bad, randomEdges(r, 3, 3, false, false)), store.ErrInvalid, store.NoRow)
}

func testReplaceDrop(t *testing.T, s GraphStore) {
	r := newRand(t)
	a := randomEdges(r, 50, 300, true, false)
	b := randomEdges(r, 70, 100, false, true)
	noErr(t, "put a", s.PutEdges(ctx(t), etCites, a))
	other := randomEdges(r, 20, 40, false, false)
	noErr(t, "put other", s.PutEdges(ctx(t), store.DefaultEdgeType, other))
	noErr(t, "put b", s.PutEdges(ctx(t), etCites, b))
	info, err := s.EdgeInfo(ctx(t), etCites)
	noErr(t, "info", err)
	if info.NumNodes != 70 || info.NumEdges != 100 || info.Weighted || !info.Timed {
		t.Fatalf("after replace, EdgeInfo = %+v", info)
	}
	checkNeighbors(t, s, etCites, b, randomNodes(r, 70, 100))
	noErr(t, "drop", s.DropEdges(ctx(t), etCites))
	var adj graph.Adjacency
	wantErr(t, "neighbors after drop", s.Neighbors(ctx(t), etCites, []int32{0}, &adj), store.ErrNotFound, store.NoRow)
	_, err = s.GetEdges(ctx(t), etCites, store.CSC)
	wantErr(t, "get after drop", err, store.ErrNotFound, store.NoRow)
	_, err = s.EdgeInfo(ctx(t), etCites)
	wantErr(t, "info after drop", err, store.ErrNotFound, store.NoRow)
	wantErr(t, "drop twice", s.DropEdges(ctx(t), etCites), store.ErrNotFound, store.NoRow)
	checkNeighbors(t, s, store.DefaultEdgeType, other, randomNodes(r, 20, 30))
	noErr(t, "put again", s.PutEdges(ctx(t), etCites, a))
	checkNeighbors(t, s, etCites, a, randomNodes(r, 50, 100))
}

func testInvalidEdges(t *testing.T, s GraphStore) {
	r := newRand(t)
	good := randomEdges(r, 30, 100, true, true)
	noErr(t, "put", s.PutEdges(ctx(t), etCites, good))
	mk := func(f func(ei *store.EdgeIndex)) store.EdgeIndex {
		ei := randomEdges(rand.New(rand.NewPCG(1, 2)), 10, 20, true, true)
		f(&ei)
		return ei
	}
	tests := []struct {
		name string
		ei   store.EdgeIndex
	}{
		{"source out of range", mk(func(ei *store.EdgeIndex) { ei.COO.Src[3] = 10 })},
		{"negative destination", mk(func(ei *store.EdgeIndex) { ei.COO.Dst[4] = -1 })},
		{"length mismatch", mk(func(ei *store.EdgeIndex) { ei.COO.Dst = ei.COO.Dst[:5] })},
		{"weights mismatch", mk(func(ei *store.EdgeIndex) { ei.COO.Weight = ei.COO.Weight[:3] })},
		{"times mismatch", mk(func(ei *store.EdgeIndex) { ei.Time = ei.Time[:3] })},
		{"ids mismatch", mk(func(ei *store.EdgeIndex) { ei.COO.EdgeID = ei.COO.EdgeID[:3] })},
		{"negative id", mk(func(ei *store.EdgeIndex) { ei.COO.EdgeID[0] = -5 })},
		{"negative nodes", mk(func(ei *store.EdgeIndex) { ei.COO.NumNodes = -1 })},
		{"unknown layout", mk(func(ei *store.EdgeIndex) { ei.Layout = 9 })},
		{"csr bad indptr", store.EdgeIndex{Layout: store.CSR, Compressed: graph.Compressed{NumNodes: 2, Indptr: []int64{0, 2, 1}, Indices: []int32{0}}}},
		{"csc index out of range", store.EdgeIndex{Layout: store.CSC, Compressed: graph.Compressed{NumNodes: 2, Indptr: []int64{0, 1, 1}, Indices: []int32{2}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "put", s.PutEdges(ctx(t), etCites, tt.ei), store.ErrInvalid, store.NoRow)
			checkNeighbors(t, s, etCites, good, randomNodes(r, 30, 40))
		})
	}
}

func testNodeRange(t *testing.T, s GraphStore) {
	r := newRand(t)
	ei := randomEdges(r, 30, 100, false, false)
	noErr(t, "put", s.PutEdges(ctx(t), etCites, ei))
	for _, bad := range []int32{30, -1, 1 << 30} {
		adj := graph.Adjacency{Indptr: []int64{0, 1}, Nbrs: []int32{7}, EdgeID: []int64{7}}
		err := s.Neighbors(ctx(t), etCites, []int32{0, bad}, &adj)
		wantErr(t, "neighbors", err, store.ErrOutOfRange, int64(bad))
		if adj.Len() != 1 || adj.Nbrs[0] != 7 {
			t.Fatalf("failed lookup changed dst: %+v", adj)
		}
	}
	wantErr(t, "nil dst", s.Neighbors(ctx(t), etCites, []int32{0}, nil), store.ErrShape, store.NoRow)
}

func testEdgesNotAliased(t *testing.T, s GraphStore) {
	r := newRand(t)
	ei := randomEdges(r, 40, 200, true, true)
	orig := sortedCOO(ei)
	put := sortedCOO(ei)
	put.COO = graph.COO{NumNodes: ei.COO.NumNodes, Src: slices.Clone(ei.COO.Src), Dst: slices.Clone(ei.COO.Dst),
		EdgeID: slices.Clone(ei.COO.EdgeID), Weight: slices.Clone(ei.COO.Weight)}
	put.Time = slices.Clone(ei.Time)
	noErr(t, "put", s.PutEdges(ctx(t), etCites, ei))
	for i := range ei.COO.Src { // the caller's arrays are not retained
		ei.COO.Src[i], ei.COO.EdgeID[i], ei.COO.Weight[i], ei.Time[i] = 0, 0, 0, 0
	}
	got, err := s.GetEdges(ctx(t), etCites, store.COO)
	noErr(t, "get", err)
	if msg := equalIndex(got, orig); msg != "" {
		t.Fatalf("store kept the caller's arrays: %s", msg)
	}
	for _, l := range []store.Layout{store.COO, store.CSR, store.CSC} {
		got, err := s.GetEdges(ctx(t), etCites, l)
		noErr(t, "get", err)
		if l == store.COO {
			clear(got.COO.Src)
			clear(got.COO.EdgeID)
		} else {
			clear(got.Compressed.Indices)
			clear(got.Compressed.Indptr)
			clear(got.Compressed.EdgeID)
			clear(got.Compressed.Weight)
		}
		clear(got.Time)
	}
	got, _ = s.GetEdges(ctx(t), etCites, store.COO)
	if msg := equalIndex(got, orig); msg != "" {
		t.Fatalf("GetEdges results alias the store: %s", msg)
	}
	nodes := randomNodes(r, 40, 20)
	var adj graph.Adjacency
	noErr(t, "neighbors", s.Neighbors(ctx(t), etCites, nodes, &adj))
	clear(adj.Nbrs)
	clear(adj.EdgeID)
	clear(adj.Weight)
	checkNeighbors(t, s, etCites, put, nodes)
}

func testEmptyGraph(t *testing.T, s GraphStore) {
	empty := store.FromCOO(graph.COO{NumNodes: 0})
	noErr(t, "put empty", s.PutEdges(ctx(t), etCites, empty))
	var adj graph.Adjacency
	noErr(t, "neighbors of no nodes", s.Neighbors(ctx(t), etCites, nil, &adj))
	if adj.Len() != 0 {
		t.Fatalf("answer for no nodes has %d entries", adj.Len())
	}
	got, err := s.GetEdges(ctx(t), etCites, store.CSR)
	noErr(t, "get", err)
	if got.NumNodes() != 0 || got.NumEdges() != 0 {
		t.Fatalf("empty graph came back as %d nodes, %d edges", got.NumNodes(), got.NumEdges())
	}
	isolated := store.FromCOO(graph.COO{NumNodes: 1000, Src: []int32{999, 0}, Dst: []int32{0, 999}})
	noErr(t, "put isolated", s.PutEdges(ctx(t), etCites, isolated))
	checkNeighbors(t, s, etCites, isolated, []int32{0, 1, 500, 998, 999, 999})
}

func testView(t *testing.T, s GraphStore) {
	r := newRand(t)
	ei := randomEdges(r, 90, 500, true, false)
	noErr(t, "put", s.PutEdges(ctx(t), etCites, ei))
	v, err := store.View(ctx(t), s, etCites)
	noErr(t, "view", err)
	if v.NumNodes() != 90 {
		t.Fatalf("view NumNodes = %d, want 90", v.NumNodes())
	}
	nodes := randomNodes(r, 90, 64)
	var adj graph.Adjacency
	noErr(t, "view neighbors", v.Neighbors(ctx(t), nodes, &adj))
	if msg := compareAdj(nodes, &adj, bruteIn(ei)); msg != "" {
		t.Fatal(msg)
	}
	_, err = store.View(ctx(t), s, store.EdgeType{Src: "no", Rel: "such", Dst: "type"})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("view of unknown type: %v", err)
	}
}

func testGraphCancel(t *testing.T, s GraphStore) {
	r := newRand(t)
	a := randomEdges(r, 20, 50, false, false)
	noErr(t, "put", s.PutEdges(ctx(t), etCites, a))
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	var adj graph.Adjacency
	wantErr(t, "neighbors", s.Neighbors(c, etCites, []int32{1}, &adj), context.Canceled, store.NoRow)
	wantErr(t, "put", s.PutEdges(c, etCites, randomEdges(r, 20, 10, false, false)), context.Canceled, store.NoRow)
	wantErr(t, "drop", s.DropEdges(c, etCites), context.Canceled, store.NoRow)
	_, err := s.GetEdges(c, etCites, store.COO)
	wantErr(t, "get", err, context.Canceled, store.NoRow)
	checkNeighbors(t, s, etCites, a, randomNodes(r, 20, 20))
}

func testGraphClosed(t *testing.T, s GraphStore) {
	r := newRand(t)
	noErr(t, "put", s.PutEdges(ctx(t), etCites, randomEdges(r, 5, 5, false, false)))
	noErr(t, "close", s.Close())
	var adj graph.Adjacency
	c := ctx(t)
	wantErr(t, "neighbors", s.Neighbors(c, etCites, []int32{1}, &adj), store.ErrClosed, store.NoRow)
	wantErr(t, "put", s.PutEdges(c, etCites, randomEdges(r, 5, 5, false, false)), store.ErrClosed, store.NoRow)
	wantErr(t, "drop", s.DropEdges(c, etCites), store.ErrClosed, store.NoRow)
	_, err := s.GetEdges(c, etCites, store.COO)
	wantErr(t, "get", err, store.ErrClosed, store.NoRow)
	_, err = s.EdgeTypes(c)
	wantErr(t, "edge types", err, store.ErrClosed, store.NoRow)
	_, err = s.EdgeInfo(c, etCites)
	wantErr(t, "edge info", err, store.ErrClosed, store.NoRow)
}
