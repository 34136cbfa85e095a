// Command eval checks partitions independently of the program that made
// them: it reads a METIS .graph file once and, for each .part file given,
// prints "<file> <cut> <imbalance> <empty parts>" computed from scratch.
//
//	go run ./bench/partition/eval -graph g.graph -k 32 g.graph.part.32 ours.part
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gnnscale/gnnscale/pkg/partition"
)

func main() {
	path := flag.String("graph", "", "METIS .graph file")
	k := flag.Int("k", 0, "number of parts")
	flag.Parse()
	if err := run(*path, *k, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "eval:", err)
		os.Exit(1)
	}
}

func run(path string, k int, parts []string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	g, err := partition.ReadGraph(f, path)
	f.Close()
	if err != nil {
		return err
	}
	for _, p := range parts {
		pf, err := os.Open(p)
		if err != nil {
			return err
		}
		part, err := partition.ReadPart(pf, p, g.NumNodes(), k)
		pf.Close()
		if err != nil {
			return err
		}
		cut, pw, err := partition.EdgeCut(g, part, k)
		if err != nil {
			return err
		}
		empty := 0
		cnt := make([]int, k)
		for _, q := range part {
			cnt[q]++
		}
		for _, c := range cnt {
			if c == 0 {
				empty++
			}
		}
		fmt.Printf("%s %d %.4f %d\n", p, cut, partition.Imbalance(pw, g.TotalVertexWeight()), empty)
	}
	return nil
}
