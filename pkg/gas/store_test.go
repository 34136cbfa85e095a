package gas

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/history"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// TestStoreSource: a data set written with WriteStore reads back through
// StoreSource exactly as the in-memory source gives it.
func TestStoreSource(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 300, 5, 17)
	dir := t.TempDir()
	st := memstore.Open()
	defer st.Close()
	book := Book{Name: "sbm", Nodes: 300, Edges: int64(len(f.csc.Indices)), Features: f.src.NumFeatures(), Classes: f.src.NumClasses(), Ptr: f.ptr}
	if err := WriteStore(ctx, st, []store.GraphStore{st}, dir, book, f.csc, f.src.X, f.src.Labels, f.src.Split); err != nil {
		t.Fatal(err)
	}
	got, err := ReadBook(dir)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := NewStoreSource(ctx, st, got)
	if err != nil {
		t.Fatal(err)
	}
	ranges := []history.Range{{Offset: 120, Count: 60}, {Offset: 0, Count: 7}}
	ids := []int32{299, 3, 3, 150}
	want, have := tensor.New(71, f.src.NumFeatures()), tensor.New(71, f.src.NumFeatures())
	if err := f.src.Features(ctx, ranges, ids, want); err != nil {
		t.Fatal(err)
	}
	if err := ss.Features(ctx, ranges, ids, have); err != nil {
		t.Fatal(err)
	}
	sameRows(t, "features", have, want)
	l1, l2 := make([]int32, 67), make([]int32, 67)
	s1, s2 := make([]int8, 67), make([]int8, 67)
	if err := f.src.Targets(ctx, ranges, l1, s1); err != nil {
		t.Fatal(err)
	}
	if err := ss.Targets(ctx, ranges, l2, s2); err != nil {
		t.Fatal(err)
	}
	for i := range l1 {
		if l1[i] != l2[i] || s1[i] != s2[i] {
			t.Fatalf("row %d: label/split %d/%d from the store, %d/%d in memory", i, l2[i], s2[i], l1[i], s1[i])
		}
	}
	// A store missing an attribute, or of another shape, is refused.
	bad := *got
	bad.Features++
	if _, err := NewStoreSource(ctx, st, &bad); err == nil {
		t.Fatal("store source accepted a book with the wrong feature width")
	}
}

func FuzzReadBook(f *testing.F) {
	f.Add([]byte(`{"name":"x","nodes":4,"edges":3,"features":2,"classes":2,"ptr":[0,2,4]}`))
	f.Add([]byte(`{"nodes":4,"features":2,"classes":2,"ptr":[0,3,2,4]}`))
	f.Add([]byte(`{"nodes":-1}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, BookFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := ReadBook(dir)
		if err != nil {
			if !errors.Is(err, ErrBook) {
				t.Fatalf("error %v does not wrap ErrBook", err)
			}
			return
		}
		if b.Nodes < 1 || b.Ptr[0] != 0 || b.Ptr[len(b.Ptr)-1] != int64(b.Nodes) {
			t.Fatalf("accepted an inconsistent book %+v", b)
		}
		for p := 1; p < len(b.Ptr); p++ {
			if b.Ptr[p] < b.Ptr[p-1] {
				t.Fatalf("accepted decreasing ptr %v", b.Ptr)
			}
		}
	})
}
