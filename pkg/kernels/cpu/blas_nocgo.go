//go:build !cgo

package cpu

import (
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// blasName names the BLAS this build uses.
const blasName = "gonum"

// blasSplits is false: gonum's Sgemm splits the work over goroutines itself.
const blasSplits = false

// newBLAS returns gonum's pure-Go BLAS, which splits large products over
// GOMAXPROCS goroutines on its own; threads is ignored.
func newBLAS(threads int) blas.Float32 { return gonum.Implementation{} }

// blasThreads reports the parallelism gonum's BLAS uses.
func blasThreads() int { return runtime.GOMAXPROCS(0) }
