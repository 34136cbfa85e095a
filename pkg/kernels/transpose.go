package kernels

import "github.com/gnnscale/gnnscale/pkg/tensor"

// Transpose returns the transpose of a as a new CSR (a.Cols x a.Rows) and
// the permutation perm that maps each entry of at to its entry of a:
// at's entry j is a's entry perm[j], so at.Values[j] == a.Values[perm[j]].
// It is how layers run the backward of Sum/Mean SpMM with respect to x:
//
//	dx = SpMM(at, g, Sum)
//
// Build at and perm once per graph; when a's weights change each step,
// refresh at.Values with [PermuteValues] instead of transposing again.
// Within each row of at the entries keep the order of a's rows (a stable
// counting sort), so the result is deterministic. at.Values is nil when
// a.Values is. Transpose assumes a valid matrix (see tensor.CSR.Validate).
func Transpose(a tensor.CSR) (at tensor.CSR, perm []int64) {
	nnz := a.NNZ()
	at = tensor.CSR{
		Rows:    a.Cols,
		Cols:    a.Rows,
		Indptr:  make([]int64, a.Cols+1),
		Indices: make([]int32, nnz),
	}
	perm = make([]int64, nnz)
	for _, c := range a.Indices[:nnz] {
		at.Indptr[c+1]++
	}
	for j := 0; j < a.Cols; j++ {
		at.Indptr[j+1] += at.Indptr[j]
	}
	next := make([]int64, a.Cols)
	copy(next, at.Indptr[:a.Cols])
	for i := 0; i < a.Rows; i++ {
		for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
			c := a.Indices[k]
			p := next[c]
			next[c]++
			at.Indices[p] = int32(i)
			perm[p] = k
		}
	}
	if a.Values != nil {
		at.Values = make([]float32, nnz)
		PermuteValues(at.Values, a.Values, perm)
	}
	return at, perm
}

// PermuteValues sets dst[j] = src[perm[j]]: with perm from [Transpose], it
// carries new values of a over to its transpose. It panics if dst and perm
// differ in length.
func PermuteValues(dst, src []float32, perm []int64) {
	if len(dst) != len(perm) {
		panic("kernels: PermuteValues: dst and perm differ in length")
	}
	for j, k := range perm {
		dst[j] = src[k]
	}
}
