// Command gcnbench times full-batch GCN training epochs (forward, loss,
// backward, Adam step) of pkg/gnn on the R-MAT benchmark graph, for
// bench/gnn.sh. With -export it first writes the normalised adjacency,
// features, labels and training nodes, so bench/gnn/torch_gcn.py trains
// the same model on exactly the same data.
//
//	go run ./bench/gnn/gcnbench -nodes 200000 -edges 4000000 -export bench/out/gnn/data
//
// It prints one JSON line: {"impl", "epoch_seconds": [...], "loss": [...]}.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/kernels/kernelstest"
	"github.com/gnnscale/gnnscale/pkg/tensor"
	"github.com/gnnscale/gnnscale/pkg/train"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gcnbench:", err)
		os.Exit(1)
	}
}

type opts struct {
	nodes, features, hidden, classes, epochs, warmup, threads int
	edges                                                     int64
	seed                                                      uint64
	export                                                    string
	dropout                                                   float64
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	var o opts
	fs := flag.NewFlagSet("gcnbench", flag.ContinueOnError)
	fs.IntVar(&o.nodes, "nodes", 200_000, "node count")
	fs.Int64Var(&o.edges, "edges", 4_000_000, "edge count")
	fs.Uint64Var(&o.seed, "seed", 1, "graph and data seed")
	fs.IntVar(&o.features, "features", 128, "input features")
	fs.IntVar(&o.hidden, "hidden", 256, "hidden channels")
	fs.IntVar(&o.classes, "classes", 16, "classes")
	fs.IntVar(&o.epochs, "epochs", 10, "timed epochs")
	fs.IntVar(&o.warmup, "warmup", 2, "untimed epochs first")
	fs.IntVar(&o.threads, "threads", 2, "kernel workers")
	fs.Float64Var(&o.dropout, "dropout", 0.5, "dropout after the first layer")
	fs.StringVar(&o.export, "export", "", "write the data for the PyTorch peer to this folder, then benchmark")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the timed epochs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	src, dst := kernelstest.RMAT(o.nodes, o.edges, o.seed)
	raw := kernelstest.InEdgeCSR(o.nodes, src, dst)
	norm, err := gnn.GCNNorm(raw, true, false)
	if err != nil {
		return err
	}
	adj, err := ad.NewSparse(norm)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(o.seed, 7))
	x := tensor.New(o.nodes, o.features)
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64())
	}
	labels := make([]int32, o.nodes)
	var trainIDs []int32
	for i := range labels {
		labels[i] = int32(r.IntN(o.classes))
		if r.IntN(10) == 0 {
			trainIDs = append(trainIDs, int32(i))
		}
	}
	if o.export != "" {
		if err := export(o.export, norm, x, labels, trainIDs); err != nil {
			return err
		}
		if o.epochs == 0 {
			return nil
		}
	}

	// The trainer's GCN with the adjacency already normalised (as PyG's
	// GCNConv with cached=True after the first epoch).
	normalize := false
	m, err := models.Build(models.Config{Name: "gcn", Hidden: o.hidden, Layers: 2, Dropout: o.dropout,
		DropInput: &normalize, Normalize: &normalize}, o.features, o.classes, rand.New(rand.NewPCG(o.seed, 9)))
	if err != nil {
		return err
	}
	opt, err := train.NewOptimizer(train.OptimConfig{Name: "adam", LR: 0.01, WeightDecay: 5e-4}, m)
	if err != nil {
		return err
	}
	b := cpu.New(cpu.WithWorkers(o.threads))
	tp := ad.New(b, ad.WithSeed(o.seed))
	xin := tp.Const(x)
	var secs, losses []float64
	for e := 0; e < o.warmup+o.epochs; e++ {
		if e == o.warmup && *profile != "" {
			f, err := os.Create(*profile)
			if err != nil {
				return err
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		start := time.Now()
		tp.SetTraining(true)
		out := m.Forward(tp, adj, xin)
		loss := tp.CrossEntropy(out, labels, trainIDs)
		opt.ZeroGrad()
		tp.Backward(loss)
		opt.Step()
		l := float64(loss.Scalar())
		tp.Reset()
		if e >= o.warmup {
			secs = append(secs, time.Since(start).Seconds())
			losses = append(losses, l)
		}
	}
	return json.NewEncoder(stdout).Encode(map[string]any{
		"impl": "gnnscale", "variant": "pkg/gnn GCN (" + b.Name() + ")", "epoch_seconds": secs, "loss": losses,
		"nodes": o.nodes, "edges": o.edges, "nnz_normalised": adj.NNZ(),
	})
}

// export writes little-endian raw arrays: indptr.i64, indices.i32,
// values.f32 (the GCN-normalised in-neighbour CSR), x.f32 (nodes x
// features), labels.i32, train.i32.
func export(dir string, a tensor.CSR, x *tensor.Dense, labels, trainIDs []int32) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := map[string]any{
		"indptr.i64": a.Indptr, "indices.i32": a.Indices, "values.f32": a.Values,
		"x.f32": x.Data, "labels.i32": labels, "train.i32": trainIDs,
	}
	for name, data := range files {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		if err := binary.Write(w, binary.LittleEndian, data); err != nil {
			f.Close()
			return err
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
