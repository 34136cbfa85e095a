// Package datasettest gives tests the real data sets (cora, amazon-photo,
// coauthor-cs) under $GNNSCALE_DATASETS with the project's rule: a test
// that needs one skips when it is absent, unless GNNSCALE_REQUIRE_DATASETS=1,
// in which case it fails.
package datasettest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/dataset"
)

// Root returns $GNNSCALE_DATASETS, or else ../shared/datasets relative to
// the repository root (the folder holding go.mod above the working
// directory), or "" if neither can be found.
func Root() string {
	if d := os.Getenv("GNNSCALE_DATASETS"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "datasets")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Required reports whether GNNSCALE_REQUIRE_DATASETS=1.
func Required() bool { return os.Getenv("GNNSCALE_REQUIRE_DATASETS") == "1" }

// Dir returns the folder of the named data set, skipping t if it is absent
// (failing it if data sets are required).
func Dir(t testing.TB, name string) string {
	t.Helper()
	dir := filepath.Join(Root(), name)
	if _, err := os.Stat(filepath.Join(dir, dataset.NumNodesFile)); err != nil {
		if Required() {
			t.Fatalf("data set %s required (GNNSCALE_REQUIRE_DATASETS=1) but not found: %v", name, err)
		}
		t.Skipf("data set %s not found (set GNNSCALE_DATASETS): %v", name, err)
	}
	return dir
}

// Load loads the named data set with its default split, as [Dir] skips or
// fails when it is absent, and fails t on a load error.
func Load(t testing.TB, name string) *dataset.Dataset {
	t.Helper()
	ds, err := dataset.Load(context.Background(), Dir(t, name), nil)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return ds
}
