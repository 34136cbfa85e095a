package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/dataset"
)

func TestGenerateAndSummary(t *testing.T) {
	tests := []struct {
		kind  string
		args  []string
		nodes int
	}{
		{"sbm", []string{"-nodes", "500", "-classes", "3", "-features", "4"}, 500},
		{"rmat", []string{"-scale", "8", "-edge-factor", "4", "-features", "2", "-classes", "2"}, 256},
		{"grid", []string{"-width", "7", "-height", "5"}, 35},
		{"rgg", []string{"-nodes", "300", "-degree", "6"}, 300},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tt.kind)
			var stdout, stderr bytes.Buffer
			args := append([]string{"generate", tt.kind, "-out", out, "-seed", "3"}, tt.args...)
			if err := run(context.Background(), args, &stdout, &stderr); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			ds, err := dataset.Load(context.Background(), out, nil)
			if err != nil {
				t.Fatal(err)
			}
			if ds.NumNodes() != tt.nodes {
				t.Fatalf("%d nodes, want %d", ds.NumNodes(), tt.nodes)
			}
			stdout.Reset()
			if err := run(context.Background(), []string{"summary", "--dataset", out}, &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			if want := ds.Summary(); stdout.String() != want {
				t.Fatalf("summary output:\n%s\nwant:\n%s", stdout.String(), want)
			}
			// Same seed and flags, same bytes.
			again := filepath.Join(t.TempDir(), tt.kind)
			args[3] = again
			if err := run(context.Background(), args, &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{dataset.EdgeFile, dataset.FeatureFile, dataset.LabelFile} {
				a, errA := os.ReadFile(filepath.Join(out, f))
				b, errB := os.ReadFile(filepath.Join(again, f))
				if !errors.Is(errA, os.ErrNotExist) && (errA != nil || errB != nil || !bytes.Equal(a, b)) {
					t.Fatalf("%s differs between runs with the same seed (%v, %v)", f, errA, errB)
				}
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"generate"}, "no kind"},
		{[]string{"generate", "ba"}, `unknown kind "ba"`},
		{[]string{"generate", "sbm"}, "--out is required"},
		{[]string{"generate", "sbm", "-out", "x", "-homophily", "2"}, "Homophily 2 out of [0, 1]"},
		{[]string{"generate", "rmat", "-out", "x", "-scale", "0"}, "Scale 0 out of range"},
		{[]string{"summary"}, "want --dataset DIR"},
		{[]string{"summary", "--dataset", "/nonexistent"}, "num-node-list.csv.gz"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), tt.args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
}
