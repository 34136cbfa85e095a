package ingest

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/dataset/datasettest"
	"github.com/gnnscale/gnnscale/pkg/partition"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// smallDataset writes a small SBM data set in the OGB layout.
func smallDataset(t *testing.T) (string, *dataset.Dataset) {
	t.Helper()
	ds, err := dataset.SBM(dataset.SBMConfig{NumNodes: 700, NumClasses: 4, AvgDegree: 6, Homophily: 0.8,
		NumFeatures: 9, Signal: 1, TrainFrac: 0.2, ValidFrac: 0.2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "sbm")
	if err := dataset.Write(t.Context(), dir, ds, nil); err != nil {
		t.Fatal(err)
	}
	back, err := dataset.Load(t.Context(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return dir, back
}

// check verifies that s holds ds renumbered by inv (nil = identity).
func check(t *testing.T, s Store, ds *dataset.Dataset, res *Result) {
	t.Helper()
	ctx := t.Context()
	n := ds.NumNodes()
	inv := make([]int32, n)
	for i := range inv {
		inv[i] = int32(i)
	}
	if res.Perm != nil {
		inv = partition.Inverse(res.Perm)
	}
	x := tensor.New(n, ds.NumFeatures())
	if err := store.GetRange(ctx, s, store.Key{Group: "node", Name: AttrFeatures}, 0, x); err != nil {
		t.Fatal(err)
	}
	y := tensor.New(n, 1)
	if err := store.GetRange(ctx, s, store.Key{Group: "node", Name: AttrLabels}, 0, y); err != nil {
		t.Fatal(err)
	}
	sp := tensor.New(n, 1)
	if err := store.GetRange(ctx, s, store.Key{Group: "node", Name: AttrSplit}, 0, sp); err != nil {
		t.Fatal(err)
	}
	code := make([]float32, n)
	for i := range code {
		code[i] = -1
	}
	for c, ids := range [][]int32{ds.Split.Train, ds.Split.Valid, ds.Split.Test} {
		for _, v := range ids {
			code[v] = float32(c)
		}
	}
	for old := 0; old < n; old++ {
		nw := int(inv[old])
		for j := 0; j < x.Cols; j++ {
			if x.At(nw, j) != ds.Features.At(old, j) {
				t.Fatalf("node %d (new %d) feature %d = %v, want %v", old, nw, j, x.At(nw, j), ds.Features.At(old, j))
			}
		}
		if y.At(nw, 0) != float32(ds.Labels[old]) || sp.At(nw, 0) != code[old] {
			t.Fatalf("node %d (new %d): label %v split %v, want %d %v", old, nw, y.At(nw, 0), sp.At(nw, 0), ds.Labels[old], code[old])
		}
	}
	got, err := s.GetEdges(ctx, store.DefaultEdgeType, store.COO)
	if err != nil {
		t.Fatal(err)
	}
	g := ds.Graph
	if got.COO.NumNodes != n || len(got.COO.Src) != len(g.Src) {
		t.Fatalf("edges: %d nodes %d edges, want %d %d", got.COO.NumNodes, len(got.COO.Src), n, len(g.Src))
	}
	for e := range g.Src { // edge ids are the lines of edge.csv.gz
		if got.COO.EdgeID[e] != int64(e) || got.COO.Src[e] != inv[g.Src[e]] || got.COO.Dst[e] != inv[g.Dst[e]] {
			t.Fatalf("edge %d: (%d -> %d id %d), want (%d -> %d)", e, got.COO.Src[e], got.COO.Dst[e], got.COO.EdgeID[e], inv[g.Src[e]], inv[g.Dst[e]])
		}
	}
	if res.Classes != ds.NumClasses || res.Nodes != n || res.Edges != ds.NumEdges() {
		t.Fatalf("result %+v", res)
	}
}

func TestRunOGB(t *testing.T) {
	dir, ds := smallDataset(t)
	s := memstore.Open()
	defer s.Close()
	var acks int
	res, err := Run(t.Context(), s, Options{Dataset: dir, BatchRows: 100, Logger: quiet,
		OnAck: func(string, int64, int64) { acks++ }})
	if err != nil {
		t.Fatal(err)
	}
	check(t, s, ds, res)
	if want := 1 + 3*7; acks != want { // edges + 7 batches of x, y and split
		t.Fatalf("%d acknowledgements, want %d", acks, want)
	}
}

func TestRunPartitioned(t *testing.T) {
	dir, ds := smallDataset(t)
	s := memstore.Open()
	defer s.Close()
	res, err := Run(t.Context(), s, Options{Dataset: dir, Parts: 4, Seed: 1, BatchRows: 128, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Ptr) != 5 || res.Ptr[4] != int64(ds.NumNodes()) || partition.CheckPerm(res.Perm, ds.NumNodes()) != nil {
		t.Fatalf("ptr %v, perm ok %v", res.Ptr, partition.CheckPerm(res.Perm, ds.NumNodes()))
	}
	check(t, s, ds, res)
	// Renumbering puts the parts in contiguous ranges: most edges stay
	// inside one range (the cut is small).
	book, err := partition.NewBook(res.Ptr)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := s.GetEdges(t.Context(), store.DefaultEdgeType, store.COO)
	inside := 0
	for i := range e.COO.Src {
		if book.Owner(int64(e.COO.Src[i])) == book.Owner(int64(e.COO.Dst[i])) {
			inside++
		}
	}
	if inside*10 < len(e.COO.Src)*6 {
		t.Fatalf("only %d of %d edges inside a part", inside, len(e.COO.Src))
	}
}

func TestRunFeaturesFromNPYAndParquet(t *testing.T) {
	dir, ds := smallDataset(t)
	// The same features as .npy and as Parquet (FixedSizeList<float32>).
	npy := filepath.Join(t.TempDir(), "x.npy")
	f, err := os.Create(npy)
	if err != nil {
		t.Fatal(err)
	}
	WriteNPYHeader(f, int64(ds.NumNodes()), ds.NumFeatures())
	binary.Write(f, binary.LittleEndian, ds.Features.Data)
	f.Close()
	rows := make([][]float64, ds.NumNodes())
	for i := range rows {
		for _, v := range ds.Features.Row(i) {
			rows[i] = append(rows[i], float64(v))
		}
	}
	pq := writeParquet(t, "fixed", rows, 200, [2]int{-1, -1})
	for _, path := range []string{npy, pq} {
		t.Run(filepath.Ext(path), func(t *testing.T) {
			s := memstore.Open()
			defer s.Close()
			res, err := Run(t.Context(), s, Options{Dataset: dir, Features: path, Parts: 2, BatchRows: 64, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			if res.FeatureFrom != path {
				t.Fatalf("features from %s", res.FeatureFrom)
			}
			check(t, s, ds, res)
		})
	}
	// Features only, no data set.
	s := memstore.Open()
	defer s.Close()
	res, err := Run(t.Context(), s, Options{Features: npy, Logger: quiet})
	if err != nil || res.FeatureRows != int64(ds.NumNodes()) {
		t.Fatalf("features only: %v %+v", err, res)
	}
	// A row count that disagrees with the data set is an error.
	short := filepath.Join(t.TempDir(), "short.npy")
	f, _ = os.Create(short)
	WriteNPYHeader(f, 10, ds.NumFeatures())
	binary.Write(f, binary.LittleEndian, ds.Features.Data[:10*ds.NumFeatures()])
	f.Close()
	if _, err := Run(t.Context(), memstore.Open(), Options{Dataset: dir, Features: short, Logger: quiet}); err == nil {
		t.Fatal("10 feature rows for 700 nodes accepted")
	}
}

func TestRunResume(t *testing.T) {
	dir, ds := smallDataset(t)
	s := memstore.Open()
	defer s.Close()
	ctx, cancel := context.WithCancel(t.Context())
	acked := 0
	_, err := Run(ctx, s, Options{Dataset: dir, BatchRows: 100, Logger: quiet, OnAck: func(what string, lo, hi int64) {
		if what == "node/x" {
			if acked++; acked == 3 {
				cancel() // interrupt after three feature batches
			}
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	res, err := Run(t.Context(), s, Options{Dataset: dir, BatchRows: 100, Resume: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if res.SkippedRows != 300 || !res.SkippedEdges {
		t.Fatalf("resume skipped %d rows (edges %v), want 300 rows and the edges", res.SkippedRows, res.SkippedEdges)
	}
	check(t, s, ds, res)
	// Without Resume the existing attributes are an error.
	if _, err := Run(t.Context(), s, Options{Dataset: dir, Logger: quiet}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("second run without resume: %v", err)
	}
}

func TestRunCora(t *testing.T) {
	dir := datasettest.Dir(t, "cora")
	ds := datasettest.Load(t, "cora")
	s := memstore.Open()
	defer s.Close()
	res, err := Run(t.Context(), s, Options{Dataset: dir, Parts: 8, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	check(t, s, ds, res)
	t.Logf("cora: %d nodes, %d edges, %d features, 8 parts, cut %d", res.Nodes, res.Edges, res.FeatureCols, res.Cut)
}
