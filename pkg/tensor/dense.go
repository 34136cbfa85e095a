package tensor

import (
	"fmt"
	"math"
	"unsafe"
)

// Dense is a row-major float32 matrix. Element (i, j) is Data[i*Stride+j].
// The zero value is an empty 0x0 matrix. Stride >= Cols; rows may be padded.
type Dense struct {
	Rows, Cols, Stride int
	Data               []float32
}

// New returns a zeroed rows x cols matrix with Stride == Cols.
func New(rows, cols int) *Dense {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("tensor: negative dimension %dx%d", rows, cols))
	}
	return &Dense{Rows: rows, Cols: cols, Stride: cols, Data: make([]float32, rows*cols)}
}

// FromSlice wraps data (not copied) as a rows x cols matrix. It panics if
// len(data) != rows*cols.
func FromSlice(rows, cols int, data []float32) *Dense {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		panic(fmt.Sprintf("tensor: FromSlice %dx%d with %d values", rows, cols, len(data)))
	}
	return &Dense{Rows: rows, Cols: cols, Stride: cols, Data: data}
}

// Validate reports whether m is internally consistent: non-negative sizes,
// Stride >= Cols and Data long enough. Use it on matrices built from outside
// data before handing them to kernels.
func (m *Dense) Validate() error {
	switch {
	case m.Rows < 0 || m.Cols < 0:
		return fmt.Errorf("tensor: negative dimension %dx%d", m.Rows, m.Cols)
	case m.Rows > 0 && m.Stride < m.Cols:
		return fmt.Errorf("tensor: stride %d < cols %d", m.Stride, m.Cols)
	case m.Rows > 0 && len(m.Data) < (m.Rows-1)*m.Stride+m.Cols:
		return fmt.Errorf("tensor: %dx%d stride %d needs %d values, have %d",
			m.Rows, m.Cols, m.Stride, (m.Rows-1)*m.Stride+m.Cols, len(m.Data))
	}
	return nil
}

// Shape returns "RxC", for messages.
func (m *Dense) Shape() string { return fmt.Sprintf("%dx%d", m.Rows, m.Cols) }

// Contiguous reports whether the rows are packed (Stride == Cols), so Data
// holds exactly Rows*Cols values in order.
func (m *Dense) Contiguous() bool { return m.Stride == m.Cols || m.Rows <= 1 }

// At returns element (i, j).
func (m *Dense) At(i, j int) float32 { return m.Data[i*m.Stride+j] }

// Set sets element (i, j) to v.
func (m *Dense) Set(i, j int, v float32) { m.Data[i*m.Stride+j] = v }

// Row returns row i as a slice aliasing m.Data.
func (m *Dense) Row(i int) []float32 {
	off := i * m.Stride
	return m.Data[off : off+m.Cols : off+m.Cols]
}

// RowView returns rows [lo, hi) as a matrix aliasing m.Data.
func (m *Dense) RowView(lo, hi int) *Dense {
	if lo < 0 || hi < lo || hi > m.Rows {
		panic(fmt.Sprintf("tensor: RowView [%d, %d) of %s", lo, hi, m.Shape()))
	}
	if lo == hi {
		return &Dense{Rows: 0, Cols: m.Cols, Stride: m.Stride}
	}
	end := (hi-1)*m.Stride + m.Cols
	return &Dense{Rows: hi - lo, Cols: m.Cols, Stride: m.Stride, Data: m.Data[lo*m.Stride : end]}
}

// Zero sets every element to 0.
func (m *Dense) Zero() { m.Fill(0) }

// Fill sets every element to v.
func (m *Dense) Fill(v float32) {
	if m.Contiguous() {
		d := m.Data[:m.Rows*m.Cols]
		for i := range d {
			d[i] = v
		}
		return
	}
	for i := 0; i < m.Rows; i++ {
		r := m.Row(i)
		for j := range r {
			r[j] = v
		}
	}
}

// Clone returns a packed copy of m.
func (m *Dense) Clone() *Dense {
	c := New(m.Rows, m.Cols)
	c.Copy(m)
	return c
}

// Copy copies src into m. Shapes must match.
func (m *Dense) Copy(src *Dense) {
	MustSameShape("Copy", m, src)
	if m.Contiguous() && src.Contiguous() {
		copy(m.Data[:m.Rows*m.Cols], src.Data[:src.Rows*src.Cols])
		return
	}
	for i := 0; i < m.Rows; i++ {
		copy(m.Row(i), src.Row(i))
	}
}

// Reshape returns a packed matrix of rows x cols sharing m's data; m must be
// contiguous and hold exactly rows*cols values.
func (m *Dense) Reshape(rows, cols int) *Dense {
	if !m.Contiguous() || rows*cols != m.Rows*m.Cols {
		panic(fmt.Sprintf("tensor: Reshape %s (stride %d) to %dx%d", m.Shape(), m.Stride, rows, cols))
	}
	return FromSlice(rows, cols, m.Data[:rows*cols])
}

// MustSameShape panics, naming op and both shapes, if a and b differ in shape.
func MustSameShape(op string, a, b *Dense) {
	if a.Rows != b.Rows || a.Cols != b.Cols {
		panic(fmt.Sprintf("tensor: %s: shape mismatch: %s vs %s", op, a.Shape(), b.Shape()))
	}
}

// MustNotOverlap panics if the backing arrays of a and b overlap.
func MustNotOverlap(op string, a, b []float32) {
	if Overlap(a, b) {
		panic(fmt.Sprintf("tensor: %s: destination overlaps source", op))
	}
}

// Overlap reports whether two slices share any element of memory.
func Overlap(a, b []float32) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	a0 := uintptr(unsafe.Pointer(&a[0]))
	b0 := uintptr(unsafe.Pointer(&b[0]))
	a1 := a0 + uintptr(len(a))*4
	b1 := b0 + uintptr(len(b))*4
	return a0 < b1 && b0 < a1
}

// MaxAbsDiff returns max |a_ij - b_ij| over two matrices of the same shape,
// NaN if either holds a NaN where the other does not.
func MaxAbsDiff(a, b *Dense) float64 {
	MustSameShape("MaxAbsDiff", a, b)
	var worst float64
	for i := 0; i < a.Rows; i++ {
		ra, rb := a.Row(i), b.Row(i)
		for j := range ra {
			x, y := float64(ra[j]), float64(rb[j])
			if math.IsNaN(x) != math.IsNaN(y) {
				return math.NaN()
			}
			if d := math.Abs(x - y); d > worst {
				worst = d
			}
		}
	}
	return worst
}

// String prints small matrices in full and large ones as their shape.
func (m *Dense) String() string {
	if m.Rows*m.Cols > 64 {
		return "Dense(" + m.Shape() + ")"
	}
	s := "["
	for i := 0; i < m.Rows; i++ {
		if i > 0 {
			s += "; "
		}
		for j, v := range m.Row(i) {
			if j > 0 {
				s += " "
			}
			s += fmt.Sprintf("%g", v)
		}
	}
	return s + "]"
}
