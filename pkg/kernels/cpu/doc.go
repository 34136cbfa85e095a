// Package cpu is the CPU kernel backend: a [kernels.Backend] that runs
// dense products on a BLAS and every other kernel in Go, split across
// goroutines by rows (or by columns for scatters) so that no two workers
// write the same element and no atomics are needed.
//
// # BLAS
//
// Gemm goes through gonum's blas.Float32 interface. With cgo (the default
// build) the implementation is OpenBLAS (cblas_sgemm, linked with
// -lopenblas); with CGO_ENABLED=0 it is gonum's pure-Go
// gonum.org/v1/gonum/blas/gonum. The twin files blas_cgo.go and
// blas_nocgo.go choose. OpenBLAS runs its own thread pool, sized
// process-wide by [WithBLASThreads] (default: the worker count); with one
// BLAS thread and several workers, Gemm splits the rows of its result
// across the workers instead.
//
// # Parallelism
//
// Every kernel whose work exceeds the grain ([WithGrain]) is split into at
// most [WithWorkers] contiguous chunks (default runtime.GOMAXPROCS(0)); the
// calling goroutine runs one chunk and waits for the others, so a Backend
// owns no long-lived goroutines and needs no Close. Sparse kernels split
// rows so that each chunk holds about the same number of entries.
//
// A Backend holds only its settings and may be used from many goroutines
// at once.
package cpu
