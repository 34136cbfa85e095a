package dataset

import (
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
