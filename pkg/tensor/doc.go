// Package tensor owns the two value types every other package computes on:
// [Dense], a row-major float32 matrix, and [CSR], a compressed sparse row
// matrix view with int64 offsets and int32 column indices. It also holds the
// few operations on them that are not compute kernels (shape checks, copies,
// row views, gathers used for tests and glue) and the Arrow conversion.
//
// # Shapes and panics
//
// Dense is a plain struct like gonum's blas32.General: Rows, Cols, Stride and
// Data, where element (i, j) is Data[i*Stride+j]. Internal callers that pass
// mismatched shapes are programmer errors and panic with a message naming both
// shapes ("tensor: shape mismatch: dst 3x4, src 3x5"). Data that comes from
// outside the process (files, Arrow, the network) is validated with
// [Dense.Validate] or [CSR.Validate] and rejected with an error instead.
//
// # Aliasing
//
// Functions leave their inputs unchanged; operations that write a result are
// methods on the destination. A destination must not overlap a source unless a
// method says otherwise; overlap that can be detected cheaply panics
// ("Don't be clever", as gonum's mat says).
package tensor
