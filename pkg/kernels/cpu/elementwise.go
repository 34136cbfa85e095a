package cpu

import (
	"github.com/gnnscale/gnnscale/pkg/kernels/internal/check"
	"github.com/gnnscale/gnnscale/pkg/kernels/internal/f32"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// packed reports whether m's rows are laid out back to back.
func packed(m *tensor.Dense) bool { return m == nil || m.Contiguous() }

// flat returns rows [lo, hi) of a packed matrix as one slice.
func flat(m *tensor.Dense, lo, hi int) []float32 { return m.Data[lo*m.Cols : hi*m.Cols] }

// rowOf returns row i of m, or nil when m is nil.
func rowOf(m *tensor.Dense, i int) []float32 {
	if m == nil {
		return nil
	}
	return m.Row(i)
}

// flatOf is flat that passes a nil matrix through as nil.
func flatOf(m *tensor.Dense, lo, hi int) []float32 {
	if m == nil {
		return nil
	}
	return flat(m, lo, hi)
}

// each splits dst's rows across workers and calls fn on matching slices of
// dst and the sources (any of which may be nil): one call per row range
// when every matrix is packed, one per row otherwise.
func (b *Backend) each(dst, x, y, z *tensor.Dense, fn func(d, x, y, z []float32)) {
	if dst.Rows == 0 || dst.Cols == 0 {
		return
	}
	all := packed(dst) && packed(x) && packed(y) && packed(z)
	b.parallel(dst.Rows, dst.Rows*dst.Cols, func(lo, hi int) {
		if all {
			fn(flat(dst, lo, hi), flatOf(x, lo, hi), flatOf(y, lo, hi), flatOf(z, lo, hi))
			return
		}
		for i := lo; i < hi; i++ {
			fn(dst.Row(i), rowOf(x, i), rowOf(y, i), rowOf(z, i))
		}
	})
}

// streaming reports whether dst is so large (f32.NTMin) that writing it with
// non-temporal stores, which skip reading its lines first, pays.
func streaming(dst *tensor.Dense) bool { return dst.Rows*dst.Stride*4 >= f32.NTMin }

// pointwise checks that src has dst's shape and may alias it only exactly.
func pointwise(op string, dst *tensor.Dense, name string, src *tensor.Dense) {
	check.Same(op, "dst", dst, name, src)
	check.AliasOK(op, "dst", dst, name, src)
}

// Add sets dst = a + b.
func (bk *Backend) Add(dst, a, b *tensor.Dense) {
	pointwise("Add", dst, "a", a)
	pointwise("Add", dst, "b", b)
	stream := streaming(dst)
	bk.each(dst, a, b, nil, func(d, x, y, _ []float32) { f32.VAdd(d, x, y, stream) })
}

// Axpy adds alpha * x to dst.
func (b *Backend) Axpy(dst *tensor.Dense, alpha float32, x *tensor.Dense) {
	pointwise("Axpy", dst, "x", x)
	b.each(dst, x, nil, nil, func(d, x, _, _ []float32) { f32.Axpy(d, alpha, x) })
}

// Mul sets dst = a ⊙ b.
func (bk *Backend) Mul(dst, a, b *tensor.Dense) {
	pointwise("Mul", dst, "a", a)
	pointwise("Mul", dst, "b", b)
	stream := streaming(dst)
	bk.each(dst, a, b, nil, func(d, x, y, _ []float32) { f32.VMul(d, x, y, stream) })
}

// Scale sets dst = alpha * a.
func (b *Backend) Scale(dst *tensor.Dense, alpha float32, a *tensor.Dense) {
	pointwise("Scale", dst, "a", a)
	stream := streaming(dst)
	b.each(dst, a, nil, nil, func(d, x, _, _ []float32) { f32.VScale(d, alpha, x, stream) })
}

// AddRowVector adds v to every row of dst.
func (b *Backend) AddRowVector(dst *tensor.Dense, v []float32) {
	const op = "AddRowVector"
	check.Dense(op, "dst", dst)
	if len(v) != dst.Cols {
		check.Panicf(op, "v has %d entries, want dst.Cols = %d", len(v), dst.Cols)
	}
	if dst.Cols == 0 {
		return
	}
	b.parallel(dst.Rows, dst.Rows*dst.Cols, func(lo, hi int) {
		f32.AddRows(dst.Data[lo*dst.Stride:], dst.Stride, hi-lo, v)
	})
}

// ScaleRows multiplies row i of dst by s[i].
func (b *Backend) ScaleRows(dst *tensor.Dense, s []float32) {
	const op = "ScaleRows"
	check.Dense(op, "dst", dst)
	if len(s) != dst.Rows {
		check.Panicf(op, "s has %d entries, want dst.Rows = %d", len(s), dst.Rows)
	}
	if dst.Cols == 0 {
		return
	}
	b.parallel(dst.Rows, dst.Rows*dst.Cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f32.Scal(dst.Row(i), s[i])
		}
	})
}

// SumRows sets dst[j] = sum_i a[i, j]. Each column is summed in float32
// over blocks of sumBlock rows and the block sums are accumulated in
// float64, so long columns keep their precision. Workers split the rows,
// each summing its rows into its own partial sums (one small allocation per
// call), which are then added in chunk order; a single worker needs no
// allocation.
func (b *Backend) SumRows(dst []float32, a *tensor.Dense) {
	const op = "SumRows"
	check.Dense(op, "a", a)
	if len(dst) != a.Cols {
		check.Panicf(op, "dst has %d entries, want a.Cols = %d", len(dst), a.Cols)
	}
	if a.Cols == 0 {
		return
	}
	c := b.chunks(a.Rows*a.Cols, a.Rows)
	if c <= 1 {
		for c0 := 0; c0 < a.Cols; c0 += sumBand {
			c1 := min(c0+sumBand, a.Cols)
			sumRowsBand(dst[c0:c1], a, c0, 0, a.Rows, nil)
		}
		return
	}
	f := a.Cols
	acc := make([]float64, c*f)
	b.parallelChunks(a.Rows, c, func(w, lo, hi int) {
		for c0 := 0; c0 < f; c0 += sumBand {
			c1 := min(c0+sumBand, f)
			sumRowsBand(nil, a, c0, lo, hi, acc[w*f+c0:w*f+c1])
		}
	})
	for j := range dst {
		s := acc[j]
		for w := 1; w < c; w++ {
			s += acc[w*f+j]
		}
		dst[j] = float32(s)
	}
}

const (
	sumBand  = 256 // columns summed together (stack buffers)
	sumBlock = 256 // rows summed in float32 before widening
)

// sumRowsBand sums rows [lo, hi) of the columns [c0, c0+w) of a, w <=
// sumBand: into out (float64, len w) when it is not nil, else into dst
// (len w).
func sumRowsBand(dst []float32, a *tensor.Dense, c0, lo, hi int, out []float64) {
	w := len(dst)
	if out != nil {
		w = len(out)
	}
	var acc [sumBand]float64
	var part [sumBand]float32
	var rows [sumBlock]int32
	for r0 := lo; r0 < hi; r0 += sumBlock {
		n := min(sumBlock, hi-r0)
		for k := range n {
			rows[k] = int32(r0 + k)
		}
		p := part[:w]
		f32.GatherSum(p, a.Data, a.Stride, c0, rows[:n], nil) // rows r0.. in registers
		for j, v := range p {
			acc[j] += float64(v)
		}
	}
	if out != nil {
		copy(out, acc[:w])
		return
	}
	for j := range dst {
		dst[j] = float32(acc[j])
	}
}
