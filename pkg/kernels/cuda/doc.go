// Package cuda is the place of the GPU kernel backend, built only with the
// `cuda` build tag on gorgonia.org/cu v0.9.6. It is designed, not built:
// without the tag (every build today) [New] returns [ErrNotBuilt], so a
// main can ask for the GPU and fall back to kernels/cpu.
//
// # Design
//
// The backend will implement [kernels.Backend] with the same conventions
// and pass the same conformance suite (kernels/kernelstest), the way
// kernels/cpu does; the build-tagged twins follow raft's
// state_trace.go / state_trace_nop.go:
//
//   - backend_cuda.go (//go:build cuda): New creates a cu.Context on the
//     chosen device, loads one PTX module per kernel group (spmm.ptx,
//     indexed.ptx, segment.ptx, elementwise.ptx, generated from .cu sources
//     by `go generate` with nvcc) and a cuBLAS handle for Gemm.
//   - stub.go (//go:build !cuda): New returns ErrNotBuilt.
//
// Residency: kernels take tensor.Dense and tensor.CSR, whose Data are host
// slices, so the first version copies operands to device buffers cached by
// slice identity and copies results back on each call (correct, slow); the
// second lets tensor carry an optional device buffer so layers chain
// kernels on the GPU without round trips. SpMM uses one warp per row (or a
// row-split merge path for skewed rows), Max/Min write arg exactly like the
// CPU, ScatterAdd and SpMMArgBackward use atomicAdd (the GPU has no cheap
// column split), so their float32 sums are not bitwise deterministic; the
// conformance suite's tolerances allow that.
package cuda
