package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRunSmallSBM(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("mode: full\ndataset: {name: small, generator: sbm, sbm: {nodes: 400, classes: 3, features: 8}}\nmodel: {name: gcn, hidden: 8}\ntrain: {epochs: 5}\n"), 0o644)
	summary := filepath.Join(dir, "s.json")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"--config", cfg, "--seeds", "2", "--summary", summary,
		"--set", "output.dir=" + dir, "--set", "model.name=sage"}, &stdout, &stderr, false)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"sage-small: sage on small (full), 2 seed(s), 5 epochs", "seed 0", "seed 1", "test accuracy"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	var s map[string]any
	b, err := os.ReadFile(summary)
	if err != nil || json.Unmarshal(b, &s) != nil {
		t.Fatalf("summary: %v %s", err, b)
	}
	for _, k := range []string{"dataset", "model", "mode", "seeds", "test_acc_mean", "test_acc_std", "val_acc_mean", "epoch_seconds_median", "peak_rss_bytes"} {
		if _, ok := s[k]; !ok {
			t.Errorf("summary lacks %s", k)
		}
	}
	if s["model"] != "sage" || s["seeds"] != 2.0 {
		t.Errorf("summary %v", s)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--config", filepath.Join(dir, "missing.yaml")}, "no such file"},
		{[]string{"--set", "model.name=transformer", "--set", "output.dir=" + dir}, "model.name"},
		{[]string{"--set", "bogus"}, "want key.path=value"},
		{[]string{"--seeds", "0", "--set", "output.dir=" + dir}, "seeds"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"--set", "mode=neighbor", "--set", "neighbor.fanouts=[10, 0]", "--set", "output.dir=" + dir}, "neighbor.fanouts[1]: 0"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), tt.args, &stdout, &stderr, false)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%v) = %v, want error containing %q", tt.args, err, tt.want)
		}
	}
}

// TestPrepareIfMissing: --prepare refuses an existing folder;
// --prepare-if-missing keeps a complete one, writes a missing one, and
// trains unless --prepare is also given.
func TestPrepareIfMissing(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "gas")
	args := []string{"--set", "gas.store=" + store, "--set", "dataset.sbm.nodes=2000", "--set", "train.epochs=1",
		"--set", "gas.num_parts=4", "--set", "gas.parts_per_batch=2", "--set", "output.dir=" + dir}
	tests := []struct {
		flags []string
		want  []string // in stdout, or the error with "error: "
	}{
		{[]string{"--prepare-if-missing", "--prepare"}, []string{"wrote " + store}},
		{[]string{"--prepare"}, []string{"error: ", "already exists"}},
		{[]string{"--prepare-if-missing", "--prepare"}, []string{"kept " + store + ": 2000 nodes"}},
		{[]string{"--prepare-if-missing"}, []string{"kept " + store, "test accuracy"}},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append(append([]string{}, tt.flags...), args...), &stdout, &stderr, false)
		got := stdout.String()
		if err != nil {
			got = "error: " + err.Error()
		}
		for _, want := range tt.want {
			if !strings.Contains(got, want) {
				t.Errorf("%v: %q, want %q", tt.flags, got, want)
			}
		}
		if strings.Contains(got, "test accuracy") != slices.Contains(tt.want, "test accuracy") {
			t.Errorf("%v: trained: %q", tt.flags, got)
		}
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"--prepare-if-missing"}, &stdout, &stderr, false); err == nil {
		t.Error("--prepare-if-missing without gas.store accepted")
	}
}
