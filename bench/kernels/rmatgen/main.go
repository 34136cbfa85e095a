// Command rmatgen writes the R-MAT benchmark graph of bench/kernels.sh to a
// file the PyTorch peer reads, so both sides run on the same edges: the Go
// benchmarks in pkg/kernels/cpu generate it in-process with the same
// generator (kernelstest.RMAT) and seed.
//
// The file is little-endian int32: the m sources, then the m destinations.
// It prints the graph's checksum (see kernelstest.CSRChecksum) for the
// report to compare with the peer's.
//
//	go run ./bench/kernels/rmatgen -nodes 200000 -edges 4000000 -seed 1 -out bench/out/rmat.i32
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gnnscale/gnnscale/pkg/kernels/kernelstest"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rmatgen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("rmatgen", flag.ContinueOnError)
	nodes := fs.Int("nodes", 200_000, "node count")
	edges := fs.Int64("edges", 4_000_000, "edge count")
	seed := fs.Uint64("seed", 1, "generator seed")
	out := fs.String("out", "", "output file (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || *nodes < 1 || *edges < 0 {
		return fmt.Errorf("need -out, -nodes >= 1 and -edges >= 0")
	}
	src, dst := kernelstest.RMAT(*nodes, *edges, *seed)
	if err := write(*out, src, dst); err != nil {
		return err
	}
	sum := kernelstest.CSRChecksum(kernelstest.InEdgeCSR(*nodes, src, dst))
	_, err := fmt.Fprintf(stdout, "nodes=%d edges=%d seed=%d checksum=%d\n", *nodes, *edges, *seed, sum)
	return err
}

// write writes src then dst to path through a temporary file, so a failed
// write leaves no partial graph behind.
func write(path string, src, dst []int32) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".rmat-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<20)
	if err = binary.Write(w, binary.LittleEndian, src); err != nil {
		return err
	}
	if err = binary.Write(w, binary.LittleEndian, dst); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
