package cpu

import (
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/kernels/internal/check"
	"github.com/gnnscale/gnnscale/pkg/kernels/internal/f32"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// SpMM sets dst row i to the reduction r over the entries k of row i of a of
// v_k * x[Indices[k]]. Rows are split across workers by entry count; each
// worker owns its dst rows, so no synchronisation is needed. For Sum and
// Mean, arg is ignored.
func (b *Backend) SpMM(dst *tensor.Dense, a tensor.CSR, x *tensor.Dense, r kernels.Reduce, arg []int64) {
	const op = "SpMM"
	check.CSR(op, a)
	check.Shape(op, "x", x, a.Cols, x.Cols)
	check.Shape(op, "dst", dst, a.Rows, x.Cols)
	check.NoOverlap(op, "dst", dst, "x", x)
	switch r {
	case kernels.Sum, kernels.Mean:
		arg = nil
	case kernels.Max, kernels.Min:
		if arg != nil && len(arg) != dst.Rows*dst.Cols {
			check.Panicf(op, "arg has %d entries, want %d", len(arg), dst.Rows*dst.Cols)
		}
	default:
		check.Panicf(op, "unknown reduce %d", int(r))
	}
	if dst.Cols == 0 {
		return
	}
	check.Columns(op, a.Indices, x.Rows) // the assembly gathers do not bounds-check
	b.parallelRows(a.Indptr, x.Cols, func(lo, hi int) {
		switch r {
		case kernels.Sum, kernels.Mean:
			spmmSumRows(dst, a, x, r == kernels.Mean, lo, hi)
		default:
			spmmExtRows(dst, a, x, r == kernels.Max, arg, lo, hi)
		}
	})
}

// spmmSumRows computes rows [lo, hi) of Sum (or Mean) SpMM. The column
// indices have been checked against x's rows (f32.GatherSum relies on it).
func spmmSumRows(dst *tensor.Dense, a tensor.CSR, x *tensor.Dense, mean bool, lo, hi int) {
	for i := lo; i < hi; i++ {
		row := dst.Row(i)
		k0, k1 := a.Indptr[i], a.Indptr[i+1]
		if k0 == k1 {
			clear(row)
			continue
		}
		var vals []float32
		if a.Values != nil {
			vals = a.Values[k0:k1]
		}
		f32.GatherSum(row, x.Data, x.Stride, 0, a.Indices[k0:k1], vals)
		if mean {
			f32.Scal(row, 1/float32(k1-k0))
		}
	}
}

// spmmExtRows computes rows [lo, hi) of Max (max true) or Min SpMM,
// recording the winning entry in arg when it is not nil. The column indices
// have been checked against x's rows (f32.GatherExt relies on it).
func spmmExtRows(dst *tensor.Dense, a tensor.CSR, x *tensor.Dense, max bool, arg []int64, lo, hi int) {
	f := dst.Cols
	for i := lo; i < hi; i++ {
		row := dst.Row(i)
		var ar []int64
		if arg != nil {
			ar = arg[i*f : (i+1)*f : (i+1)*f]
		}
		k0, k1 := a.Indptr[i], a.Indptr[i+1]
		if k0 == k1 {
			clear(row)
			for j := range ar {
				ar[j] = -1
			}
			continue
		}
		var vals []float32
		if a.Values != nil {
			vals = a.Values[k0:k1]
		}
		f32.GatherExt(row, ar, x.Data, x.Stride, 0, a.Indices[k0:k1], vals, k0, max)
	}
}

// SpMMArgBackward adds v_k * g[i, f] to dst[Indices[k], f] for every
// element with arg[i, f] = k >= 0. Several rows may send to one dst row, so
// the work is split by feature columns: each worker owns a band of columns
// of dst and no two workers write the same element.
func (b *Backend) SpMMArgBackward(dst *tensor.Dense, a tensor.CSR, g *tensor.Dense, arg []int64) {
	const op = "SpMMArgBackward"
	check.CSR(op, a)
	check.Shape(op, "g", g, a.Rows, g.Cols)
	check.Shape(op, "dst", dst, a.Cols, g.Cols)
	check.NoOverlap(op, "dst", dst, "g", g)
	f := g.Cols
	if len(arg) != a.Rows*f {
		check.Panicf(op, "arg has %d entries, want %d", len(arg), a.Rows*f)
	}
	if f == 0 {
		return
	}
	b.parallelCols(f, a.Rows*f, func(flo, fhi int) {
		for i := 0; i < a.Rows; i++ {
			ar := arg[i*f+flo : i*f+fhi]
			gr := g.Row(i)[flo:fhi]
			for j, k := range ar {
				if k < 0 {
					continue
				}
				dst.Data[int(a.Indices[k])*dst.Stride+flo+j] += a.Value(k) * gr[j]
			}
		}
	})
}

// EdgeDot sets dst[k] = <x[i], y[Indices[k]]> for every entry k of row i.
func (b *Backend) EdgeDot(dst []float32, a tensor.CSR, x, y *tensor.Dense) {
	const op = "EdgeDot"
	check.CSR(op, a)
	check.Shape(op, "x", x, a.Rows, x.Cols)
	check.Shape(op, "y", y, a.Cols, x.Cols)
	if int64(len(dst)) != a.NNZ() {
		check.Panicf(op, "dst has %d entries, want nnz = %d", len(dst), a.NNZ())
	}
	b.parallelRows(a.Indptr, x.Cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xr := x.Row(i)
			for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
				dst[k] = f32.Dot(xr, y.Row(int(a.Indices[k])))
			}
		}
	})
}
