package kernelstest

import (
	"slices"
	"testing"
)

func TestRMAT(t *testing.T) {
	const n, m = 1000, 20000
	src, dst := RMAT(n, m, 7)
	src2, dst2 := RMAT(n, m, 7)
	if !slices.Equal(src, src2) || !slices.Equal(dst, dst2) {
		t.Fatal("RMAT is not deterministic for one seed")
	}
	if len(src) != m || len(dst) != m {
		t.Fatalf("RMAT gave %d/%d edges, want %d", len(src), len(dst), m)
	}
	a := InEdgeCSR(n, src, dst)
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	// R-MAT is skewed: the largest in-degree is far above the mean (20).
	maxDeg := int64(0)
	for i := 0; i < n; i++ {
		maxDeg = max(maxDeg, a.Indptr[i+1]-a.Indptr[i])
	}
	if maxDeg < 200 {
		t.Fatalf("max in-degree %d: not skewed like R-MAT", maxDeg)
	}
	// Row v lists the sources of v's in-edges, sorted.
	want := make([][]int32, n)
	for e := range src {
		want[dst[e]] = append(want[dst[e]], src[e])
	}
	for v := range want {
		slices.Sort(want[v])
		if got := a.Indices[a.Indptr[v]:a.Indptr[v+1]]; !slices.Equal(got, want[v]) {
			t.Fatalf("row %d = %v, want %v", v, got, want[v])
		}
	}
}
