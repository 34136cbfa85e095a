package dataset

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWriteLoadRoundTrip(t *testing.T) {
	cfg := DefaultSBM()
	cfg.NumNodes = 3000
	cfg.NumFeatures = 7
	ds, err := SBM(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Awkward values: extremes, subnormals, negative zero, long mantissas.
	ds.Features.Data[0] = math.MaxFloat32
	ds.Features.Data[1] = -math.SmallestNonzeroFloat32
	ds.Features.Data[2] = float32(math.Copysign(0, -1))
	ds.Features.Data[3] = 1.0 / 3
	ds.Features.Data[4] = 1e-20
	dir := filepath.Join(t.TempDir(), "sbm-out")
	if err := Write(context.Background(), dir, ds, nil); err != nil {
		t.Fatal(err)
	}
	back, err := Load(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if back.Name != "sbm-out" || back.NumClasses != ds.NumClasses || back.Split.Name != "random" {
		t.Fatalf("got name %q classes %d split %q", back.Name, back.NumClasses, back.Split.Name)
	}
	if !slices.Equal(back.Graph.Src, ds.Graph.Src) || !slices.Equal(back.Graph.Dst, ds.Graph.Dst) {
		t.Fatal("edges differ")
	}
	for i, v := range ds.Features.Data {
		if math.Float32bits(back.Features.Data[i]) != math.Float32bits(v) {
			t.Fatalf("feature %d: wrote %g, read %g", i, v, back.Features.Data[i])
		}
	}
	if !slices.Equal(back.Labels, ds.Labels) || !slices.Equal(back.Split.Train, ds.Split.Train) ||
		!slices.Equal(back.Split.Valid, ds.Split.Valid) || !slices.Equal(back.Split.Test, ds.Split.Test) {
		t.Fatal("labels or split differ")
	}
	// Same report apart from the name line.
	_, a, _ := strings.Cut(ds.Summary(), "\n")
	_, b, _ := strings.Cut(back.Summary(), "\n")
	if a != b {
		t.Fatalf("summaries differ:\n%s\n%s", a, b)
	}
}

func TestWriteRefusesAndCleansUp(t *testing.T) {
	ds, err := SBM(SBMConfig{NumNodes: 100, NumClasses: 2, AvgDegree: 4, Homophily: 0.5, NumFeatures: 3, Seed: 1, TrainFrac: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	dir := filepath.Join(parent, "x")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), dir, ds, nil); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("write over an existing dir: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Write(ctx, filepath.Join(parent, "y"), ds, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled write: %v", err)
	}
	bad := *ds
	bad.Labels = slices.Clone(ds.Labels)
	bad.Labels[3] = 9
	if err := Write(context.Background(), filepath.Join(parent, "z"), &bad, nil); err == nil {
		t.Fatal("wrote an invalid data set")
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 || entries[0].Name() != "x" {
		t.Fatalf("failed writes left %v", entries)
	}
}

// TestWriteManyMembers writes files large enough to be split into several
// gzip members and reads them back.
func TestWriteManyMembers(t *testing.T) {
	ds, err := Grid(GridConfig{Width: 400, Height: 400, SpatialConfig: SpatialConfig{NumClasses: 2, NumFeatures: 2, Signal: 1, TrainFrac: 0.5, Seed: 3}})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "grid")
	if err := Write(context.Background(), dir, ds, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, EdgeFile))
	if err != nil {
		t.Fatal(err)
	}
	if members := bytes.Count(raw, []byte{0x1f, 0x8b, 8}); members < 3 {
		t.Fatalf("edge file has %d gzip members, want >= 3 (%d edges)", members, ds.NumEdges())
	}
	back, err := Load(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Graph.Src, ds.Graph.Src) || !slices.Equal(back.Graph.Dst, ds.Graph.Dst) || !slices.Equal(back.Features.Data, ds.Features.Data) {
		t.Fatal("round trip through several gzip members lost data")
	}
}

// TestLoadZeroNodes: with no nodes, any edge or split id is out of range.
func TestLoadZeroNodes(t *testing.T) {
	empty := &Dataset{Name: "empty"}
	dir := filepath.Join(t.TempDir(), "empty")
	if err := Write(context.Background(), dir, empty, nil); err != nil {
		t.Fatal(err)
	}
	back, err := Load(context.Background(), dir, nil)
	if err != nil || back.NumNodes() != 0 || back.NumEdges() != 0 {
		t.Fatalf("Load = %+v, %v", back, err)
	}
	_, err = NewEdgeReader(strings.NewReader("0,0\n"), "x", 0).Read(make([]int32, 1), make([]int32, 1))
	if !errors.Is(err, ErrRange) {
		t.Fatalf("edge in a graph without nodes: %v", err)
	}
}
