// Package check holds the argument checks every kernel backend runs before
// touching memory, so that all backends panic with the same messages
// ("kernels: SpMM: dst is 3x4, want 3x5"). Mismatched shapes are programmer
// errors: the checks panic rather than return errors, as gonum's blas does.
// Each check is O(1) except Ids, which is O(len(ids)) and is used where an
// id indexes memory that is not bounds-checked per access by the caller.
package check

import (
	"fmt"
	"unsafe"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Panicf panics with "kernels: <op>: <message>".
func Panicf(op, format string, args ...any) {
	panic(fmt.Sprintf("kernels: %s: %s", op, fmt.Sprintf(format, args...)))
}

// Dense checks that m is non-nil and internally consistent: non-negative
// sizes, Stride >= Cols, Data long enough.
func Dense(op, name string, m *tensor.Dense) {
	if m == nil {
		Panicf(op, "%s is nil", name)
	}
	if m.Rows < 0 || m.Cols < 0 {
		Panicf(op, "%s has negative shape %dx%d", name, m.Rows, m.Cols)
	}
	if m.Rows > 0 && m.Cols > 0 {
		if m.Stride < m.Cols {
			Panicf(op, "%s stride %d < cols %d", name, m.Stride, m.Cols)
		}
		if need := (m.Rows-1)*m.Stride + m.Cols; len(m.Data) < need {
			Panicf(op, "%s is %dx%d stride %d: needs %d values, has %d", name, m.Rows, m.Cols, m.Stride, need, len(m.Data))
		}
	}
}

// Shape checks that m is a valid rows x cols matrix.
func Shape(op, name string, m *tensor.Dense, rows, cols int) {
	Dense(op, name, m)
	if m.Rows != rows || m.Cols != cols {
		Panicf(op, "%s is %dx%d, want %dx%d", name, m.Rows, m.Cols, rows, cols)
	}
}

// Same checks that a and b are valid and have the same shape.
func Same(op, an string, a *tensor.Dense, bn string, b *tensor.Dense) {
	Dense(op, an, a)
	Dense(op, bn, b)
	if a.Rows != b.Rows || a.Cols != b.Cols {
		Panicf(op, "shape mismatch: %s %dx%d vs %s %dx%d", an, a.Rows, a.Cols, bn, b.Rows, b.Cols)
	}
}

// CSR checks the O(1) structure of a: Indptr of length Rows+1 and Indices
// and Values (when not nil) of length NNZ. Column ranges are not checked:
// kernels assume a validated matrix (tensor.CSR.Validate).
func CSR(op string, a tensor.CSR) {
	if a.Rows < 0 || a.Cols < 0 {
		Panicf(op, "csr has negative shape %dx%d", a.Rows, a.Cols)
	}
	if len(a.Indptr) != a.Rows+1 {
		Panicf(op, "csr indptr has %d entries, want rows+1 = %d", len(a.Indptr), a.Rows+1)
	}
	nnz := a.Indptr[a.Rows]
	if a.Indptr[0] != 0 || nnz < 0 {
		Panicf(op, "csr indptr runs from %d to %d", a.Indptr[0], nnz)
	}
	if int64(len(a.Indices)) != nnz {
		Panicf(op, "csr has %d indices, indptr says %d", len(a.Indices), nnz)
	}
	if a.Values != nil && int64(len(a.Values)) != nnz {
		Panicf(op, "csr has %d values, indptr says %d", len(a.Values), nnz)
	}
}

// Indptr checks a segment offset vector for nnz entries.
func Indptr(op string, indptr []int64, nnz int) {
	if len(indptr) == 0 {
		Panicf(op, "indptr is empty, want at least [0]")
	}
	if indptr[0] != 0 || indptr[len(indptr)-1] != int64(nnz) {
		Panicf(op, "indptr runs from %d to %d, want 0 to %d", indptr[0], indptr[len(indptr)-1], nnz)
	}
}

// Ids checks that every id is in [0, n).
func Ids(op string, ids []int32, n int) {
	for i, id := range ids {
		if id < 0 || int(id) >= n {
			Panicf(op, "ids[%d] = %d out of range [0, %d)", i, id, n)
		}
	}
}

// Columns checks that every CSR column index is in [0, n).
func Columns(op string, indices []int32, n int) {
	for k, c := range indices {
		if c < 0 || int(c) >= n {
			Panicf(op, "csr entry %d: column %d out of range [0, %d)", k, c, n)
		}
	}
}

// NoOverlap panics if the memory of dst and src overlaps.
func NoOverlap(op, dn string, dst *tensor.Dense, sn string, src *tensor.Dense) {
	if tensor.Overlap(span(dst), span(src)) {
		Panicf(op, "%s overlaps %s", dn, sn)
	}
}

// AliasOK panics if dst and src overlap without being the same matrix
// (same first element and stride): pointwise kernels allow exact aliasing
// only.
func AliasOK(op, dn string, dst *tensor.Dense, sn string, src *tensor.Dense) {
	d, s := span(dst), span(src)
	if !tensor.Overlap(d, s) {
		return
	}
	if unsafe.SliceData(d) != unsafe.SliceData(s) || dst.Stride != src.Stride {
		Panicf(op, "%s partially overlaps %s (only exact aliasing is allowed)", dn, sn)
	}
}

// span returns the part of m.Data that m's elements occupy.
func span(m *tensor.Dense) []float32 {
	if m.Rows == 0 || m.Cols == 0 {
		return nil
	}
	return m.Data[:(m.Rows-1)*m.Stride+m.Cols]
}

// Span is span for other packages of this module.
func Span(m *tensor.Dense) []float32 { return span(m) }
