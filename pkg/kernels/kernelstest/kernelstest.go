// Package kernelstest is the conformance suite every [kernels.Backend]
// passes. Each TestXxx function takes the narrowest interface it needs, so
// a partial backend can run the groups it implements:
//
//	func TestCPU(t *testing.T) { kernelstest.TestBackend(t, cpu.New()) }
//
// Every kernel is compared with a plain float64 loop on fresh random inputs:
// empty rows, isolated columns, duplicate entries, zero-size, one-column,
// wide and padded (strided) matrices. Buffers are surrounded and padded with
// guard values, and a write outside a matrix's elements fails the test. The
// seed is logged; rerun with -kernelstest.seed=N to replay it.
package kernelstest

import (
	"flag"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/kernels"
)

var seedFlag = flag.Uint64("kernelstest.seed", 0, "seed for kernelstest's random inputs (0: a fresh seed, logged)")

// newRand returns the test's random source, logging its seed.
func newRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("kernelstest seed %d (replay with -kernelstest.seed=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// TestBackend runs every group of the suite against b.
func TestBackend(t *testing.T, b kernels.Backend) {
	t.Logf("backend %s", b.Name())
	t.Run("Gemm", func(t *testing.T) { TestGemm(t, b) })
	t.Run("SpMM", func(t *testing.T) { TestSpMM(t, b) })
	t.Run("SpMMArgBackward", func(t *testing.T) { TestSpMMArgBackward(t, b) })
	t.Run("EdgeDot", func(t *testing.T) { TestEdgeDot(t, b) })
	t.Run("SpMMTranspose", func(t *testing.T) { TestSpMMTranspose(t, b) })
	t.Run("Gather", func(t *testing.T) { TestGather(t, b) })
	t.Run("ScatterAdd", func(t *testing.T) { TestScatterAdd(t, b) })
	t.Run("SegmentSoftmax", func(t *testing.T) { TestSegmentSoftmax(t, b) })
	t.Run("SegmentSoftmaxBackward", func(t *testing.T) { TestSegmentSoftmaxBackward(t, b) })
	t.Run("Elementwise", func(t *testing.T) { TestElementwise(t, b) })
	t.Run("Activation", func(t *testing.T) { TestActivation(t, b) })
	t.Run("Panics", func(t *testing.T) { TestPanics(t, b) })
}
