package dataset

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func TestLoadTiny(t *testing.T) {
	ds, err := Load(context.Background(), "testdata/tiny", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ds.Validate(); err != nil {
		t.Fatal(err)
	}
	want := tensor.FromSlice(5, 3, []float32{0, 1, 0.5, 1, 0, -2.25, 0.125, 1e-3, 3, 0, 0, 0, -1.5, 2, 100})
	if ds.Name != "tiny" || ds.NumNodes() != 5 || ds.NumEdges() != 8 || ds.NumClasses != 3 {
		t.Fatalf("got %s %d nodes %d edges %d classes", ds.Name, ds.NumNodes(), ds.NumEdges(), ds.NumClasses)
	}
	if !slices.Equal(ds.Features.Data, want.Data) {
		t.Fatalf("features %v, want %v", ds.Features, want)
	}
	if !slices.Equal(ds.Labels, []int32{0, 1, 1, 2, 0}) {
		t.Fatalf("labels %v", ds.Labels)
	}
	if !slices.Equal(ds.Graph.Src, []int32{0, 1, 1, 2, 2, 3, 0, 4}) || !slices.Equal(ds.Graph.Dst, []int32{1, 0, 2, 1, 3, 2, 4, 0}) {
		t.Fatalf("edges %v -> %v", ds.Graph.Src, ds.Graph.Dst)
	}
	// Default split is the first name; another can be chosen.
	if s := ds.Split; s.Name != "a" || !slices.Equal(s.Train, []int32{0, 1}) || !slices.Equal(s.Valid, []int32{2}) || !slices.Equal(s.Test, []int32{3, 4}) {
		t.Fatalf("split %+v", s)
	}
	names, err := Splits("testdata/tiny")
	if err != nil || !slices.Equal(names, []string{"a", "b"}) {
		t.Fatalf("Splits = %v, %v", names, err)
	}
	b, err := Load(context.Background(), "testdata/tiny", &LoadOptions{Split: "b", NoFeatures: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := b.Split; s.Name != "b" || !slices.Equal(s.Train, []int32{4}) || !slices.Equal(s.Test, []int32{1, 2}) || b.Features != nil {
		t.Fatalf("split b %+v, features %v", s, b.Features)
	}
	_, err = Load(context.Background(), "testdata/tiny", &LoadOptions{Split: "c"})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), `split "c" not found`) {
		t.Fatalf("missing split: %v", err)
	}
}

// TestLoadMalformed overlays each testdata/bad/<case> on a copy of
// testdata/tiny and checks the error names the file, line and field and
// wraps the right sentinel.
func TestLoadMalformed(t *testing.T) {
	tests := []struct {
		name  string
		kind  error
		file  string
		line  int64
		field int
		msg   string
	}{
		{"edge-syntax", ErrSyntax, EdgeFile, 5, 2, `"x3" is not a non-negative integer`},
		{"edge-range", ErrRange, EdgeFile, 7, 2, "node id 5 out of range [0, 5)"},
		{"edge-negative", ErrRange, EdgeFile, 7, 2, "negative node id -4"},
		{"edge-fields", ErrSchema, EdgeFile, 3, 0, "3 fields, want 2"},
		{"edge-one-field", ErrSchema, EdgeFile, 3, 0, "1 field(s), want 2"},
		{"edge-short", ErrTruncated, EdgeFile, 8, 0, "8 edge lines, num-edge-list says 9"},
		{"edge-long", ErrCount, EdgeFile, 8, 0, "more than the 7 edges"},
		{"edge-truncated", ErrTruncated, EdgeFile, -1, 0, "compressed stream ends early"},
		{"edge-crc", ErrCorrupt, EdgeFile, 9, 0, "checksum"},
		{"edge-empty-file", ErrTruncated, EdgeFile, 0, 0, "empty file"},
		{"count-two-lines", ErrSchema, NumNodesFile, 2, 0, "more than one line"},
		{"count-syntax", ErrSyntax, NumNodesFile, 1, 1, `"five"`},
		{"count-huge", ErrTruncated, EdgeFile, 0, 0, "says 100000000000 edges"},
		{"feat-ragged", ErrSchema, FeatureFile, 4, 0, "2 fields, want 3"},
		{"feat-extra", ErrSchema, FeatureFile, 4, 0, "4 fields, want 3"},
		{"feat-nan", ErrRange, FeatureFile, 2, 2, `non-finite feature "nan"`},
		{"feat-syntax", ErrSyntax, FeatureFile, 3, 1, `"0.1.25" is not a number`},
		{"feat-empty-field", ErrSchema, FeatureFile, 1, 2, "empty field"},
		{"feat-rows-missing", ErrTruncated, FeatureFile, 4, 0, "4 feature rows for 5 nodes"},
		{"feat-rows-extra", ErrCount, FeatureFile, 6, 0, "more feature rows"},
		{"feat-notgzip", ErrCorrupt, FeatureFile, 0, 0, "invalid header"},
		{"label-negative", ErrRange, LabelFile, 3, 1, "negative label -1"},
		{"label-missing", ErrTruncated, LabelFile, 4, 0, "4 values, want 5"},
		{"split-unsorted", ErrRange, "split/a/test.csv.gz", 2, 1, "node id 3 not ascending after 4"},
		{"split-overlap", ErrRange, "split/a/valid.csv.gz", 1, 1, "node 1 is also in train.csv.gz"},
		{"split-range", ErrRange, "split/a/test.csv.gz", 2, 1, "node id 7 out of range [0, 5)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tiny")
			copyTree(t, "testdata/tiny", dir)
			copyTree(t, filepath.Join("testdata/bad", tt.name), dir)
			ds, err := Load(context.Background(), dir, nil)
			if err == nil {
				t.Fatalf("Load succeeded: %+v", ds)
			}
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("error %v (%T) is not a *dataset.Error", err, err)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %v does not wrap %v", err, tt.kind)
			}
			if de.Path != filepath.Join(dir, tt.file) || (tt.line >= 0 && de.Line != tt.line) || de.Field != tt.field {
				t.Errorf("error at %s:%d field %d, want %s:%d field %d", de.Path, de.Line, de.Field, tt.file, tt.line, tt.field)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "dataset: ") {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
		})
	}
}

func TestLoadMissingRequired(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tiny")
	copyTree(t, "testdata/tiny", dir)
	if err := os.Remove(filepath.Join(dir, EdgeFile)); err != nil {
		t.Fatal(err)
	}
	_, err := Load(context.Background(), dir, nil)
	var de *Error
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &de) || de.Path != filepath.Join(dir, EdgeFile) {
		t.Fatalf("err = %v", err)
	}
	// Optional files: no features, no labels, no split.
	for _, f := range []string{FeatureFile, LabelFile} {
		os.Remove(filepath.Join(dir, f))
	}
	os.RemoveAll(filepath.Join(dir, SplitDir))
	copyTree(t, "testdata/tiny/raw", filepath.Join(dir, "raw"))
	os.Remove(filepath.Join(dir, FeatureFile))
	os.Remove(filepath.Join(dir, LabelFile))
	ds, err := Load(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Features != nil || ds.Labels != nil || ds.Split.Name != "" || ds.NumEdges() != 8 {
		t.Fatalf("got %+v", ds)
	}
}

func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Load(ctx, "testdata/tiny", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFeatureReaderParallel drives the parallel parse of one large Read:
// values equal a row-by-row read, and an error in a late row reports that
// row's line and the rows before it.
func TestFeatureReaderParallel(t *testing.T) {
	const rows, dim = 3000, 100
	var text []byte
	for i := range rows {
		for j := range dim {
			if j > 0 {
				text = append(text, ',')
			}
			text = strconv.AppendFloat(text, float64(i*dim+j)/7, 'g', -1, 32)
		}
		text = append(text, '\n')
	}
	big := tensor.New(rows, dim)
	r := NewFeatureReader(bytes.NewReader(text), "par", 0)
	if k, err := r.Read(big); k != rows || err != nil {
		t.Fatalf("Read = %d, %v", k, err)
	}
	one := tensor.New(1, dim)
	r = NewFeatureReader(bytes.NewReader(text), "par", dim)
	for i := range rows {
		if k, err := r.Read(one); k != 1 || err != nil {
			t.Fatalf("row %d: Read = %d, %v", i, k, err)
		}
		if !slices.Equal(one.Data, big.Row(i)) {
			t.Fatalf("row %d differs between parallel and serial reads", i)
		}
	}
	if k, err := r.Read(one); k != 0 || err != io.EOF {
		t.Fatalf("after the end: %d, %v", k, err)
	}
	// Corrupt two rows; the first one is reported.
	lines := bytes.Split(text, []byte{'\n'})
	lines[2500] = []byte("1,2")
	lines[2100] = append([]byte("x"), lines[2100]...)
	bad := bytes.Join(lines, []byte{'\n'})
	r = NewFeatureReader(bytes.NewReader(bad), "par", 0)
	k, err := r.Read(big)
	var de *Error
	if k != 2100 || !errors.As(err, &de) || de.Line != 2101 || de.Field != 1 || !errors.Is(err, ErrSyntax) {
		t.Fatalf("Read = %d, %v", k, err)
	}
}
