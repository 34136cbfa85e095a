package cpu

import (
	"fmt"
	"runtime"

	"gonum.org/v1/gonum/blas"

	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/kernels/internal/f32"
)

// DefaultGrain is the default minimum amount of work (roughly, float32
// elements touched) worth handing to one more goroutine.
const DefaultGrain = 1 << 15

// Backend is the CPU implementation of [kernels.Backend].
type Backend struct {
	workers     int
	grain       int
	blasThreads int
	blas        blas.Float32
}

var _ kernels.Backend = (*Backend)(nil)

// Option changes one setting of [New].
type Option func(*Backend)

// WithWorkers sets the number of goroutines a kernel may use (default
// runtime.GOMAXPROCS(0)); n < 1 means the default.
func WithWorkers(n int) Option { return func(b *Backend) { b.workers = n } }

// WithGrain sets the minimum work per goroutine (default [DefaultGrain]);
// smaller inputs run on the calling goroutine alone. Tests set 1 to force
// every split; n < 1 means the default.
func WithGrain(n int) Option { return func(b *Backend) { b.grain = n } }

// WithBLASThreads sets OpenBLAS's thread count (openblas_set_num_threads)
// when built with cgo; it is a process-wide setting of the library, so the
// last Backend created wins. The default is the worker count
// ([WithWorkers]), so a one-worker backend runs single-threaded products
// and several one-worker trainers side by side do not oversubscribe the
// cores. With 1 and several workers, Gemm instead splits the rows of its
// result across the workers, each calling the single-threaded sgemm (no
// BLAS threads spin beside the Go workers between products, at some cost
// on a quiet machine: docs/benchmarks/kernels.md, Gemm/NN-split). n < 1
// means runtime.NumCPU(). Without cgo gonum's pure-Go BLAS parallelises by
// GOMAXPROCS and this has no effect.
func WithBLASThreads(n int) Option {
	return func(b *Backend) {
		if n < 1 {
			n = runtime.NumCPU()
		}
		b.blasThreads = n
	}
}

// New returns a CPU backend with the given options.
func New(opts ...Option) *Backend {
	b := &Backend{}
	for _, o := range opts {
		o(b)
	}
	if b.workers < 1 {
		b.workers = runtime.GOMAXPROCS(0)
	}
	if b.grain < 1 {
		b.grain = DefaultGrain
	}
	if b.blasThreads < 1 {
		b.blasThreads = b.workers
	}
	b.blas = newBLAS(b.blasThreads)
	return b
}

// Name reports the backend, its BLAS and its inner loops, e.g.
// "cpu(workers=2, blas=openblas, asm=avx2)".
func (b *Backend) Name() string {
	return fmt.Sprintf("cpu(workers=%d, blas=%s, asm=%s)", b.workers, blasName, f32.Impl())
}

// Workers returns the configured worker count.
func (b *Backend) Workers() int { return b.workers }
