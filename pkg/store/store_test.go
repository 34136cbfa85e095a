package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func TestErrorMessages(t *testing.T) {
	k := Key{Group: "paper", Name: "x"}
	tests := []struct {
		err  error
		want string
		is   error
	}{
		{checkIDs("get", k, []int64{1, 2, 3, 17}, 10), "store: get paper/x: row 17: out of range [0, 10) at ids[3]", ErrOutOfRange},
		{checkTensor("put", "src", k, tensor.New(3, 5), 3, 4), "store: put paper/x: dimension mismatch: src is 3x5, want 3x4", ErrShape},
		{checkTensor("get", "dst", k, nil, 3, 4), "store: get paper/x: dimension mismatch: nil dst", ErrShape},
		{RowError("get", k, 5, ErrNotFound), "store: get paper/x: row 5: not found", ErrNotFound},
		{wrapErr("drop", "h", ErrNotFound), "store: drop h: not found", ErrNotFound},
		{checkRange("get", k, 8, 5, 10), "store: get paper/x: row 12: out of range [0, 10): range [8, 13)", ErrOutOfRange},
		{wrapErr("get", "a/b", context.Canceled), "store: get a/b: context canceled", context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if tt.err == nil || tt.err.Error() != tt.want {
				t.Fatalf("got %v, want %q", tt.err, tt.want)
			}
			if !errors.Is(tt.err, tt.is) {
				t.Fatalf("%v does not wrap %v", tt.err, tt.is)
			}
		})
	}
}

func TestParseNames(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Key
		bad  bool
	}{
		{"paper/x", Key{"paper", "x"}, false},
		{"x", Key{"", "x"}, false},
		{"", Key{}, true},
		{"a/b/c", Key{}, true},
		{"paper/", Key{}, true},
	} {
		got, err := ParseKey(tt.in)
		if (err != nil) != tt.bad || (!tt.bad && got != tt.want) {
			t.Errorf("ParseKey(%q) = %+v, %v", tt.in, got, err)
		}
		if !tt.bad && got.String() != tt.in {
			t.Errorf("Key.String() = %q, want %q", got.String(), tt.in)
		}
	}
	for _, tt := range []struct {
		in  string
		bad bool
	}{{"paper/cites/paper", false}, {"a/b", true}, {"a//b", true}, {"a/b/c/d", true}} {
		et, err := ParseEdgeType(tt.in)
		if (err != nil) != tt.bad || (!tt.bad && et.String() != tt.in) {
			t.Errorf("ParseEdgeType(%q) = %+v, %v", tt.in, et, err)
		}
		if tt.bad && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseEdgeType(%q) error %v does not wrap ErrInvalid", tt.in, err)
		}
	}
}

// TestTopologyConversions compares every conversion with brute force on
// random edge lists.
func TestTopologyConversions(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		n, m := 1+r.IntN(40), r.IntN(200)
		c := graph.COO{NumNodes: n, Src: make([]int32, m), Dst: make([]int32, m), EdgeID: make([]int64, m), Weight: make([]float32, m)}
		tm := make([]int64, m)
		for e := range c.Src {
			c.Src[e], c.Dst[e] = int32(r.IntN(n)), int32(r.IntN(n))
			c.EdgeID[e], c.Weight[e], tm[e] = int64(r.IntN(3*m+1)), r.Float32(), r.Int64()
		}
		top, err := NewTopology(EdgeIndex{Layout: COO, COO: c, Time: tm})
		if err != nil {
			t.Fatal(err)
		}
		if err := top.Validate(); err != nil {
			t.Fatal(err)
		}
		// In-neighbours of v: edges into v in input order.
		for v := 0; v < n; v++ {
			k := top.Indptr[v]
			for e := range c.Src {
				if int(c.Dst[e]) != v {
					continue
				}
				if top.Src[k] != c.Src[e] || top.EdgeID[k] != c.EdgeID[e] || top.Weight[k] != c.Weight[e] || top.Time[k] != tm[e] {
					t.Fatalf("trial %d: node %d entry %d differs from edge %d", trial, v, k, e)
				}
				k++
			}
			if k != top.Indptr[v+1] {
				t.Fatalf("trial %d: node %d has %d entries, want %d", trial, v, top.Indptr[v+1]-top.Indptr[v], k-top.Indptr[v])
			}
		}
		// Every layout converts back to the same topology.
		for _, l := range []Layout{COO, CSR, CSC} {
			ei, err := top.EdgeIndex(l)
			if err != nil {
				t.Fatal(err)
			}
			back, err := NewTopology(ei)
			if err != nil {
				t.Fatal(err)
			}
			if l == CSC && !sameTopology(back, top) {
				t.Fatalf("trial %d: CSC round trip changed the topology", trial)
			}
			if !sameMultiset(back, top) {
				t.Fatalf("trial %d: %v round trip lost edges", trial, l)
			}
		}
		// COO comes back sorted by edge id.
		ei, _ := top.EdgeIndex(COO)
		if !slices.IsSorted(ei.COO.EdgeID) {
			t.Fatalf("trial %d: COO not sorted by edge id", trial)
		}
	}
}

func sameTopology(a, b *Topology) bool {
	return a.NumNodes == b.NumNodes && slices.Equal(a.Indptr, b.Indptr) && slices.Equal(a.Src, b.Src) &&
		slices.Equal(a.EdgeID, b.EdgeID) && slices.Equal(a.Weight, b.Weight) && slices.Equal(a.Time, b.Time)
}

// sameMultiset compares the edge sets (per destination) ignoring order.
func sameMultiset(a, b *Topology) bool {
	if a.NumNodes != b.NumNodes || !slices.Equal(a.Indptr, b.Indptr) {
		return false
	}
	key := func(t *Topology, k int64) string {
		return fmt.Sprint(t.Src[k], t.EdgeID[k], t.Weight[k], t.Time[k])
	}
	for v := 0; v < a.NumNodes; v++ {
		var x, y []string
		for k := a.Indptr[v]; k < a.Indptr[v+1]; k++ {
			x, y = append(x, key(a, k)), append(y, key(b, k))
		}
		slices.Sort(x)
		slices.Sort(y)
		if !slices.Equal(x, y) {
			return false
		}
	}
	return true
}

// FuzzNewTopology: any edge index built from fuzz bytes is either rejected
// with ErrInvalid or converted to a valid topology; nothing panics.
func FuzzNewTopology(f *testing.F) {
	f.Add([]byte{3, 0, 1, 1, 2, 2, 0}, uint8(0))
	f.Add([]byte{2, 0, 1, 0, 2, 1}, uint8(1))
	f.Add([]byte{4, 0, 9, 0, 0, 255}, uint8(2))
	f.Fuzz(func(t *testing.T, b []byte, layout uint8) {
		if len(b) == 0 {
			return
		}
		n := int(b[0] % 16)
		b = b[1:]
		ei := EdgeIndex{Layout: Layout(layout % 4)}
		switch ei.Layout {
		case COO:
			c := graph.COO{NumNodes: n}
			for i := 0; i+1 < len(b); i += 2 {
				c.Src = append(c.Src, int32(int8(b[i])))
				c.Dst = append(c.Dst, int32(int8(b[i+1])))
			}
			ei.COO = c
		default:
			c := graph.Compressed{NumNodes: n, Indptr: []int64{0}}
			for i, x := range b {
				if i < n {
					c.Indptr = append(c.Indptr, c.Indptr[len(c.Indptr)-1]+int64(x%4)-1)
				} else {
					c.Indices = append(c.Indices, int32(int8(x)))
				}
			}
			ei.Compressed = c
		}
		top, err := NewTopology(ei)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if err := top.Validate(); err != nil {
			t.Fatalf("accepted index gives an invalid topology: %v", err)
		}
		for _, l := range []Layout{COO, CSR, CSC} {
			if _, err := top.EdgeIndex(l); err != nil {
				t.Fatal(err)
			}
		}
	})
}
