package graph_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/graph/graphtest"
)

type pair struct{ s, d int32 }

// inputs returns random edge lists with duplicates, loops and custom ids.
func inputs(t *testing.T) []graphtest.Case {
	seed := uint64(42)
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	withIDs := graphtest.RandomCOO(r, 30, 400, true)
	withIDs.EdgeID = make([]int64, len(withIDs.Src))
	for e := range withIDs.EdgeID {
		withIDs.EdgeID[e] = int64(1000 - 2*e)
	}
	return []graphtest.Case{
		{Name: "empty", Graph: graph.COO{NumNodes: 3}},
		{Name: "dense-small", Graph: graphtest.RandomCOO(r, 6, 60, false)},
		{Name: "weighted-ids", Graph: withIDs},
		{Name: "sparse", Graph: graphtest.RandomCOO(r, 3000, 9000, true)},
		{Name: "parallel", Graph: graphtest.RandomCOO(r, 20000, 200000, false)},
	}
}

func TestSymmetrize(t *testing.T) {
	for _, tc := range inputs(t) {
		t.Run(tc.Name, func(t *testing.T) {
			c := tc.Graph
			// Reference: for each unordered pair, the first position joining it.
			first := map[pair]int{}
			for e := range c.Src {
				k := pair{min(c.Src[e], c.Dst[e]), max(c.Src[e], c.Dst[e])}
				if _, ok := first[k]; !ok {
					first[k] = e
				}
			}
			var want []pair
			for k := range first {
				want = append(want, k)
				if k.s != k.d {
					want = append(want, pair{k.d, k.s})
				}
			}
			slices.SortFunc(want, cmpPair)
			got := graph.Symmetrize(c)
			if err := got.Validate(); err != nil {
				t.Fatal(err)
			}
			if len(got.Src) != len(want) {
				t.Fatalf("%d edges, want %d", len(got.Src), len(want))
			}
			for i, w := range want {
				if got.Src[i] != w.s || got.Dst[i] != w.d {
					t.Fatalf("edge %d = (%d,%d), want (%d,%d)", i, got.Src[i], got.Dst[i], w.s, w.d)
				}
				e := first[pair{min(w.s, w.d), max(w.s, w.d)}]
				if got.ID(int64(i)) != c.ID(int64(e)) {
					t.Fatalf("edge (%d,%d): id %d, want %d (position %d)", w.s, w.d, got.ID(int64(i)), c.ID(int64(e)), e)
				}
				if c.Weight != nil && got.Weight[i] != c.Weight[e] {
					t.Fatalf("edge (%d,%d): weight %g, want %g", w.s, w.d, got.Weight[i], c.Weight[e])
				}
			}
			// Idempotent up to ids.
			again := graph.Symmetrize(got)
			if !slices.Equal(again.Src, got.Src) || !slices.Equal(again.Dst, got.Dst) {
				t.Fatal("Symmetrize is not idempotent")
			}
		})
	}
}

func TestCoalesceAndSort(t *testing.T) {
	for _, tc := range inputs(t) {
		t.Run(tc.Name, func(t *testing.T) {
			c := tc.Graph
			type ref struct {
				p pair
				e int
			}
			all := make([]ref, len(c.Src))
			for e := range c.Src {
				all[e] = ref{pair{c.Src[e], c.Dst[e]}, e}
			}
			slices.SortStableFunc(all, func(a, b ref) int { return cmpPair(a.p, b.p) })
			s := graph.Sort(c)
			for i, r := range all {
				if s.Src[i] != r.p.s || s.Dst[i] != r.p.d || s.ID(int64(i)) != c.ID(int64(r.e)) {
					t.Fatalf("Sort entry %d = (%d,%d) id %d, want (%d,%d) id %d", i, s.Src[i], s.Dst[i], s.ID(int64(i)), r.p.s, r.p.d, c.ID(int64(r.e)))
				}
			}
			u := graph.Coalesce(c)
			all = slices.CompactFunc(all, func(a, b ref) bool { return a.p == b.p })
			if len(u.Src) != len(all) {
				t.Fatalf("Coalesce kept %d edges, want %d", len(u.Src), len(all))
			}
			for i, r := range all {
				if u.Src[i] != r.p.s || u.Dst[i] != r.p.d || u.ID(int64(i)) != c.ID(int64(r.e)) {
					t.Fatalf("Coalesce entry %d wrong", i)
				}
				if c.Weight != nil && u.Weight[i] != c.Weight[r.e] {
					t.Fatalf("Coalesce entry %d weight", i)
				}
			}
		})
	}
}

func TestSelfLoops(t *testing.T) {
	c := graph.COO{NumNodes: 4, Src: []int32{0, 1, 2, 2}, Dst: []int32{0, 2, 2, 3}, EdgeID: []int64{10, 11, 12, 13}}
	rm := graph.RemoveSelfLoops(c)
	if !slices.Equal(rm.Src, []int32{1, 2}) || !slices.Equal(rm.EdgeID, []int64{11, 13}) {
		t.Fatalf("RemoveSelfLoops = %+v", rm)
	}
	all := graph.AddSelfLoops(c, 1)
	if len(all.Src) != 8 || all.Weight != nil || !slices.Equal(all.EdgeID[4:], []int64{-1, -1, -1, -1}) || !slices.Equal(all.Src[4:], []int32{0, 1, 2, 3}) {
		t.Fatalf("AddSelfLoops = %+v", all)
	}
	rem := graph.AddRemainingSelfLoops(c, 2)
	if !slices.Equal(rem.Src[4:], []int32{1, 3}) || !slices.Equal(rem.Dst[4:], []int32{1, 3}) ||
		!slices.Equal(rem.Weight, []float32{1, 1, 1, 1, 2, 2}) || !slices.Equal(rem.EdgeID[:4], c.EdgeID) || rem.EdgeID[4] != graph.SelfLoopID {
		t.Fatalf("AddRemainingSelfLoops = %+v", rem)
	}
	if !slices.Equal(c.Src, []int32{0, 1, 2, 2}) {
		t.Fatal("input modified")
	}
}

func TestDegreesAndGCNNorm(t *testing.T) {
	for _, tc := range inputs(t) {
		t.Run(tc.Name, func(t *testing.T) {
			c := tc.Graph
			n := c.NumNodes
			in, out := graph.InDegree(c), graph.OutDegree(c)
			win, wout := graph.WeightedInDegree(c), graph.WeightedOutDegree(c)
			refIn, refOut := make([]int64, n), make([]int64, n)
			refWin := make([]float64, n)
			for e := range c.Src {
				refOut[c.Src[e]]++
				refIn[c.Dst[e]]++
				w := 1.0
				if c.Weight != nil {
					w = float64(c.Weight[e])
				}
				refWin[c.Dst[e]] += w
			}
			if !slices.Equal(in, refIn) || !slices.Equal(out, refOut) {
				t.Fatal("degrees differ from reference")
			}
			var sw float64
			for v := range n {
				if math.Abs(win[v]-refWin[v]) > 1e-9 {
					t.Fatalf("weighted in-degree of %d: %g, want %g", v, win[v], refWin[v])
				}
				sw += wout[v]
			}
			var sum float64
			for _, x := range refWin {
				sum += x
			}
			if math.Abs(sw-sum) > 1e-6*max(1, sum) {
				t.Fatalf("weighted degree sums differ: %g vs %g", sw, sum)
			}
			csr := c.ToCSR()
			if !slices.Equal(csr.Degrees(), refOut) {
				t.Fatal("CSR.Degrees differs")
			}
			if n > 3000 {
				return
			}
			// GCN normalisation against a dense float64 reference.
			a := make([]float64, n*n) // a[dst*n+src]
			hasLoop := make([]bool, n)
			for e := range c.Src {
				w := 1.0
				if c.Weight != nil {
					w = float64(c.Weight[e])
				}
				a[int(c.Dst[e])*n+int(c.Src[e])] += w
				if c.Src[e] == c.Dst[e] {
					hasLoop[c.Src[e]] = true
				}
			}
			for v := range n {
				if !hasLoop[v] {
					a[v*n+v] += 1
				}
			}
			deg := make([]float64, n)
			for d := range n {
				for s := range n {
					deg[d] += a[d*n+s]
				}
			}
			g := graph.GCNNorm(c)
			got := make([]float64, n*n)
			for e := range g.Src {
				got[int(g.Dst[e])*n+int(g.Src[e])] += float64(g.Weight[e])
			}
			for d := range n {
				for s := range n {
					want := 0.0
					if deg[d] > 0 && deg[s] > 0 {
						want = a[d*n+s] / math.Sqrt(deg[d]*deg[s])
					}
					if math.Abs(got[d*n+s]-want) > 1e-6 {
						t.Fatalf("norm[%d,%d] = %g, want %g", d, s, got[d*n+s], want)
					}
				}
			}
		})
	}
}

func TestInducedSubgraph(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, tc := range inputs(t) {
		c := tc.Graph
		bySrc := make([][]int, c.NumNodes)
		for e, s := range c.Src {
			bySrc[s] = append(bySrc[s], e)
		}
		for _, size := range []int{0, 1, c.NumNodes / 50, c.NumNodes / 2, c.NumNodes} {
			perm := r.Perm(c.NumNodes)[:size]
			nodes := make([]int32, size)
			local := map[int32]int32{}
			for i, v := range perm {
				nodes[i] = int32(v)
				local[int32(v)] = int32(i)
			}
			// Reference: kept edges in (position of src in nodes, input order).
			var want []graphtestEdge
			for _, v := range nodes {
				for _, e := range bySrc[v] {
					if j, ok := local[c.Dst[e]]; ok {
						want = append(want, graphtestEdge{local[v], j, c.ID(int64(e))})
					}
				}
			}
			csr := c.ToCSR()
			sub, err := graph.InducedSubgraph(&csr, nodes)
			if err != nil {
				t.Fatal(err)
			}
			if err := sub.Graph.Validate(); err != nil {
				t.Fatal(err)
			}
			coo := sub.Graph.ToCOO()
			if len(coo.Src) != len(want) || !slices.Equal(sub.Nodes, nodes) {
				t.Fatalf("%s size %d: %d edges, want %d", tc.Name, size, len(coo.Src), len(want))
			}
			for i, w := range want {
				if coo.Src[i] != w.s || coo.Dst[i] != w.d || coo.EdgeID[i] != w.id {
					t.Fatalf("%s size %d: edge %d = (%d,%d,%d), want %v", tc.Name, size, i, coo.Src[i], coo.Dst[i], coo.EdgeID[i], w)
				}
			}
			if size > 0 && sub.Local(nodes[size-1]) != int32(size-1) {
				t.Fatal("Local")
			}
			flat, err := graph.InducedSubgraphCOO(c, nodes)
			if err != nil {
				t.Fatal(err)
			}
			graphtest.SameEdges(t, coo, flat)
		}
	}
	c := graph.COO{NumNodes: 3, Src: []int32{0}, Dst: []int32{1}}
	csr := c.ToCSR()
	if _, err := graph.InducedSubgraph(&csr, []int32{0, 3}); err == nil || !contains(err.Error(), "node 3 at position 1 out of range") {
		t.Fatalf("err = %v", err)
	}
	if _, err := graph.InducedSubgraph(&csr, []int32{1, 0, 1}); err == nil || !contains(err.Error(), "node 1 repeated at positions 0 and 2") {
		t.Fatalf("err = %v", err)
	}
	if _, err := graph.InducedSubgraphCOO(c, []int32{-1}); err == nil {
		t.Fatal("negative node accepted")
	}
}

type graphtestEdge struct {
	s, d int32
	id   int64
}

func cmpPair(a, b pair) int {
	if a.s != b.s {
		return int(a.s) - int(b.s)
	}
	return int(a.d) - int(b.d)
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestMajorRange: the ranges of a partition of the nodes give back every
// node's entries exactly once, with their ids and weights, and nothing
// for the nodes outside each range.
func TestMajorRange(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, tc := range inputs(t) {
		t.Run(tc.Name, func(t *testing.T) {
			csc := tc.Graph.ToCSC()
			n := csc.NumNodes
			bounds := []int{0}
			for bounds[len(bounds)-1] < n {
				bounds = append(bounds, min(n, bounds[len(bounds)-1]+r.IntN(n/3+2)))
			}
			bounds = append(bounds, n, n) // an empty last range
			for i := 0; i+1 < len(bounds); i++ {
				lo, hi := bounds[i], bounds[i+1]
				part := csc.MajorRange(lo, hi)
				if part.NumNodes != n || len(part.Indptr) != n+1 || part.Indptr[0] != 0 {
					t.Fatalf("[%d, %d): %d nodes, %d offsets", lo, hi, part.NumNodes, len(part.Indptr))
				}
				for v := 0; v < n; v++ {
					got := part.Indices[part.Indptr[v]:part.Indptr[v+1]]
					var want []int32
					var wantIDs []int64
					if v >= lo && v < hi {
						want = csc.Indices[csc.Indptr[v]:csc.Indptr[v+1]]
						for k := csc.Indptr[v]; k < csc.Indptr[v+1]; k++ {
							id := k
							if csc.EdgeID != nil {
								id = csc.EdgeID[k]
							}
							wantIDs = append(wantIDs, id)
						}
					}
					if !slices.Equal(got, want) || !slices.Equal(part.EdgeID[part.Indptr[v]:part.Indptr[v+1]], wantIDs) {
						t.Fatalf("[%d, %d) node %d: %v ids %v, want %v ids %v", lo, hi, v, got,
							part.EdgeID[part.Indptr[v]:part.Indptr[v+1]], want, wantIDs)
					}
					if csc.Weight != nil && v >= lo && v < hi &&
						!slices.Equal(part.Weight[part.Indptr[v]:part.Indptr[v+1]], csc.Weight[csc.Indptr[v]:csc.Indptr[v+1]]) {
						t.Fatalf("[%d, %d) node %d: weights differ", lo, hi, v)
					}
				}
			}
		})
	}
}
