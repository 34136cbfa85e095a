package datasettest

import "testing"

func TestLoadCora(t *testing.T) {
	ds := Load(t, "cora")
	if ds.NumNodes() != 2708 || ds.NumEdges() != 10556 {
		t.Fatalf("cora: %d nodes %d edges", ds.NumNodes(), ds.NumEdges())
	}
}
