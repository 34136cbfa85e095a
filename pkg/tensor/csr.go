package tensor

import "fmt"

// CSR is a compressed sparse row matrix view, the sparse operand of the
// kernels. Row i holds entries k in [Indptr[i], Indptr[i+1]): column
// Indices[k] with value Values[k] (or 1 when Values is nil). Offsets are
// int64 so a matrix may hold more than 2^31 entries; column ids are int32.
// Columns within a row need not be sorted and may repeat.
type CSR struct {
	Rows, Cols int
	Indptr     []int64   // len Rows+1, Indptr[0] == 0, non-decreasing
	Indices    []int32   // len NNZ, each in [0, Cols)
	Values     []float32 // nil (all ones) or len NNZ
}

// Bytes returns the memory a's slices hold (their capacities).
func (a CSR) Bytes() int64 {
	return int64(cap(a.Indptr))*8 + int64(cap(a.Indices)+cap(a.Values))*4
}

// NNZ returns the number of stored entries.
func (a CSR) NNZ() int64 {
	if len(a.Indptr) == 0 {
		return 0
	}
	return a.Indptr[len(a.Indptr)-1]
}

// Validate checks every structural rule and names the first offending row or
// entry. Kernels assume a valid matrix; validate anything built from outside
// data first.
func (a CSR) Validate() error {
	if a.Rows < 0 || a.Cols < 0 {
		return fmt.Errorf("tensor: csr: negative dimension %dx%d", a.Rows, a.Cols)
	}
	if len(a.Indptr) != a.Rows+1 {
		return fmt.Errorf("tensor: csr: indptr has %d entries, want rows+1 = %d", len(a.Indptr), a.Rows+1)
	}
	if a.Indptr[0] != 0 {
		return fmt.Errorf("tensor: csr: indptr[0] = %d, want 0", a.Indptr[0])
	}
	for i := 0; i < a.Rows; i++ {
		if a.Indptr[i+1] < a.Indptr[i] {
			return fmt.Errorf("tensor: csr: row %d: indptr decreases (%d > %d)", i, a.Indptr[i], a.Indptr[i+1])
		}
	}
	nnz := a.Indptr[a.Rows]
	if int64(len(a.Indices)) != nnz {
		return fmt.Errorf("tensor: csr: %d indices, indptr says %d", len(a.Indices), nnz)
	}
	if a.Values != nil && int64(len(a.Values)) != nnz {
		return fmt.Errorf("tensor: csr: %d values, indptr says %d", len(a.Values), nnz)
	}
	for i := 0; i < a.Rows; i++ {
		for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
			if c := a.Indices[k]; c < 0 || int(c) >= a.Cols {
				return fmt.Errorf("tensor: csr: row %d entry %d: column %d out of range [0, %d)", i, k, c, a.Cols)
			}
		}
	}
	return nil
}

// Value returns the value of entry k (1 when the matrix is unweighted).
func (a CSR) Value(k int64) float32 {
	if a.Values == nil {
		return 1
	}
	return a.Values[k]
}

// ToDense expands a into a dense matrix, summing duplicate entries. It is a
// reference for tests, not a kernel.
func (a CSR) ToDense() *Dense {
	d := New(a.Rows, a.Cols)
	for i := 0; i < a.Rows; i++ {
		r := d.Row(i)
		for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
			r[a.Indices[k]] += a.Value(k)
		}
	}
	return d
}
