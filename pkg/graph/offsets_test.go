package graph

import (
	"math"
	"sort"
	"testing"
)

// Edge counts above 2^31 cannot be allocated in a unit test (~20 GiB), so
// these tests drive the offset arithmetic with synthetic counts and
// offsets: every offset is int64 and nothing narrows it.
func TestOffsetsBeyondInt32(t *testing.T) {
	const big = int64(3) << 30 // 3 Gi entries per (worker, node)
	n := 3
	counts := [][]int64{{big, 0, 1}, {big, big, 2}}
	indptr := offsets(counts, n)
	want := []int64{0, 2 * big, 3 * big, 3*big + 3}
	for v := range want {
		if indptr[v] != want[v] {
			t.Fatalf("indptr[%d] = %d, want %d", v, indptr[v], want[v])
		}
	}
	// Worker 1 writes node 0 after worker 0's big entries.
	if counts[0][0] != 0 || counts[1][0] != big || counts[1][1] != 2*big || counts[1][2] != 3*big+1 {
		t.Fatalf("write positions %v", counts)
	}
	c := Compressed{NumNodes: n, Indptr: indptr}
	if c.NumEdges() != 3*big+3 || c.Degree(0) != 2*big || c.Degree(2) != 3 {
		t.Fatalf("NumEdges %d Degree(0) %d", c.NumEdges(), c.Degree(0))
	}
	if c.NumEdges() <= math.MaxInt32 {
		t.Fatal("test does not exceed int32")
	}
	d := c.Degrees()
	if d[0] != 2*big || d[1] != big {
		t.Fatalf("Degrees %v", d)
	}
}

func TestRowChunksBeyondInt32(t *testing.T) {
	const big = int64(1) << 33
	indptr := []int64{0, big, big, 2 * big, 4 * big, 4*big + 5}
	for k := 1; k <= 8; k++ {
		b := rowChunks(indptr, k)
		if b[0] != 0 || b[len(b)-1] != 5 || len(b) > k+1 {
			t.Fatalf("k=%d: bounds %v", k, b)
		}
		for i := 1; i < len(b); i++ {
			if b[i] <= b[i-1] {
				t.Fatalf("k=%d: bounds %v not increasing", k, b)
			}
		}
	}
	if b := rowChunks(indptr, 4); len(b) < 4 {
		t.Fatalf("4 chunks of skewed rows: %v", b)
	}
	if b := rowChunks([]int64{0}, 4); len(b) != 2 || b[1] != 0 {
		t.Fatalf("no rows: %v", b)
	}
}

// The fallback for rows too long for packed sort keys sorts stably too.
func TestRowSorterStable(t *testing.T) {
	c := Compressed{NumNodes: 1, Indptr: []int64{0, 6}, Indices: []int32{3, 1, 3, 0, 1, 3}, EdgeID: []int64{0, 1, 2, 3, 4, 5}, Weight: []float32{0, 1, 2, 3, 4, 5}}
	sort.Stable(rowSorter{&c, 0, 6})
	if want := []int64{3, 1, 4, 0, 2, 5}; !equal(c.EdgeID, want) || c.Indices[0] != 0 || c.Weight[5] != 5 {
		t.Fatalf("ids %v indices %v", c.EdgeID, c.Indices)
	}
}

func equal(a, b []int64) bool {
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
