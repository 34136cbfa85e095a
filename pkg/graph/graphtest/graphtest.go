// Package graphtest is the conformance suite for anything that builds the
// compressed forms of package graph: a builder is a func from an edge list
// to a [graph.CSR] or [graph.CSC], and [TestCSRBuilder] / [TestCSCBuilder]
// run it over the same named cases (empty, isolated nodes, self loops,
// duplicates, a skewed star, non-identity edge ids, weights, a size that
// exercises parallel code) and check that it holds exactly the input's
// edges with their ids and weights, degree sums, round trips
// COO -> CSR -> CSC -> COO, transposes, and the ordering it promises.
// Modelled on gonum's graph/testgraph.
package graphtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// Case is one named input edge list.
type Case struct {
	Name  string
	Graph graph.COO
}

// RandomCOO returns m uniform random edges over n nodes (weights in [0, 1)
// if weighted), drawn from r.
func RandomCOO(r *rand.Rand, n, m int, weighted bool) graph.COO {
	c := graph.COO{NumNodes: n, Src: make([]int32, m), Dst: make([]int32, m)}
	if weighted {
		c.Weight = make([]float32, m)
	}
	for e := range m {
		c.Src[e] = int32(r.IntN(n))
		c.Dst[e] = int32(r.IntN(n))
		if weighted {
			c.Weight[e] = r.Float32()
		}
	}
	return c
}

// Cases returns the suite's inputs, deterministic in seed. With short set
// the large case is smaller.
func Cases(seed uint64, short bool) []Case {
	r := rand.New(rand.NewPCG(seed, 0x67726170))
	big := 100000 // above 2 * 2^15, so the builders run in parallel
	if short {
		big = 70000
	}
	star := graph.COO{NumNodes: 50}
	for i := range 400 {
		star.Src = append(star.Src, 0, int32(1+i%49))
		star.Dst = append(star.Dst, int32(1+i%49), 0)
	}
	ids := RandomCOO(r, 40, 300, true)
	ids.EdgeID = make([]int64, len(ids.Src))
	for e, p := range r.Perm(len(ids.Src)) {
		ids.EdgeID[e] = int64(p)*7 + 1000 // unique, unordered, not positions
	}
	dups := graph.COO{NumNodes: 4,
		Src: []int32{1, 1, 0, 1, 3, 1, 0, 2, 2},
		Dst: []int32{2, 2, 3, 0, 3, 2, 3, 2, 2},
	}
	return []Case{
		{"empty", graph.COO{}},
		{"no-edges", graph.COO{NumNodes: 5, Src: []int32{}, Dst: []int32{}}},
		{"single", graph.COO{NumNodes: 1, Src: []int32{0}, Dst: []int32{0}}},
		{"duplicates-and-loops", dups},
		{"isolated", graph.COO{NumNodes: 9, Src: []int32{7, 2, 7}, Dst: []int32{2, 7, 7}}},
		{"star", star},
		{"edge-ids", ids},
		{"random-weighted", RandomCOO(r, 200, 3000, true)},
		{"large", RandomCOO(r, 5000, big, false)},
	}
}

// Promise is what a builder guarantees beyond holding the edges.
type Promise struct {
	// Sorted: each node's entries are in ascending order of the other end.
	Sorted bool
	// Stable: entries of a node that tie (all of them if not Sorted; equal
	// other ends if Sorted) keep the input edge-list order.
	Stable bool
}

// TestCSRBuilder runs build over every case and checks the result.
func TestCSRBuilder(t *testing.T, build func(graph.COO) graph.CSR, p Promise) {
	for _, tc := range Cases(1, testing.Short()) {
		t.Run(tc.Name, func(t *testing.T) {
			g := build(tc.Graph)
			checkCompressed(t, tc.Graph, &g.Compressed, tc.Graph.Src, tc.Graph.Dst, p)
			back := g.ToCOO()
			SameEdges(t, tc.Graph, back)
			tr := g.Transpose()
			checkCompressed(t, tc.Graph, &tr.Compressed, tc.Graph.Dst, tc.Graph.Src, Promise{Sorted: true, Stable: p.Stable})
			round := tr.ToCOO()
			SameEdges(t, tc.Graph, round)
		})
	}
}

// TestCSCBuilder runs build over every case and checks the result.
func TestCSCBuilder(t *testing.T, build func(graph.COO) graph.CSC, p Promise) {
	for _, tc := range Cases(2, testing.Short()) {
		t.Run(tc.Name, func(t *testing.T) {
			g := build(tc.Graph)
			checkCompressed(t, tc.Graph, &g.Compressed, tc.Graph.Dst, tc.Graph.Src, p)
			back := g.ToCOO()
			SameEdges(t, tc.Graph, back)
			tr := g.Transpose()
			checkCompressed(t, tc.Graph, &tr.Compressed, tc.Graph.Src, tc.Graph.Dst, Promise{Sorted: true, Stable: p.Stable})
		})
	}
}

// checkCompressed checks that g indexes the edges of c by major (Src for a
// CSR, Dst for a CSC) with the given promise.
func checkCompressed(t *testing.T, c graph.COO, g *graph.Compressed, major, minor []int32, p Promise) {
	t.Helper()
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	if g.NumNodes != c.NumNodes || g.NumEdges() != c.NumEdges() {
		t.Fatalf("%d nodes %d edges, want %d and %d", g.NumNodes, g.NumEdges(), c.NumNodes, c.NumEdges())
	}
	pos := positions(c)
	deg := make([]int64, c.NumNodes)
	for _, v := range major {
		deg[v]++
	}
	var sum int64
	used := make([]bool, len(major))
	for v := range g.NumNodes {
		if d := g.Degree(int32(v)); d != deg[v] {
			t.Fatalf("node %d: degree %d, want %d", v, d, deg[v])
		}
		sum += g.Degree(int32(v))
		last := -1
		for k := g.Indptr[v]; k < g.Indptr[v+1]; k++ {
			id := g.ID(k)
			e, ok := pos(id)
			if !ok || used[e] {
				t.Fatalf("node %d entry %d: edge id %d unknown or used twice", v, k, id)
			}
			used[e] = true
			if major[e] != int32(v) || minor[e] != g.Indices[k] {
				t.Fatalf("node %d entry %d: (%d, %d) but edge id %d is (%d, %d)", v, k, v, g.Indices[k], id, major[e], minor[e])
			}
			if w := weight(c.Weight, e); g.Weight == nil && w != 1 || g.Weight != nil && g.Weight[k] != w {
				t.Fatalf("node %d entry %d: weight differs from edge %d's %g", v, k, id, w)
			}
			if k > g.Indptr[v] {
				prev := g.Indices[k-1]
				if p.Sorted && prev > g.Indices[k] {
					t.Fatalf("node %d: entries not sorted at %d (%d > %d)", v, k, prev, g.Indices[k])
				}
				tie := !p.Sorted || prev == g.Indices[k]
				if p.Stable && tie && e < last {
					t.Fatalf("node %d entry %d: edge at position %d after position %d: not stable", v, k, e, last)
				}
			}
			last = e
		}
	}
	if sum != c.NumEdges() {
		t.Fatalf("degree sum %d, want %d", sum, c.NumEdges())
	}
}

// positions returns a lookup from each edge id of c to its position.
func positions(c graph.COO) func(id int64) (int, bool) {
	if c.EdgeID == nil {
		return func(id int64) (int, bool) { return int(id), id >= 0 && id < int64(len(c.Src)) }
	}
	pos := make(map[int64]int, len(c.Src))
	for e := range c.Src {
		pos[c.ID(int64(e))] = e
	}
	return func(id int64) (int, bool) { e, ok := pos[id]; return e, ok }
}

func weight(w []float32, e int) float32 {
	if w == nil {
		return 1
	}
	return w[e]
}

// SameEdges fails t unless got holds the same multiset of (src, dst, id,
// weight) as want, in any order.
func SameEdges(t testing.TB, want, got graph.COO) {
	t.Helper()
	if got.NumNodes != want.NumNodes {
		t.Fatalf("%d nodes, want %d", got.NumNodes, want.NumNodes)
	}
	a, b := edgeKeys(want), edgeKeys(got)
	if len(a) != len(b) {
		t.Fatalf("%d edges, want %d", len(b), len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("edge sets differ: first difference %v vs %v", b[i], a[i])
		}
	}
}

type edgeKey struct {
	src, dst int32
	id       int64
	w        float32
}

func (k edgeKey) String() string {
	return fmt.Sprintf("(%d -> %d id %d w %g)", k.src, k.dst, k.id, k.w)
}

func edgeKeys(c graph.COO) []edgeKey {
	keys := make([]edgeKey, len(c.Src))
	for e := range c.Src {
		keys[e] = edgeKey{c.Src[e], c.Dst[e], c.ID(int64(e)), weight(c.Weight, e)}
	}
	slices.SortFunc(keys, func(x, y edgeKey) int {
		switch {
		case x.src != y.src:
			return int(x.src) - int(y.src)
		case x.dst != y.dst:
			return int(x.dst) - int(y.dst)
		case x.id != y.id:
			if x.id < y.id {
				return -1
			}
			return 1
		case x.w < y.w:
			return -1
		case x.w > y.w:
			return 1
		}
		return 0
	})
	return keys
}
