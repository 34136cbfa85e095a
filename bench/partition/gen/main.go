// Command gen writes the generated graphs of the partition benchmark
// (bench/partition.sh) in METIS's .graph format: a 2-D grid, a random
// geometric graph, a stochastic block model and an R-MAT graph. Every
// graph is symmetric without self loops or duplicate edges; node ids are
// randomly permuted (except the grid's row-major ids), so that id order
// gives no partitioner a head start.
//
//	go run ./bench/partition/gen -kind grid -out grid.graph
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/partition"
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
		coo = grid(int(math.Round(math.Sqrt(float64(n)))))
	case "rgg":
		coo = rgg(n, deg, seed)
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
		var err error
		if coo, err = readOGB(in); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown -kind %q", kind)
	}
	g, err := partition.FromCOO(&coo)
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

// grid is the side x side 4-neighbour grid, row-major ids.
func grid(side int) graph.COO {
	c := graph.COO{NumNodes: side * side}
	for i := 0; i < side; i++ {
		for j := 0; j < side; j++ {
			v := int32(i*side + j)
			if j+1 < side {
				c.Src = append(c.Src, v)
				c.Dst = append(c.Dst, v+1)
			}
			if i+1 < side {
				c.Src = append(c.Src, v)
				c.Dst = append(c.Dst, v+int32(side))
			}
		}
	}
	return c
}

// rgg places n points uniformly in the unit square and joins pairs closer
// than r, with r chosen for the given expected average degree.
func rgg(n int, deg float64, seed uint64) graph.COO {
	rng := rand.New(rand.NewPCG(seed, 7))
	r := math.Sqrt(deg / (math.Pi * float64(n)))
	cells := int(1 / r)
	x := make([]float64, n)
	y := make([]float64, n)
	cellOf := func(i int) (int, int) {
		return min(int(x[i]*float64(cells)), cells-1), min(int(y[i]*float64(cells)), cells-1)
	}
	head := make([]int32, cells*cells)
	for i := range head {
		head[i] = -1
	}
	next := make([]int32, n)
	perm := rng.Perm(n)
	for i := 0; i < n; i++ {
		x[i], y[i] = rng.Float64(), rng.Float64()
		cx, cy := cellOf(i)
		next[i] = head[cx*cells+cy]
		head[cx*cells+cy] = int32(i)
	}
	c := graph.COO{NumNodes: n}
	r2 := r * r
	for i := 0; i < n; i++ {
		cx, cy := cellOf(i)
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				ax, ay := cx+dx, cy+dy
				if ax < 0 || ay < 0 || ax >= cells || ay >= cells {
					continue
				}
				for j := head[ax*cells+ay]; j >= 0; j = next[j] {
					if int(j) <= i {
						continue
					}
					ddx, ddy := x[i]-x[j], y[i]-y[j]
					if ddx*ddx+ddy*ddy < r2 {
						c.Src = append(c.Src, int32(perm[i]))
						c.Dst = append(c.Dst, int32(perm[j]))
					}
				}
			}
		}
	}
	return c
}

// readOGB reads the edges of an OGB raw-layout folder.
func readOGB(dir string) (graph.COO, error) {
	var c graph.COO
	lines := func(name string, fn func(string) error) error {
		f, err := os.Open(filepath.Join(dir, "raw", name))
		if err != nil {
			return err
		}
		defer f.Close()
		z, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(z)
		for sc.Scan() {
			if t := strings.TrimSpace(sc.Text()); t != "" {
				if err := fn(t); err != nil {
					return err
				}
			}
		}
		return sc.Err()
	}
	err := lines("num-node-list.csv.gz", func(s string) (err error) {
		c.NumNodes, err = strconv.Atoi(s)
		return err
	})
	if err != nil {
		return c, err
	}
	err = lines("edge.csv.gz", func(s string) error {
		a, b, _ := strings.Cut(s, ",")
		u, err1 := strconv.Atoi(a)
		v, err2 := strconv.Atoi(b)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("bad edge line %q", s)
		}
		c.Src, c.Dst = append(c.Src, int32(u)), append(c.Dst, int32(v))
		return nil
	})
	return c, err
}
