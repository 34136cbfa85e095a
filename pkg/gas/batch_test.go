package gas

import (
	"context"
	"math/rand/v2"
	"testing"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/history"
	"github.com/gnnscale/gnnscale/pkg/sampling"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// denseOnly hides a source's SparseFeatures, so Assemble takes the dense
// path: the reference for the sparse one.
type denseOnly struct{ Source }

// TestAssembleSparseFeatures: with mostly-zero features, Assemble fills
// the batch from the source's sparse rows; a sequence of batches through
// one FeatureBuffer (shrinking, growing, other patterns) gives exactly
// the features and sparse form of the dense path, with nothing left over
// from an earlier batch.
func TestAssembleSparseFeatures(t *testing.T) {
	f := newFixture(t, 300, 6, 3)
	r := rand.New(rand.NewPCG(4, 4))
	x := tensor.New(300, 40)
	for i := range x.Data {
		if r.Float64() < 0.05 {
			x.Data[i] = r.Float32() + 0.5
		}
	}
	src, err := NewMemSource(x, f.src.Labels, f.src.Split, f.src.Classes)
	if err != nil {
		t.Fatal(err)
	}
	if src.xs == nil {
		t.Fatal("5% dense features not kept sparse")
	}
	bt, err := sampling.NewGASBatcher(f.g, f.ptr, gasOpts("gcn"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tp := ad.New(f.bk)
	var buf FeatureBuffer
	for _, parts := range [][]int{{0, 1, 2}, {3}, {4, 5, 0, 1}, {2, 4}, {5}} {
		gb := new(sampling.GASBatch)
		if err := bt.Build(ctx, parts, gb); err != nil {
			t.Fatal(err)
		}
		got, err := Assemble(ctx, src, tp, gb, &buf)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Assemble(ctx, denseOnly{src}, tp, gb, new(FeatureBuffer))
		if err != nil {
			t.Fatal(err)
		}
		if g, w := got.X.Value, want.X.Value; g.Rows != w.Rows || g.Cols != w.Cols {
			t.Fatalf("parts %v: features %s, want %s", parts, g.Shape(), w.Shape())
		}
		for i := 0; i < want.X.Rows(); i++ {
			for j, w := range want.X.Value.Row(i) {
				if g := got.X.Value.At(i, j); g != w {
					t.Fatalf("parts %v: x[%d][%d] = %v, want %v (dense path)", parts, i, j, g, w)
				}
			}
		}
		gs, ws := got.X.SparseForm(), want.X.SparseForm()
		if gs == nil || ws == nil {
			t.Fatalf("parts %v: sparse forms %v / %v, want both", parts, gs != nil, ws != nil)
		}
		gm, wm := gs.Matrix(), ws.Matrix()
		if !equalCSR(gm, wm) {
			t.Fatalf("parts %v: sparse forms differ", parts)
		}
	}
	// Bad rows are errors, not panics.
	if _, err := src.SparseFeatures(ctx, []history.Range{{Offset: 290, Count: 20}}, nil); err == nil {
		t.Error("range past the end accepted")
	}
	if _, err := src.SparseFeatures(ctx, nil, []int32{300}); err == nil {
		t.Error("id past the end accepted")
	}
}

func equalCSR(a, b tensor.CSR) bool {
	if a.Rows != b.Rows || a.Cols != b.Cols || len(a.Indices) != len(b.Indices) {
		return false
	}
	for i := range a.Indptr {
		if a.Indptr[i] != b.Indptr[i] {
			return false
		}
	}
	for k := range a.Indices {
		if a.Indices[k] != b.Indices[k] || a.Values[k] != b.Values[k] {
			return false
		}
	}
	return true
}
