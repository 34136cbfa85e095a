// Command gen writes the generated graphs of the partition benchmark
// (bench/partition.sh) in METIS's .graph format: a 2-D grid, a random
// geometric graph, a stochastic block model and an R-MAT graph, from
// pkg/dataset's generators, and the shared OGB datasets converted. Every
// graph is symmetric without self loops or duplicate edges; node ids carry
// no locality (RGG points are numbered in generation order, SBM and R-MAT
// ids are permuted) except the grid's row-major ids.
//
//	go run ./bench/partition/gen -kind grid -out grid.graph
package main

import (
	"flag"
	"fmt"
	"math"
	"os"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/partition"
	"github.com/gnnscale/gnnscale/pkg/partition/partcli"
)

func main() {
	kind := flag.String("kind", "grid", "grid, rgg, sbm, rmat or ogb (convert -in DIR, an OGB raw-layout folder)")
	in := flag.String("in", "", "ogb: dataset folder")
	out := flag.String("out", "", "output .graph file (required)")
	n := flag.Int("n", 1000000, "nodes (grid: side*side with side = sqrt(n); rmat: 2^ceil(log2 n))")
	deg := flag.Float64("deg", 14, "average degree (rgg, sbm)")
	blocks := flag.Int("blocks", 64, "sbm blocks")
	homophily := flag.Float64("homophily", 0.8, "sbm fraction of intra-block edges")
	ef := flag.Int("edgefactor", 10, "rmat generated edges per node")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(*kind, *in, *out, *n, *deg, *blocks, *homophily, *ef, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(kind, in, out string, n int, deg float64, blocks int, homophily float64, ef int, seed uint64) error {
	if out == "" {
		return fmt.Errorf("-out is required")
	}
	var coo graph.COO
	switch kind {
	case "grid":
		side := int(math.Round(math.Sqrt(float64(n))))
		ds, err := dataset.Grid(dataset.GridConfig{Width: side, Height: side})
		if err != nil {
			return err
		}
		coo = ds.Graph
	case "rgg":
		ds, err := dataset.RGG(dataset.RGGConfig{NumNodes: n, AvgDegree: deg, SpatialConfig: dataset.SpatialConfig{Seed: seed}})
		if err != nil {
			return err
		}
		coo = ds.Graph
	case "sbm":
		ds, err := dataset.SBM(dataset.SBMConfig{NumNodes: n, NumClasses: blocks, AvgDegree: deg,
			Homophily: homophily, TrainFrac: 0.1, ValidFrac: 0.1, Seed: seed})
		if err != nil {
			return err
		}
		coo = ds.Graph
	case "rmat":
		scale := int(math.Ceil(math.Log2(float64(n))))
		var err error
		coo, err = dataset.RMATEdges(dataset.RMATConfig{Scale: scale, EdgeFactor: ef, Permute: true,
			Symmetrize: true, NoSelfLoops: true, Seed: seed})
		if err != nil {
			return err
		}
	case "ogb":
	default:
		return fmt.Errorf("unknown -kind %q", kind)
	}
	var g *partition.Graph
	var err error
	if kind == "ogb" {
		g, err = partcli.LoadInput(in, "ogb")
	} else {
		g, err = partition.FromCOO(&coo)
	}
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := partition.WriteGraph(f, g); err != nil {
		f.Close()
		return err
	}
	iso := 0
	for v := 0; v < g.NumNodes(); v++ {
		if g.Xadj[v] == g.Xadj[v+1] {
			iso++
		}
	}
	fmt.Fprintf(os.Stderr, "gen: %s: %d nodes, %d edges, %d isolated\n", out, g.NumNodes(), g.NumEdges(), iso)
	return f.Close()
}
