// Package kernels owns the compute kernels every layer runs on, behind one
// [Backend] interface split into groups as gonum's blas is (Level1/2/3):
// [Dense] products, [Sparse] products over a CSR, [Indexed] gathers and
// scatters, [Segment] reductions over CSR rows and [Elementwise] maps.
//
// The CPU backend lives in package kernels/cpu (dense products go to
// OpenBLAS through cgo by default, gonum's pure Go without cgo; the inner
// loops run in AVX2 assembly with pure-Go twins, see kernels/internal/f32);
// a CUDA backend belongs behind the `cuda` build tag (kernels/cuda).
// [Transpose] and [PermuteValues] build the transposed CSR that the
// backward of Sum/Mean SpMM runs on. Callers receive a Backend
// explicitly (constructor argument), never through a package variable.
// kernels/kernelstest is the conformance suite every backend passes: it
// compares each kernel with a plain float64 loop on fresh random inputs.
//
// Conventions for every method:
//   - The first argument is the destination; it is fully overwritten unless
//     the method name says Add/Accumulate. Shapes that disagree are
//     programmer errors and panic with "kernels: <Method>: ..." naming them.
//   - A destination must not overlap a source unless the method says so.
//   - Sparse matrices are [tensor.CSR]: row i of A lists the entries
//     k in [Indptr[i], Indptr[i+1]) with column Indices[k] and value
//     Values[k] (1 when Values is nil). Duplicate columns are allowed.
//   - Rows with no entries reduce to 0 for every [Reduce] kind (PyG's and
//     torch_scatter's convention), and their arg entries are -1.
package kernels

import "github.com/gnnscale/gnnscale/pkg/tensor"

// Reduce selects how SpMM combines the messages of a row.
type Reduce int

const (
	Sum  Reduce = iota // sum_k v_k x_{c_k}
	Mean               // Sum divided by the row's entry count
	Max                // elementwise max_k v_k x_{c_k}, with arg
	Min                // elementwise min_k v_k x_{c_k}, with arg
)

func (r Reduce) String() string {
	switch r {
	case Sum:
		return "sum"
	case Mean:
		return "mean"
	case Max:
		return "max"
	case Min:
		return "min"
	}
	return "reduce(?)"
}

// Backend is everything a layer may ask of a device.
type Backend interface {
	Name() string
	Dense
	Sparse
	Indexed
	Segment
	Elementwise
}

// Dense holds the dense matrix products.
type Dense interface {
	// Gemm computes c = alpha * op(a) * op(b) + beta * c, where op(x) is x or
	// its transpose. With beta == 0, c's old contents are ignored (NaN too).
	Gemm(transA, transB bool, alpha float32, a, b *tensor.Dense, beta float32, c *tensor.Dense)
}

// Sparse holds products of a CSR with dense matrices.
type Sparse interface {
	// SpMM sets dst (a.Rows x x.Cols) row i to the reduction over the
	// entries k of row i of v_k * x[Indices[k]]. For Max and Min, arg (if
	// non-nil, len dst.Rows*dst.Cols, row-major) receives the entry index k
	// that won each element, or -1 for an empty row; ties keep the first.
	// The Max/Min candidates are the float32 products v_k * x[c, f]. For Sum
	// and Mean, arg is ignored. The backward with respect to x of Sum (and
	// Mean, with values v_k/deg_i) is SpMM with the transpose from
	// [Transpose].
	SpMM(dst *tensor.Dense, a tensor.CSR, x *tensor.Dense, r Reduce, arg []int64)

	// SpMMArgBackward adds, for every element (i, f) with arg[i,f] = k >= 0,
	// v_k * g[i, f] to dst[Indices[k], f]: the gradient of Max/Min SpMM with
	// respect to x. dst is a.Cols x g.Cols.
	SpMMArgBackward(dst *tensor.Dense, a tensor.CSR, g *tensor.Dense, arg []int64)

	// EdgeDot sets dst[k] = <x[i], y[Indices[k]]> for every entry k of row i:
	// the gradient of Sum SpMM with respect to the values when x is the
	// output gradient and y the input (SDDMM). len(dst) == a.NNZ().
	EdgeDot(dst []float32, a tensor.CSR, x, y *tensor.Dense)
}

// Indexed holds row gathers and scatters.
type Indexed interface {
	// Gather sets dst row i to src row ids[i]. Duplicates are allowed.
	Gather(dst, src *tensor.Dense, ids []int32)

	// ScatterAdd adds src row i to dst row ids[i]. Duplicates accumulate.
	ScatterAdd(dst, src *tensor.Dense, ids []int32)
}

// Segment holds reductions over the entries of each CSR row, applied to one
// value column per head: src and dst are nnz x heads matrices whose row k
// belongs to the segment (CSR row) containing entry k.
type Segment interface {
	// SegmentSoftmax sets dst to the softmax of src over each segment and
	// column (numerically stable: the segment max is subtracted first).
	// dst may alias src.
	SegmentSoftmax(dst, src *tensor.Dense, indptr []int64)

	// SegmentSoftmaxBackward sets dst to the gradient with respect to the
	// softmax input given its output y and the output gradient g:
	// dst_k = y_k * (g_k - sum_{j in seg} y_j g_j). dst may alias g.
	SegmentSoftmaxBackward(dst, y, g *tensor.Dense, indptr []int64)
}

// Elementwise holds the maps the layers need. All operate on equal shapes
// unless stated, and dst may alias any source (they are pointwise).
type Elementwise interface {
	// Add sets dst = a + b.
	Add(dst, a, b *tensor.Dense)
	// Axpy adds alpha * x to dst.
	Axpy(dst *tensor.Dense, alpha float32, x *tensor.Dense)
	// Mul sets dst = a ⊙ b.
	Mul(dst, a, b *tensor.Dense)
	// Scale sets dst = alpha * a.
	Scale(dst *tensor.Dense, alpha float32, a *tensor.Dense)
	// AddRowVector adds v (len dst.Cols) to every row of dst (a bias).
	AddRowVector(dst *tensor.Dense, v []float32)
	// SumRows sets dst[j] = sum_i a[i, j] (len dst == a.Cols): the bias
	// gradient.
	SumRows(dst []float32, a *tensor.Dense)
	// ScaleRows multiplies row i of dst by s[i] (len s == dst.Rows).
	ScaleRows(dst *tensor.Dense, s []float32)
	// Activation sets dst = f(a) for the given activation.
	Activation(dst *tensor.Dense, f Act, a *tensor.Dense)
	// ActivationBackward sets dst = g ⊙ f'(.) given the input a and output y
	// of the forward (each activation reads whichever it needs): ReLU and
	// LeakyReLU read a; ELU, Sigmoid, Tanh and Exp read y; Identity reads
	// neither. The operand not read may be nil.
	ActivationBackward(dst *tensor.Dense, f Act, a, y, g *tensor.Dense)
}

// Act names a pointwise activation and its parameter.
type Act struct {
	Kind  ActKind
	Alpha float32 // negative slope for LeakyReLU, alpha for ELU
}

// ActKind enumerates activations.
type ActKind int

const (
	Identity ActKind = iota
	ReLU
	LeakyReLU
	ELU
	Sigmoid
	Tanh
	Exp
)
