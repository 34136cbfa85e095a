package cpu_test

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/kernels/kernelstest"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// The benchmark shapes of bench/kernels.sh; bench/kernels/torch_kernels.py
// uses the same ones, and the same R-MAT graph (same generator and seed,
// written to a file for it by bench/kernels/rmatgen).
const (
	benchNodes  = 200_000
	benchEdges  = 4_000_000
	benchFeat   = 128
	benchSeed   = 1
	benchGather = 1_000_000
)

// benchGraph is the shared SpMM fixture, built once per test binary.
type benchGraph struct {
	a, aw, atw tensor.CSR // unweighted, weighted, transpose of weighted
	x, g       *tensor.Dense
}

var loadBenchGraph = sync.OnceValue(func() *benchGraph {
	src, dst := kernelstest.RMAT(benchNodes, benchEdges, benchSeed)
	a := kernelstest.InEdgeCSR(benchNodes, src, dst)
	rng := rand.New(rand.NewPCG(benchSeed, 2))
	aw := a
	aw.Values = make([]float32, a.NNZ())
	for k := range aw.Values {
		aw.Values[k] = rng.Float32()
	}
	atw, _ := kernels.Transpose(aw)
	return &benchGraph{a: a, aw: aw, atw: atw, x: randDense(rng, benchNodes, benchFeat), g: randDense(rng, benchNodes, benchFeat)}
})

// measure runs fn once untimed (so destination pages are faulted in, as in
// a training loop that reuses its buffers), then b.N times, reporting bytes
// per operation (when > 0), allocations and CPU time per operation.
func measure(b *testing.B, bytes int64, fn func()) {
	if bytes > 0 {
		b.SetBytes(bytes)
	}
	fn()
	b.ReportAllocs()
	b.ResetTimer()
	c := startCPU()
	for range b.N {
		fn()
	}
	c.report(b)
}

func randDense(rng *rand.Rand, rows, cols int) *tensor.Dense {
	m := tensor.New(rows, cols)
	for i := range m.Data {
		m.Data[i] = 2*rng.Float32() - 1
	}
	return m
}

func BenchmarkGemm(b *testing.B) {
	const m, k, n = 4096, 512, 256
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name    string
		tA, tB  bool
		threads int // OpenBLAS threads; 0 = the default (one per worker), 1 = rows split over the workers
	}{
		{"NN", false, false, 0}, {"NT", false, true, 0}, {"TN", true, false, 0}, {"TT", true, true, 0},
		{"NN-split", false, false, 1}, {"NT-split", false, true, 1},
	} {
		b.Run(tc.name, func(b *testing.B) {
			// New sets OpenBLAS's process-wide thread count, so each case
			// builds its own backend.
			opts := []cpu.Option{}
			if tc.threads != 0 {
				opts = append(opts, cpu.WithBLASThreads(tc.threads))
			}
			bk := cpu.New(opts...)
			a := randDense(rng, m, k)
			if tc.tA {
				a = randDense(rng, k, m)
			}
			bm := randDense(rng, k, n)
			if tc.tB {
				bm = randDense(rng, n, k)
			}
			c := tensor.New(m, n)
			measure(b, 0, func() { bk.Gemm(tc.tA, tc.tB, 1, a, bm, 0, c) })
			b.ReportMetric(2*m*k*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkSpMM(b *testing.B) {
	g := loadBenchGraph()
	b.Logf("graph checksum %d", kernelstest.CSRChecksum(g.a))
	bk := cpu.New()
	dst := tensor.New(benchNodes, benchFeat)
	arg := make([]int64, benchNodes*benchFeat)
	for _, tc := range []struct {
		name string
		a    tensor.CSR
		r    kernels.Reduce
		arg  []int64
	}{
		{"sum", g.aw, kernels.Sum, nil},
		{"sum-unweighted", g.a, kernels.Sum, nil},
		{"mean", g.a, kernels.Mean, nil},
		{"max", g.a, kernels.Max, arg},
		{"max-noarg", g.a, kernels.Max, nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			measure(b, tc.a.NNZ()*benchFeat*4, func() { bk.SpMM(dst, tc.a, g.x, tc.r, tc.arg) })
		})
	}
}

// BenchmarkSpMMBackward times the gradient of Sum SpMM with respect to x,
// a^T g, as SpMM over the transpose kernels.Transpose builds once.
func BenchmarkSpMMBackward(b *testing.B) {
	g := loadBenchGraph()
	bk := cpu.New()
	dst := tensor.New(benchNodes, benchFeat)
	b.Run("sum", func(b *testing.B) {
		measure(b, g.atw.NNZ()*benchFeat*4, func() { bk.SpMM(dst, g.atw, g.g, kernels.Sum, nil) })
	})
	b.Run("max", func(b *testing.B) {
		arg := make([]int64, benchNodes*benchFeat)
		bk.SpMM(tensor.New(benchNodes, benchFeat), g.a, g.x, kernels.Max, arg)
		measure(b, benchNodes*benchFeat*4, func() {
			dst.Zero()
			bk.SpMMArgBackward(dst, g.a, g.g, arg)
		})
	})
}

func BenchmarkEdgeDot(b *testing.B) {
	g := loadBenchGraph()
	bk := cpu.New()
	dst := make([]float32, g.a.NNZ())
	measure(b, g.a.NNZ()*benchFeat*4, func() { bk.EdgeDot(dst, g.a, g.g, g.x) })
}

func benchIDs(n, count int) []int32 {
	rng := rand.New(rand.NewPCG(3, 3))
	ids := make([]int32, count)
	for i := range ids {
		ids[i] = int32(rng.IntN(n))
	}
	return ids
}

func BenchmarkGather(b *testing.B) {
	bk := cpu.New()
	x := randDense(rand.New(rand.NewPCG(7, 7)), benchNodes, benchFeat)
	ids := benchIDs(benchNodes, benchGather)
	dst := tensor.New(benchGather, benchFeat)
	measure(b, benchGather*benchFeat*4, func() { bk.Gather(dst, x, ids) })
}

func BenchmarkScatterAdd(b *testing.B) {
	bk := cpu.New()
	ids := benchIDs(benchNodes, benchGather)
	src := randDense(rand.New(rand.NewPCG(4, 4)), benchGather, benchFeat)
	dst := tensor.New(benchNodes, benchFeat)
	measure(b, benchGather*benchFeat*4, func() { bk.ScatterAdd(dst, src, ids) })
}

func BenchmarkSegmentSoftmax(b *testing.B) {
	g := loadBenchGraph()
	bk := cpu.New()
	const heads = 4
	rng := rand.New(rand.NewPCG(5, 5))
	src := randDense(rng, int(g.a.NNZ()), heads)
	dst := tensor.New(src.Rows, heads)
	for _, tc := range []struct {
		name string
		run  func()
	}{
		{"forward", func() { bk.SegmentSoftmax(dst, src, g.a.Indptr) }},
		{"backward", func() { bk.SegmentSoftmaxBackward(dst, src, src, g.a.Indptr) }},
	} {
		b.Run(tc.name, func(b *testing.B) { measure(b, int64(src.Rows)*heads*4, tc.run) })
	}
}

// BenchmarkElementwise times the pointwise maps on a node feature matrix
// (200k x 128).
func BenchmarkElementwise(b *testing.B) {
	bk := cpu.New()
	rng := rand.New(rand.NewPCG(6, 6))
	x, y := randDense(rng, benchNodes, benchFeat), randDense(rng, benchNodes, benchFeat)
	d := tensor.New(benchNodes, benchFeat)
	bias := make([]float32, benchFeat)
	for _, tc := range []struct {
		name string
		run  func()
	}{
		{"Add", func() { bk.Add(d, x, y) }},
		{"Axpy", func() { bk.Axpy(d, 0.5, x) }},
		{"Mul", func() { bk.Mul(d, x, y) }},
		{"AddRowVector", func() { bk.AddRowVector(d, bias) }},
		{"SumRows", func() { bk.SumRows(bias, x) }},
		{"ReLU", func() { bk.Activation(d, kernels.Act{Kind: kernels.ReLU}, x) }},
		{"ReLUBackward", func() { bk.ActivationBackward(d, kernels.Act{Kind: kernels.ReLU}, x, nil, y) }},
		{"Sigmoid", func() { bk.Activation(d, kernels.Act{Kind: kernels.Sigmoid}, x) }},
		{"ELU", func() { bk.Activation(d, kernels.Act{Kind: kernels.ELU, Alpha: 1}, x) }},
		{"Tanh", func() { bk.Activation(d, kernels.Act{Kind: kernels.Tanh}, x) }},
	} {
		b.Run(tc.name, func(b *testing.B) { measure(b, benchNodes*benchFeat*4, tc.run) })
	}
}
