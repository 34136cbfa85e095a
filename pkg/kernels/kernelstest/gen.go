package kernelstest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// guardBits marks memory a kernel must not write: a NaN with a payload no
// arithmetic produces, so a kernel that reads it also poisons its output.
const guardBits = 0x7fc0dead

var guard = math.Float32frombits(guardBits)

// guardInt marks int64 memory a kernel must not write.
const guardInt = int64(-0x5a5a5a5a5a5a5a5a)

// headGuard is how many guard values precede a buffer.
const headGuard = 16

// tailGuard is how many guard values follow a buffer.
const tailGuard = 16

// guarded is a matrix whose padding and surroundings hold guard values.
type guarded struct {
	*tensor.Dense
	buf []float32
}

// newGuarded returns a rows x cols matrix with stride cols+pad filled with
// uniform values in [-1, 1), every other word of its buffer a guard.
func newGuarded(rng *rand.Rand, rows, cols, pad int) *guarded {
	stride := cols + pad
	n := 0
	if rows > 0 {
		n = (rows-1)*stride + cols
	}
	buf := make([]float32, headGuard+n+tailGuard)
	for i := range buf {
		buf[i] = guard
	}
	m := &tensor.Dense{Rows: rows, Cols: cols, Stride: stride, Data: buf[headGuard : headGuard+n]}
	g := &guarded{Dense: m, buf: buf}
	g.fill(rng, 1)
	return g
}

// fill sets every element to a uniform value in [-scale, scale).
func (g *guarded) fill(rng *rand.Rand, scale float64) {
	for i := 0; i < g.Rows; i++ {
		r := g.Row(i)
		for j := range r {
			r[j] = float32((2*rng.Float64() - 1) * scale)
		}
	}
}

// fillValue sets every element to v.
func (g *guarded) fillValue(v float32) {
	for i := 0; i < g.Rows; i++ {
		r := g.Row(i)
		for j := range r {
			r[j] = v
		}
	}
}

// checkGuards fails t if any word outside the elements changed.
func (g *guarded) checkGuards(t *testing.T, name string) {
	t.Helper()
	for p, v := range g.buf {
		q := p - headGuard
		inside := q >= 0 && q < len(g.Data) && q%g.Stride < g.Cols
		if !inside && math.Float32bits(v) != guardBits {
			t.Errorf("%s: write outside the matrix at buffer word %d (element offset %d, stride %d, %dx%d): %v",
				name, p, q, g.Stride, g.Rows, g.Cols, v)
			return
		}
	}
}

// snapshot returns a float64 copy of the elements.
func (g *guarded) snapshot() [][]float64 { return toF64(g.Dense) }

func toF64(m *tensor.Dense) [][]float64 {
	out := make([][]float64, m.Rows)
	for i := range out {
		out[i] = make([]float64, m.Cols)
		for j, v := range m.Row(i) {
			out[i][j] = float64(v)
		}
	}
	return out
}

// guardedInts is an int64 slice followed by guard values.
type guardedInts struct {
	s   []int64
	buf []int64
}

func newGuardedInts(n int) *guardedInts {
	buf := make([]int64, n+tailGuard)
	for i := range buf {
		buf[i] = guardInt
	}
	return &guardedInts{s: buf[:n], buf: buf}
}

func (g *guardedInts) checkGuards(t *testing.T, name string) {
	t.Helper()
	for _, v := range g.buf[len(g.s):] {
		if v != guardInt {
			t.Errorf("%s: write past the end of arg", name)
			return
		}
	}
}

// guardedSlice is a float32 slice with guards on both sides.
func guardedSlice(n int) (s, buf []float32) {
	buf = make([]float32, headGuard+n+tailGuard)
	for i := range buf {
		buf[i] = guard
	}
	return buf[headGuard : headGuard+n], buf
}

func checkSliceGuards(t *testing.T, name string, buf []float32, n int) {
	t.Helper()
	for p, v := range buf {
		if (p < headGuard || p >= headGuard+n) && math.Float32bits(v) != guardBits {
			t.Errorf("%s: write outside the slice at buffer word %d", name, p)
			return
		}
	}
}

// csrSpec describes a random sparse matrix.
type csrSpec struct {
	rows, cols int
	deg        int     // mean entries per row
	empty      float64 // fraction of rows forced empty
	dup        float64 // chance an entry repeats the previous column
	isolated   float64 // fraction of columns never used
	weighted   bool
}

func (s csrSpec) String() string {
	w := "unweighted"
	if s.weighted {
		w = "weighted"
	}
	return fmt.Sprintf("%dx%d-deg%d-%s", s.rows, s.cols, s.deg, w)
}

// randCSR builds a CSR with unsorted columns, empty rows, duplicate entries
// and unused (isolated) columns as the spec asks.
func randCSR(rng *rand.Rand, s csrSpec) tensor.CSR {
	a := tensor.CSR{Rows: s.rows, Cols: s.cols, Indptr: make([]int64, s.rows+1)}
	used := s.cols - int(float64(s.cols)*s.isolated)
	if used < 1 {
		used = s.cols
	}
	for i := 0; i < s.rows; i++ {
		d := 0
		if s.cols > 0 && rng.Float64() >= s.empty && s.deg > 0 {
			d = rng.IntN(2*s.deg + 1)
		}
		for j := 0; j < d; j++ {
			var c int32
			if j > 0 && rng.Float64() < s.dup {
				c = a.Indices[len(a.Indices)-1]
			} else {
				// Skew towards low columns so some columns are hot.
				u := rng.Float64()
				c = int32(float64(used) * u * u)
			}
			a.Indices = append(a.Indices, c)
		}
		a.Indptr[i+1] = int64(len(a.Indices))
	}
	if a.Indices == nil {
		a.Indices = []int32{}
	}
	if s.weighted {
		a.Values = make([]float32, len(a.Indices))
		for k := range a.Values {
			a.Values[k] = float32(2*rng.Float64() - 1)
		}
	}
	return a
}

// value returns entry k's value as float64.
func value(a tensor.CSR, k int64) float64 {
	if a.Values == nil {
		return 1
	}
	return float64(a.Values[k])
}

// eps32 is float32's unit roundoff times 2 (machine epsilon).
const eps32 = 1.0 / (1 << 23)

// sumTol is the tolerance for a float32 sum of n terms whose absolute
// values add up to absSum: the classic worst-case bound, doubled.
func sumTol(n int, absSum float64) float64 { return 2 * float64(n+2) * eps32 * absSum }

// errs counts failures and stops reporting after a few per subtest.
type errs struct {
	t *testing.T
	n int
}

func (e *errs) check(ok bool, format string, args ...any) bool {
	e.t.Helper()
	if ok {
		return true
	}
	e.n++
	if e.n <= 8 {
		e.t.Errorf(format, args...)
	} else if e.n == 9 {
		e.t.Errorf("... more mismatches")
	}
	return false
}

// near reports |got - want| <= tol (and both NaN-free).
func near(got float32, want, tol float64) bool {
	d := math.Abs(float64(got) - want)
	return d <= tol
}

// pads lists the row paddings every shape is tried with.
var pads = []int{0, 3}
