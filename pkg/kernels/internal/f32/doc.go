// Package f32 holds the float32 inner loops the CPU kernels share: Add,
// Axpy, Dot, ScaleTo, Scal and GatherSum (the row gather-reduce at the heart
// of SpMM). On amd64 with AVX2 and FMA the hot ones run in assembly
// (asm_amd64.s); each assembly routine's doc comment in stubs_amd64.go is
// the Go loop it computes, and f32.go holds those loops, used for the
// tails, on CPUs without AVX2, on other architectures and with the noasm
// build tag (stubs_noasm.go). It is a separate package because Go does not
// allow assembly in a package that uses cgo, as kernels/cpu does for
// OpenBLAS.
//
// Functions take slices of equal length (the first argument's) and never
// allocate. They are not safe against overlapping dst and x beyond exact
// aliasing.
package f32
