package partition

import (
	"math/rand/v2"
	"slices"
	"testing"
	"testing/quick"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func TestRenumberProperties(t *testing.T) {
	seed := testSeed(t, 11)
	r := rand.New(rand.NewPCG(seed, 2))
	check := func(n16 uint16, k8 uint8) bool {
		n, k := int(n16%2000), int(k8%40)+1
		part := make([]int32, n)
		for v := range part {
			part[v] = int32(r.IntN(k))
		}
		perm, ptr, err := Renumber(part, k)
		if err != nil || CheckPerm(perm, n) != nil || len(ptr) != k+1 || ptr[0] != 0 || ptr[k] != int64(n) {
			return false
		}
		book, err := NewBook(ptr)
		if err != nil {
			return false
		}
		inv := Inverse(perm)
		for v := 0; v < n; v++ {
			nv := inv[v]
			if perm[nv] != int32(v) || book.Owner(int64(nv)) != int(part[v]) {
				return false
			}
		}
		for p := 0; p < k; p++ { // contiguous, ascending old ids inside a part
			lo, hi := book.Range(p)
			if !slices.IsSorted(perm[lo:hi]) {
				return false
			}
		}
		return book.Owner(-1) == -1 && book.Owner(int64(n)) == -1
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 200, Rand: nil}); err != nil {
		t.Fatal(err)
	}
}

func TestRenumberErrors(t *testing.T) {
	if _, _, err := Renumber([]int32{0, 2}, 2); err == nil {
		t.Error("part out of range accepted")
	}
	if err := CheckPerm([]int32{0, 0}, 2); err == nil {
		t.Error("repeated entry accepted")
	}
	for _, ptr := range [][]int64{{0}, {1, 2}, {0, 3, 2}} {
		if _, err := NewBook(ptr); err == nil {
			t.Errorf("bad ptr %v accepted", ptr)
		}
	}
	b, _ := NewBook([]int64{0, 2, 2, 5})
	for v, want := range []int{0, 0, 2, 2, 2} {
		if got := b.Owner(int64(v)); got != want {
			t.Errorf("owner(%d) = %d, want %d (empty part 1 owns nothing)", v, got, want)
		}
	}
}

func TestPermuteDataset(t *testing.T) {
	ds := &dataset.Dataset{
		Name:       "toy",
		Graph:      graph.COO{NumNodes: 5, Src: []int32{0, 1, 2, 3, 4, 1}, Dst: []int32{1, 0, 3, 2, 0, 4}, Weight: []float32{1, 2, 3, 4, 5, 6}},
		Features:   tensor.FromSlice(5, 2, []float32{0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5}),
		Labels:     []int32{0, 1, 2, 0, 1},
		NumClasses: 3,
		Split:      dataset.Split{Name: "s", Train: []int32{0, 3}, Valid: []int32{1}, Test: []int32{2, 4}},
	}
	part := []int32{1, 0, 1, 0, 1}
	perm, ptr, err := Renumber(part, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(perm, []int32{1, 3, 0, 2, 4}) || !slices.Equal(ptr, []int64{0, 2, 5}) {
		t.Fatalf("perm %v ptr %v", perm, ptr)
	}
	out, err := PermuteDataset(ds, perm)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Validate(); err != nil {
		t.Fatal(err)
	}
	inv := Inverse(perm)
	for i, old := range perm {
		if out.Labels[i] != ds.Labels[old] || !slices.Equal(out.Features.Row(i), ds.Features.Row(int(old))) {
			t.Fatalf("new node %d does not carry old node %d's data", i, old)
		}
	}
	for e := range out.Graph.Src {
		id := out.Graph.EdgeID[e]
		if out.Graph.Src[e] != inv[ds.Graph.Src[id]] || out.Graph.Dst[e] != inv[ds.Graph.Dst[id]] || out.Graph.Weight[e] != ds.Graph.Weight[id] {
			t.Fatalf("edge %d (original %d) mapped wrong", e, id)
		}
		if e > 0 && out.Graph.Src[e] < out.Graph.Src[e-1] {
			t.Fatal("edges not ordered by new source")
		}
	}
	if !slices.Equal(out.Split.Train, []int32{1, 2}) || !slices.Equal(out.Split.Valid, []int32{0}) || !slices.Equal(out.Split.Test, []int32{3, 4}) {
		t.Fatalf("split %+v", out.Split)
	}
	if _, err := PermuteDataset(ds, []int32{0, 1, 2, 3, 3}); err == nil {
		t.Fatal("non-permutation accepted")
	}
	if ds.Labels[0] != 0 || ds.Graph.Src[0] != 0 {
		t.Fatal("input modified")
	}
}
