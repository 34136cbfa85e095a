package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/partition"
)

// writeGridGraph writes a w x h grid in METIS format and returns its path.
func writeGridGraph(t *testing.T, dir string, w, h int) string {
	t.Helper()
	var b strings.Builder
	n, m := w*h, (w-1)*h+(h-1)*w
	b.WriteString(strconv.Itoa(n) + " " + strconv.Itoa(m) + "\n")
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			var nb []string
			v := i*w + j
			if j > 0 {
				nb = append(nb, strconv.Itoa(v))
			}
			if j+1 < w {
				nb = append(nb, strconv.Itoa(v+2))
			}
			if i > 0 {
				nb = append(nb, strconv.Itoa(v-w+1))
			}
			if i+1 < h {
				nb = append(nb, strconv.Itoa(v+w+1))
			}
			b.WriteString(strings.Join(nb, " ") + "\n")
		}
	}
	path := filepath.Join(dir, "grid.graph")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPartitionCommand(t *testing.T) {
	dir := t.TempDir()
	g := writeGridGraph(t, dir, 20, 10)
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"partition", "--parts", "4", "--seed", "3", g}, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "parts 4") || !strings.Contains(out.String(), "edge cut") {
		t.Fatalf("report: %s", out.String())
	}
	// Default output path follows gpmetis: <input>.part.<K>.
	f, err := os.Open(g + ".part.4")
	if err != nil {
		t.Fatal(err)
	}
	part, err := partition.ReadPart(f, "p", 200, 4)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	gf, _ := os.Open(g)
	graph, err := partition.ReadGraph(gf, g)
	gf.Close()
	if err != nil {
		t.Fatal(err)
	}
	cut, _, err := partition.EdgeCut(graph, part, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "edge cut "+strconv.FormatInt(cut, 10)+" ") {
		t.Errorf("reported cut differs from the part file's %d: %s", cut, out.String())
	}
}

func TestPartitionCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.graph")
	os.WriteFile(bad, []byte("3 2\n2\n1 3\n1\n"), 0o644) // vertex 3 lists 1, 1 does not list 3
	outPath := filepath.Join(dir, "keep.part")
	os.WriteFile(outPath, []byte("old"), 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no parts", []string{"partition", bad}, "--parts"},
		{"no input", []string{"partition", "--parts", "2"}, "INPUT"},
		{"asymmetric", []string{"partition", "--parts", "2", "--out", outPath, bad}, "3 lists 1"},
		{"missing", []string{"partition", "--parts", "2", filepath.Join(dir, "nope.graph")}, "no such file"},
		{"format", []string{"partition", "--parts", "2", "--format", "xml", bad}, "--format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), tt.args, &out, &errb)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if b, _ := os.ReadFile(outPath); string(b) != "old" {
		t.Error("failed run changed the existing output file")
	}
}

func TestPartitionCommandOGB(t *testing.T) {
	root := os.Getenv("GNNSCALE_DATASETS")
	if root == "" {
		root = "../../../shared/datasets"
	}
	dir := filepath.Join(root, "cora")
	if _, err := os.Stat(filepath.Join(dir, "raw", "edge.csv.gz")); err != nil {
		if os.Getenv("GNNSCALE_REQUIRE_DATASETS") == "1" {
			t.Fatalf("cora missing: %v", err)
		}
		t.Skip("cora not available")
	}
	outPath := filepath.Join(t.TempDir(), "cora.part")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"partition", "--parts", "8", "--out", outPath, dir}, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "2708 vertices, 5278 edges") {
		t.Fatalf("report: %s", out.String())
	}
}
