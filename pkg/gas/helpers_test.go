package gas

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/history"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/sampling"
)

// fixture is a small SBM graph cut into parts contiguous id ranges (the
// generator's ids carry no structure, so every batch has a halo).
type fixture struct {
	csc   graph.CSC
	g     *sampling.MemorySource
	ptr   []int64
	src   *MemSource
	ds    *dataset.Dataset
	bk    kernels.Backend
	parts int
}

func newFixture(t testing.TB, nodes, parts int, seed uint64) *fixture {
	t.Helper()
	c := dataset.DefaultSBM()
	c.NumNodes, c.NumClasses, c.NumFeatures, c.AvgDegree, c.Seed = nodes, 4, 12, 6, seed
	ds, err := dataset.SBM(c)
	if err != nil {
		t.Fatal(err)
	}
	coo := graph.Coalesce(ds.Graph)
	coo.Weight = nil
	csc := graph.SortedCSC(coo)
	g, err := sampling.FromCSC(&csc, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ptr := make([]int64, parts+1)
	for p := range ptr {
		ptr[p] = int64(p) * int64(nodes) / int64(parts)
	}
	split := make([]int8, nodes)
	for i := range split {
		split[i] = SplitTest
	}
	for _, v := range ds.Split.Train {
		split[v] = SplitTrain
	}
	src, err := NewMemSource(ds.Features, ds.Labels, split, ds.NumClasses)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{csc: csc, g: g, ptr: ptr, src: src, ds: ds, bk: cpu.New(cpu.WithWorkers(2)), parts: parts}
}

func gasOpts(name string) sampling.GASOptions {
	n := NeedsNormalizedAdj(name)
	return sampling.GASOptions{Normalize: n, SelfLoops: n}
}

// batch builds the GAS batch of parts with its features.
func (f *fixture) batch(t testing.TB, tp *ad.Tape, name string, parts []int) *Batch {
	t.Helper()
	bt, err := sampling.NewGASBatcher(f.g, f.ptr, gasOpts(name))
	if err != nil {
		t.Fatal(err)
	}
	gb := new(sampling.GASBatch)
	if err := bt.Build(context.Background(), parts, gb); err != nil {
		t.Fatal(err)
	}
	var x FeatureBuffer
	b, err := Assemble(context.Background(), f.src, tp, gb, &x)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func memTables(m Model, n int, r *rand.Rand) []history.Table {
	var ts []history.Table
	for i := 0; i < m.NumLayers()-1; i++ {
		tb := history.NewMemTable(n, m.HistoryDim())
		if r != nil {
			for j := range tb.Data().Data {
				tb.Data().Data[j] = float32(r.NormFloat64())
			}
		}
		ts = append(ts, tb)
	}
	return ts
}

// modelCases are the configurations the tests run every check on.
func modelCases() []struct {
	cfg  models.Config
	opts Options
} {
	f := false
	return []struct {
		cfg  models.Config
		opts Options
	}{
		{models.Config{Name: "gcn", Hidden: 8, Layers: 3, Dropout: 0.5}, Options{}},
		{models.Config{Name: "gcn", Hidden: 8, Layers: 3, Dropout: 0.5, BatchNorm: true}, Options{Residual: true, Linear: true}},
		{models.Config{Name: "sage", Hidden: 8, Layers: 2, Dropout: 0.5}, Options{}},
		{models.Config{Name: "gat", Hidden: 4, Heads: 2, Layers: 3, Dropout: 0.5}, Options{}},
		{models.Config{Name: "appnp", Hidden: 8, K: 4, Alpha: 0.1, Dropout: 0.5}, Options{}},
		{models.Config{Name: "gcn2", Hidden: 8, Layers: 4, Alpha: 0.1, Theta: 0.5, Dropout: 0.5}, Options{}},
		{models.Config{Name: "gcn2", Hidden: 8, Layers: 3, Alpha: 0.1, Theta: 0.5, Dropout: 0.5, BatchNorm: true, DropInput: &f}, Options{Residual: true}},
	}
}

func caseName(cfg models.Config, o Options) string {
	s := cfg.Name
	if cfg.BatchNorm {
		s += "+bn"
	}
	if o.Residual {
		s += "+res"
	}
	if o.Linear {
		s += "+lin"
	}
	return s
}
