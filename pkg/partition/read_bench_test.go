package partition

import (
	"os"
	"testing"
)

// BenchmarkReadGraph reads the .graph file named by
// GNNSCALE_PARTITION_GRAPH (skipped when unset).
func BenchmarkReadGraph(b *testing.B) {
	path := os.Getenv("GNNSCALE_PARTITION_GRAPH")
	if path == "" {
		b.Skip("GNNSCALE_PARTITION_GRAPH not set")
	}
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ReadGraph(f, path); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
