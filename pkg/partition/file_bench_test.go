package partition

import (
	"os"
	"strconv"
	"testing"
)

// BenchmarkPartitionFile partitions the METIS .graph file named by
// GNNSCALE_PARTITION_GRAPH into GNNSCALE_PARTITION_K parts (default 32).
func BenchmarkPartitionFile(b *testing.B) {
	path := os.Getenv("GNNSCALE_PARTITION_GRAPH")
	if path == "" {
		b.Skip("GNNSCALE_PARTITION_GRAPH not set")
	}
	k := 32
	if s := os.Getenv("GNNSCALE_PARTITION_K"); s != "" {
		var err error
		if k, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	g, err := ReadGraph(f, path)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	benchPartition(b, g, k)
}
