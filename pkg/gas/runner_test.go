package gas

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
	"github.com/gnnscale/gnnscale/pkg/gnn/optim"
	"github.com/gnnscale/gnnscale/pkg/history"
	"github.com/gnnscale/gnnscale/pkg/sampling"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// spy wraps a Model and records every layer's input and output values.
type spy struct {
	Model
	in, out map[int]*tensor.Dense
}

func newSpy(m Model) *spy {
	return &spy{Model: m, in: map[int]*tensor.Dense{}, out: map[int]*tensor.Dense{}}
}

func (s *spy) Layer(t *ad.Tape, i int, adj *ad.Sparse, x *ad.Var, st *State) *ad.Var {
	s.in[i] = x.Value.Clone()
	h := s.Model.Layer(t, i, adj, x, st)
	s.out[i] = h.Value.Clone()
	return h
}

func sameRows(t *testing.T, what string, got, want *tensor.Dense) {
	t.Helper()
	if got.Rows != want.Rows || got.Cols != want.Cols {
		t.Fatalf("%s: shape %s, want %s", what, got.Shape(), want.Shape())
	}
	for i := 0; i < got.Rows; i++ {
		for j, v := range got.Row(i) {
			if w := want.At(i, j); math.Float32bits(v) != math.Float32bits(w) {
				t.Fatalf("%s: row %d col %d = %g, want %g", what, i, j, v, w)
			}
		}
	}
}

// TestPushAndPull checks a training step's history traffic for every
// model: history i receives exactly layer i's in-batch rows (every other
// row unchanged), and layer i+1 sees those rows followed by the halo rows
// the history held before the step.
func TestPushAndPull(t *testing.T) {
	const seed = 7
	t.Logf("seed %d", seed)
	f := newFixture(t, 240, 6, seed)
	for _, c := range modelCases() {
		for _, sync := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/sync=%v", caseName(c.cfg, c.opts), sync), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, 1))
				m, err := Build(c.cfg, c.opts, f.src.NumFeatures(), f.src.NumClasses(), r)
				if err != nil {
					t.Fatal(err)
				}
				sp := newSpy(m)
				tables := memTables(m, f.src.NumNodes(), r)
				before := make([]*tensor.Dense, len(tables))
				for i, tb := range tables {
					before[i] = tb.(*history.MemTable).Data().Clone()
				}
				run, err := NewRunner(sp, tables, history.Options{Sync: sync})
				if err != nil {
					t.Fatal(err)
				}
				defer run.Close()
				tp := ad.New(f.bk, ad.WithSeed(seed))
				tp.SetTraining(true)
				b := f.batch(t, tp, c.cfg.Name, []int{4, 1})
				if len(b.Halo()) == 0 {
					t.Fatal("fixture batch has no halo")
				}
				out, err := run.Forward(context.Background(), tp, b)
				if err != nil {
					t.Fatal(err)
				}
				if out.Rows() != b.BatchSize || out.Cols() != f.src.NumClasses() {
					t.Fatalf("output %s, want %dx%d", out.Value.Shape(), b.BatchSize, f.src.NumClasses())
				}
				if err := run.Fence(context.Background()); err != nil {
					t.Fatal(err)
				}
				inBatch := map[int32]int{}
				for i, v := range b.NID[:b.BatchSize] {
					inBatch[v] = i
				}
				for i, tb := range tables {
					data := tb.(*history.MemTable).Data()
					for v := 0; v < data.Rows; v++ {
						want := before[i].Row(v)
						if k, ok := inBatch[int32(v)]; ok {
							want = sp.out[i].Row(k)
						}
						for j, x := range data.Row(v) {
							if math.Float32bits(x) != math.Float32bits(want[j]) {
								t.Fatalf("history %d row %d col %d = %g, want %g (in batch: %v)", i, v, j, x, want[j], ok(inBatch, v))
							}
						}
					}
					in := sp.in[i+1]
					sameRows(t, fmt.Sprintf("layer %d input, in-batch rows", i+1), in.RowView(0, b.BatchSize), sp.out[i])
					for k, v := range b.Halo() {
						got, want := in.Row(b.BatchSize+k), before[i].Row(int(v))
						for j := range got {
							if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
								t.Fatalf("layer %d input halo row %d (node %d) col %d = %g, history had %g", i+1, k, v, j, got[j], want[j])
							}
						}
					}
				}
				tp.Reset()
			})
		}
	}
}

func ok(m map[int32]int, v int) bool { _, in := m[int32(v)]; return in }

// fullLogits runs the model's layers over the whole graph as one batch.
func fullLogits(t *testing.T, f *fixture, m Model, name string) *tensor.Dense {
	tp := ad.New(f.bk)
	tp.SetNoGrad(true)
	all := make([]int, f.parts)
	for i := range all {
		all[i] = i
	}
	b := f.batch(t, tp, name, all)
	if len(b.Halo()) != 0 || b.BatchSize != f.src.NumNodes() {
		t.Fatalf("the whole graph as a batch has %d in-batch rows and %d halo", b.BatchSize, len(b.Halo()))
	}
	x := b.X
	var st State
	for i := 0; i < m.NumLayers(); i++ {
		x = m.Layer(tp, i, b.Adj, x, &st)
	}
	return x.Value.Clone()
}

func maxDiff(a, b *tensor.Dense) float64 {
	var d float64
	for i := 0; i < a.Rows; i++ {
		for j, v := range a.Row(i) {
			d = max(d, math.Abs(float64(v)-float64(b.At(i, j))))
		}
	}
	return d
}

// inferAll runs Infer and gathers the logits of every node.
func inferAll(t *testing.T, f *fixture, run *Runner, name string, per int, tp *ad.Tape) *tensor.Dense {
	t.Helper()
	set, err := NewGroupSet(f.src, f.g, f.ptr, tp, GroupSetOptions{PartsPerBatch: per, GAS: gasOpts(name), Cache: per%2 == 0})
	if err != nil {
		t.Fatal(err)
	}
	out := tensor.New(f.src.NumNodes(), f.src.NumClasses())
	seen := 0
	err = run.Infer(context.Background(), tp, set, func(_ int, b *Batch, logits *tensor.Dense) error {
		at := 0
		for _, r := range b.Ranges {
			out.RowView(int(r.Offset), int(r.Offset+r.Count)).Copy(logits.RowView(at, at+int(r.Count)))
			at += int(r.Count)
			seen += int(r.Count)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != f.src.NumNodes() {
		t.Fatalf("inference produced %d rows for %d nodes", seen, f.src.NumNodes())
	}
	return out
}

// TestInferenceMatchesFullBatch: exact layer-wise inference over batches
// of 1 and 2 partitions equals the same layers over the whole graph, and
// (where pkg/gnn/models has the same architecture) the full-batch model's
// forward pass with the same weights, for histories that start random.
func TestInferenceMatchesFullBatch(t *testing.T) {
	const seed = 11
	t.Logf("seed %d", seed)
	f := newFixture(t, 240, 6, seed)
	full, err := ad.NewSparse(f.csc.Matrix())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range modelCases() {
		for _, per := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/per=%d", caseName(c.cfg, c.opts), per), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, 2))
				m, err := Build(c.cfg, c.opts, f.src.NumFeatures(), f.src.NumClasses(), r)
				if err != nil {
					t.Fatal(err)
				}
				run, err := NewRunner(m, memTables(m, f.src.NumNodes(), r), history.Options{PoolSize: 2, Workers: 2})
				if err != nil {
					t.Fatal(err)
				}
				defer run.Close()
				got := inferAll(t, f, run, c.cfg.Name, per, ad.New(f.bk))
				want := fullLogits(t, f, m, c.cfg.Name)
				if d := maxDiff(got, want); d > 1e-4 {
					t.Fatalf("inference differs from the whole-graph layers by %g", d)
				}
				if c.opts != (Options{}) || c.cfg.BatchNorm {
					return
				}
				fm, err := models.Build(c.cfg, f.src.NumFeatures(), f.src.NumClasses(), rand.New(rand.NewPCG(99, 99)))
				if err != nil {
					t.Fatal(err)
				}
				copyByName(t, fm.Params(), m.Params())
				tp := ad.New(f.bk)
				tp.SetNoGrad(true)
				ref := fm.Forward(tp, full, tp.Const(f.src.X)).Value
				if d := maxDiff(got, ref); d > 1e-4 {
					t.Fatalf("inference differs from the full-batch %s model by %g", c.cfg.Name, d)
				}
			})
		}
	}
}

func copyByName(t *testing.T, dst, src []ad.Named) {
	t.Helper()
	by := map[string]*ad.Param{}
	for _, p := range src {
		by[p.Name] = p.Param
	}
	if len(dst) != len(src) {
		t.Fatalf("full-batch model has %d parameters, GAS model %d", len(dst), len(src))
	}
	for _, p := range dst {
		s, ok := by[p.Name]
		if !ok {
			t.Fatalf("GAS model has no parameter %q", p.Name)
		}
		p.Param.Value.Copy(s.Value)
	}
}

// trainRun trains a model for a few epochs of random batches and returns
// everything the run produced: parameters, histories and final logits.
func trainRun(t *testing.T, f *fixture, c models.Config, o Options, opts history.Options, seed uint64, epochs int) []*tensor.Dense {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 3))
	m, err := Build(c, o, f.src.NumFeatures(), f.src.NumClasses(), r)
	if err != nil {
		t.Fatal(err)
	}
	tables := memTables(m, f.src.NumNodes(), nil)
	run, err := NewRunner(m, tables, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	reg, nonreg := m.Groups()
	opt, err := optim.NewAdam([]optim.Group{{Params: reg, WeightDecay: 5e-4}, {Params: nonreg}}, optim.AdamOptions{LR: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	tp := ad.New(f.bk, ad.WithSeed(seed))
	bt, err := sampling.NewGASBatcher(f.g, f.ptr, gasOpts(c.Name))
	if err != nil {
		t.Fatal(err)
	}
	gb := new(sampling.GASBatch)
	var x FeatureBuffer
	for e := 0; e < epochs; e++ {
		for _, group := range sampling.GASGroups(f.parts, 2, true, seed, e) {
			if err := bt.Build(ctx, group, gb); err != nil {
				t.Fatal(err)
			}
			if !opts.Sync { // the asynchronous runs prefetch, the reference does not
				if err := run.Prefetch(ctx, gb.NID[gb.BatchSize:]); err != nil {
					t.Fatal(err)
				}
			}
			b, err := Assemble(ctx, f.src, tp, gb, &x)
			if err != nil {
				t.Fatal(err)
			}
			tp.SetTraining(true)
			out, err := run.Forward(ctx, tp, b)
			if err != nil {
				t.Fatal(err)
			}
			labels := make([]int32, b.BatchSize)
			split := make([]int8, b.BatchSize)
			if err := f.src.Targets(ctx, b.Ranges, labels, split); err != nil {
				t.Fatal(err)
			}
			rows := []int32{}
			for i := range labels {
				rows = append(rows, int32(i)) // every in-batch node: more gradient traffic
			}
			loss := tp.CrossEntropy(out, labels, rows)
			opt.ZeroGrad()
			tp.Backward(loss)
			opt.Step()
			if err := run.Fence(ctx); err != nil {
				t.Fatal(err)
			}
			tp.Reset()
			tp.ForgetSparseInputs()
		}
	}
	var res []*tensor.Dense
	for _, p := range m.Params() {
		res = append(res, p.Param.Value.Clone())
	}
	for _, tb := range tables {
		res = append(res, tb.(*history.MemTable).Data().Clone())
	}
	return append(res, inferAll(t, f, run, c.Name, 3, tp))
}

// TestAsyncMatchesSync: the asynchronous pool (several pull workers, a
// small pool) and synchronous pulls/pushes give bit-identical parameters,
// histories and predictions after training. Run under -race this also
// checks the fence: a pull that overtook a push of the previous step
// would read other values (and race with the write).
func TestAsyncMatchesSync(t *testing.T) {
	const seed = 23
	t.Logf("seed %d", seed)
	f := newFixture(t, 240, 6, seed)
	epochs := 3
	if testing.Short() {
		epochs = 1
	}
	for _, c := range modelCases() {
		t.Run(caseName(c.cfg, c.opts), func(t *testing.T) {
			want := trainRun(t, f, c.cfg, c.opts, history.Options{Sync: true}, seed, epochs)
			for _, o := range []history.Options{{PoolSize: 1}, {PoolSize: 2, Workers: 3}, {PoolSize: 4, Workers: 2, BufferSize: 240}} {
				got := trainRun(t, f, c.cfg, c.opts, o, seed, epochs)
				for i := range want {
					sameRows(t, fmt.Sprintf("pool %d/%d: result %d", o.PoolSize, o.Workers, i), got[i], want[i])
				}
			}
		})
	}
}

// failTable fails reads or writes after a number of calls.
type failTable struct {
	history.Table
	readErr, writeErr error
}

func (f *failTable) ReadRows(dst *tensor.Dense, ids []int32) error {
	if f.readErr != nil {
		return f.readErr
	}
	return f.Table.ReadRows(dst, ids)
}

func (f *failTable) WriteRange(off int64, src *tensor.Dense) error {
	if f.writeErr != nil {
		return f.writeErr
	}
	return f.Table.WriteRange(off, src)
}

// TestErrors: I/O errors reach the caller of Forward or Fence, and a fixed
// buffer_size too small for a batch is a clear error.
func TestErrors(t *testing.T) {
	f := newFixture(t, 240, 6, 3)
	boom := errors.New("disk on fire")
	cfg := models.Config{Name: "gcn", Hidden: 4, Layers: 2}
	build := func(t *testing.T, tb history.Table, opts history.Options) (*Runner, *ad.Tape, *Batch) {
		m, err := Build(cfg, Options{}, f.src.NumFeatures(), f.src.NumClasses(), rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		run, err := NewRunner(m, []history.Table{tb}, opts)
		if err != nil {
			t.Fatal(err)
		}
		tp := ad.New(f.bk)
		return run, tp, f.batch(t, tp, "gcn", []int{0, 5})
	}
	for _, sync := range []bool{false, true} {
		t.Run(fmt.Sprintf("read/sync=%v", sync), func(t *testing.T) {
			run, tp, b := build(t, &failTable{Table: history.NewMemTable(240, 4), readErr: boom}, history.Options{Sync: sync})
			defer run.Close()
			if _, err := run.Forward(context.Background(), tp, b); !errors.Is(err, boom) {
				t.Fatalf("Forward error %v, want %v", err, boom)
			}
		})
		t.Run(fmt.Sprintf("write/sync=%v", sync), func(t *testing.T) {
			run, tp, b := build(t, &failTable{Table: history.NewMemTable(240, 4), writeErr: boom}, history.Options{Sync: sync})
			defer run.Close()
			_, err := run.Forward(context.Background(), tp, b)
			if err == nil {
				err = run.Fence(context.Background())
			}
			if !errors.Is(err, boom) {
				t.Fatalf("error %v, want %v", err, boom)
			}
		})
	}
	t.Run("buffer_size", func(t *testing.T) {
		run, tp, b := build(t, history.NewMemTable(240, 4), history.Options{BufferSize: 3})
		defer run.Close()
		_, err := run.Forward(context.Background(), tp, b)
		if err == nil || !strings.Contains(err.Error(), "buffer_size") {
			t.Fatalf("error %v, want one naming buffer_size", err)
		}
	})
	t.Run("tables", func(t *testing.T) {
		m, _ := Build(cfg, Options{}, f.src.NumFeatures(), f.src.NumClasses(), rand.New(rand.NewPCG(1, 1)))
		if _, err := NewRunner(m, nil, history.Options{}); err == nil {
			t.Fatal("runner without histories accepted")
		}
		if _, err := NewRunner(m, []history.Table{history.NewMemTable(240, 5)}, history.Options{}); err == nil {
			t.Fatal("history of the wrong width accepted")
		}
	})
	t.Run("model", func(t *testing.T) {
		if _, err := Build(models.Config{Name: "gin"}, Options{}, 3, 2, rand.New(rand.NewPCG(1, 1))); !errors.Is(err, ErrConfig) {
			t.Fatalf("gin: %v, want ErrConfig", err)
		}
	})
}

// TestGroupSetCacheBound: a bounded cache keeps batches only while they
// fit, and a batch served from the cache equals the one built afresh.
func TestGroupSetCacheBound(t *testing.T) {
	f := newFixture(t, 240, 6, 5)
	ctx := context.Background()
	tp := ad.New(f.bk)
	build := func(limit int64) (*GroupSet, []*tensor.Dense) {
		set, err := NewGroupSet(f.src, f.g, f.ptr, tp, GroupSetOptions{PartsPerBatch: 1, GAS: gasOpts("gcn"), Cache: true, CacheFeatures: true, CacheBytes: limit})
		if err != nil {
			t.Fatal(err)
		}
		var xs []*tensor.Dense
		for pass := 0; pass < 2; pass++ {
			for j := 0; j < set.Len(); j++ {
				b, err := set.Get(ctx, j, true)
				if err != nil {
					t.Fatal(err)
				}
				if pass == 0 {
					xs = append(xs, b.X.Value.Clone())
				} else if d := maxDiff(xs[j], b.X.Value); d != 0 {
					t.Fatalf("limit %d: batch %d differs on its second use by %g", limit, j, d)
				}
			}
		}
		return set, xs
	}
	all, _ := build(0)
	total := all.CachedBytes()
	if total == 0 {
		t.Fatal("an unbounded cache holds nothing")
	}
	half, _ := build(total / 2)
	if got := half.CachedBytes(); got == 0 || got > total/2 {
		t.Fatalf("cache bounded at %d bytes holds %d (unbounded: %d)", total/2, got, total)
	}
}
