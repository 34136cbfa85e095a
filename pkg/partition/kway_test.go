package partition

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// checkKway recomputes every derived field of r from its partition and
// compares: degrees, neighbour-part lists, boundary set, weights, cut.
func checkKway(t *testing.T, r *kway) {
	t.Helper()
	g := r.g
	pw := make([]int64, r.k)
	var cut int64
	for v := int32(0); v < int32(g.n()); v++ {
		pv := r.part[v]
		pw[pv] += int64(g.vw[v])
		conn := map[int32]int32{}
		var id int32
		for e := g.xadj[v]; e < g.xadj[v+1]; e++ {
			p := r.part[g.adj[e]]
			if p == pv {
				id += g.w(e)
			} else {
				conn[p] += g.w(e)
			}
		}
		var ed int32
		for _, c := range conn {
			ed += c
		}
		cut += int64(ed)
		if r.id[v] != id || r.ed[v] != ed {
			t.Fatalf("vertex %d: id/ed %d/%d, want %d/%d", v, r.id[v], r.ed[v], id, ed)
		}
		got := map[int32]int32{}
		for _, x := range r.nbrs(v) {
			if x.c <= 0 || x.p == pv {
				t.Fatalf("vertex %d (part %d): bad entry %+v", v, pv, x)
			}
			if _, dup := got[x.p]; dup {
				t.Fatalf("vertex %d: part %d listed twice", v, x.p)
			}
			got[x.p] = x.c
		}
		if len(got) != len(conn) {
			t.Fatalf("vertex %d: list %v, want %v", v, got, conn)
		}
		for p, c := range conn {
			if got[p] != c {
				t.Fatalf("vertex %d: list %v, want %v", v, got, conn)
			}
		}
		if in := r.bndPos[v] >= 0; in != (ed > 0) || (in && r.bnd[r.bndPos[v]] != v) {
			t.Fatalf("vertex %d: boundary status wrong (ed %d, pos %d)", v, ed, r.bndPos[v])
		}
	}
	if !slices.Equal(pw, r.pw) {
		t.Fatalf("part weights %v, want %v", r.pw, pw)
	}
	if cut/2 != r.cut {
		t.Fatalf("cut %d, want %d", r.cut, cut/2)
	}
}

// TestKwayIncremental moves random vertices to random parts and checks
// the incrementally kept state against a recomputation after every move.
func TestKwayIncremental(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t, 11), 1))
	for _, k := range []int{2, 3, 9} {
		g := withWeights(randomGraph(t, 300, 900, 20, r), 3, 4, r)
		wg := &wgraph{xadj: g.Xadj, adj: g.Adjncy, adjw: g.EWgt, vw: g.VWgt, tvw: g.TotalVertexWeight()}
		part := make([]int32, g.NumNodes())
		for v := range part {
			part[v] = int32(r.IntN(k))
		}
		maxpw := slices.Repeat([]int64{wg.tvw}, k)
		kw := newKway(wg, k, part, maxpw)
		checkKway(t, kw)
		for i := 0; i < 2000; i++ {
			v := int32(r.IntN(g.NumNodes()))
			b := int32(r.IntN(k))
			if b == kw.part[v] {
				continue
			}
			kw.move(v, b)
			if i%50 == 0 {
				checkKway(t, kw)
			}
		}
		checkKway(t, kw)
		kw.greedy(5, r, slackFactor)
		checkKway(t, kw)
		kw.localFM(2, 20, r)
		checkKway(t, kw)
		kw.balance()
		checkKway(t, kw)
	}
}
