package kernelstest

import (
	"fmt"
	"math"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// sparseCases are the matrix shapes and feature widths the sparse tests
// sweep: empty matrices, no entries, one column, odd widths, wide rows and
// one case large enough to be split across workers.
func sparseCases(short bool) []struct {
	spec csrSpec
	f    int
} {
	cases := []struct {
		spec csrSpec
		f    int
	}{
		{csrSpec{rows: 0, cols: 4, deg: 2}, 3},
		{csrSpec{rows: 5, cols: 0, deg: 2}, 3},
		{csrSpec{rows: 4, cols: 6, deg: 0}, 5},
		{csrSpec{rows: 9, cols: 7, deg: 3, empty: 0.3, dup: 0.3, isolated: 0.3}, 1},
		{csrSpec{rows: 13, cols: 11, deg: 4, empty: 0.2, dup: 0.4, isolated: 0.2}, 7},
		{csrSpec{rows: 31, cols: 29, deg: 5, empty: 0.1, dup: 0.2, isolated: 0.2}, 8},
		{csrSpec{rows: 40, cols: 50, deg: 6, empty: 0.1, dup: 0.2, isolated: 0.1}, 17},
		{csrSpec{rows: 20, cols: 10, deg: 9, empty: 0.1, dup: 0.3, isolated: 0.2}, 300},
		{csrSpec{rows: 1500, cols: 1200, deg: 8, empty: 0.05, dup: 0.05, isolated: 0.05}, 48},
	}
	if short {
		cases[len(cases)-1].spec.rows = 600
	}
	return cases
}

// forSparse runs fn for every sparse case, weighted and not, unpadded and
// padded.
func forSparse(t *testing.T, fn func(t *testing.T, a tensor.CSR, f, pad int)) {
	rng := newRand(t)
	for _, c := range sparseCases(testing.Short()) {
		for _, weighted := range []bool{false, true} {
			for _, pad := range pads {
				s := c.spec
				s.weighted = weighted
				t.Run(fmt.Sprintf("%v/f=%d/pad=%d", s, c.f, pad), func(t *testing.T) {
					fn(t, randCSR(rng, s), c.f, pad)
				})
			}
		}
	}
}

// TestSpMM checks every Reduce against a float64 loop; for Max and Min it
// also checks arg exactly (ties keep the first entry, empty rows get -1)
// and runs once with arg nil.
func TestSpMM(t *testing.T, b kernels.Sparse) {
	rng := newRand(t)
	forSparse(t, func(t *testing.T, a tensor.CSR, f, pad int) {
		x := newGuarded(rng, a.Cols, f, pad)
		for _, r := range []kernels.Reduce{kernels.Sum, kernels.Mean, kernels.Max, kernels.Min} {
			for _, withArg := range []bool{true, false} {
				if !withArg && (r == kernels.Sum || r == kernels.Mean) {
					continue
				}
				dst := newGuarded(rng, a.Rows, f, pad+1)
				dst.fillValue(float32(math.NaN())) // must be overwritten
				var arg *guardedInts
				var argS []int64
				if withArg && (r == kernels.Max || r == kernels.Min) {
					arg = newGuardedInts(a.Rows * f)
					argS = arg.s
				}
				b.SpMM(dst.Dense, a, x.Dense, r, argS)
				dst.checkGuards(t, r.String()+" dst")
				x.checkGuards(t, r.String()+" x")
				if arg != nil {
					arg.checkGuards(t, r.String())
				}
				e := errs{t: t}
				for i := 0; i < a.Rows; i++ {
					k0, k1 := a.Indptr[i], a.Indptr[i+1]
					for j := 0; j < f; j++ {
						want, abs, wantArg := refSpMM(a, x.Dense, r, i, j)
						got := dst.At(i, j)
						e.check(near(got, want, sumTol(int(k1-k0), abs)), "%v: dst[%d,%d] = %v, want %v (row has %d entries)", r, i, j, got, want, k1-k0)
						if arg != nil {
							e.check(argS[i*f+j] == wantArg, "%v: arg[%d,%d] = %d, want %d", r, i, j, argS[i*f+j], wantArg)
						}
					}
				}
			}
		}
	})
}

// refSpMM returns element (i, j) of SpMM, the sum of absolute terms (for the
// tolerance) and, for Max/Min, the winning entry. Max/Min candidates are
// float32 products, as the contract defines them.
func refSpMM(a tensor.CSR, x *tensor.Dense, r kernels.Reduce, i, j int) (want, abs float64, arg int64) {
	k0, k1 := a.Indptr[i], a.Indptr[i+1]
	if k0 == k1 {
		return 0, 0, -1
	}
	switch r {
	case kernels.Sum, kernels.Mean:
		for k := k0; k < k1; k++ {
			t := value(a, k) * float64(x.At(int(a.Indices[k]), j))
			want += t
			abs += math.Abs(t)
		}
		if r == kernels.Mean {
			want /= float64(k1 - k0)
			abs /= float64(k1 - k0)
		}
		return want, abs, -1
	}
	arg = -1
	for k := k0; k < k1; k++ {
		t := float64(float32(value(a, k)) * x.At(int(a.Indices[k]), j))
		if arg < 0 || (r == kernels.Max && t > want) || (r == kernels.Min && t < want) {
			want, arg = t, k
		}
	}
	return want, 0, arg
}

// TestSpMMArgBackward checks the scatter of v_k * g[i,f] to
// dst[Indices[k], f] over random arg (including -1), which accumulates onto
// dst's old contents.
func TestSpMMArgBackward(t *testing.T, b kernels.Sparse) {
	rng := newRand(t)
	forSparse(t, func(t *testing.T, a tensor.CSR, f, pad int) {
		g := newGuarded(rng, a.Rows, f, pad)
		dst := newGuarded(rng, a.Cols, f, pad+1)
		arg := newGuardedInts(a.Rows * f)
		for i := 0; i < a.Rows; i++ {
			k0, k1 := a.Indptr[i], a.Indptr[i+1]
			for j := 0; j < f; j++ {
				p := &arg.s[i*f+j]
				if k0 == k1 || rng.IntN(8) == 0 {
					*p = -1
				} else {
					*p = k0 + rng.Int64N(k1-k0)
				}
			}
		}
		want := dst.snapshot()
		abs := dst.snapshot()
		for i := range abs {
			for j := range abs[i] {
				abs[i][j] = math.Abs(abs[i][j])
			}
		}
		count := make([]int, a.Cols)
		for i := 0; i < a.Rows; i++ {
			for j := 0; j < f; j++ {
				k := arg.s[i*f+j]
				if k < 0 {
					continue
				}
				c := a.Indices[k]
				v := value(a, k) * float64(g.At(i, j))
				want[c][j] += v
				abs[c][j] += math.Abs(v)
				count[c]++
			}
		}
		b.SpMMArgBackward(dst.Dense, a, g.Dense, arg.s)
		dst.checkGuards(t, "dst")
		g.checkGuards(t, "g")
		arg.checkGuards(t, "arg")
		e := errs{t: t}
		for c := 0; c < a.Cols; c++ {
			for j := 0; j < f; j++ {
				got := dst.At(c, j)
				e.check(near(got, want[c][j], sumTol(count[c]+1, abs[c][j])), "dst[%d,%d] = %v, want %v", c, j, got, want[c][j])
			}
		}
	})
}

// TestEdgeDot checks dst[k] = <x[i], y[Indices[k]]> (SDDMM).
func TestEdgeDot(t *testing.T, b kernels.Sparse) {
	rng := newRand(t)
	forSparse(t, func(t *testing.T, a tensor.CSR, f, pad int) {
		x := newGuarded(rng, a.Rows, f, pad)
		y := newGuarded(rng, a.Cols, f, pad+2)
		nnz := int(a.NNZ())
		dst, buf := guardedSlice(nnz)
		for k := range dst {
			dst[k] = float32(math.NaN())
		}
		b.EdgeDot(dst, a, x.Dense, y.Dense)
		checkSliceGuards(t, "dst", buf, nnz)
		x.checkGuards(t, "x")
		y.checkGuards(t, "y")
		e := errs{t: t}
		for i := 0; i < a.Rows; i++ {
			for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
				var want, abs float64
				for j := 0; j < f; j++ {
					p := float64(x.At(i, j)) * float64(y.At(int(a.Indices[k]), j))
					want += p
					abs += math.Abs(p)
				}
				e.check(near(dst[k], want, sumTol(f, abs)), "dst[%d] (row %d) = %v, want %v", k, i, dst[k], want)
			}
		}
	})
}

// TestSpMMTranspose checks the backward of Sum SpMM through
// kernels.Transpose: SpMM(at, g, Sum) must equal the float64 product
// a^T g, with at's values refreshed through kernels.PermuteValues.
func TestSpMMTranspose(t *testing.T, b kernels.Sparse) {
	rng := newRand(t)
	forSparse(t, func(t *testing.T, a tensor.CSR, f, pad int) {
		at, perm := kernels.Transpose(a)
		if err := at.Validate(); err != nil {
			t.Fatalf("Transpose: %v", err)
		}
		if a.Values != nil {
			for k := range a.Values {
				a.Values[k] = float32(2*rng.Float64() - 1) // new weights this step
			}
			kernels.PermuteValues(at.Values, a.Values, perm)
		}
		g := newGuarded(rng, a.Rows, f, pad)
		dst := newGuarded(rng, a.Cols, f, pad)
		b.SpMM(dst.Dense, at, g.Dense, kernels.Sum, nil)
		dst.checkGuards(t, "dst")
		want := make([][]float64, a.Cols)
		abs := make([][]float64, a.Cols)
		count := make([]int, a.Cols)
		for c := range want {
			want[c] = make([]float64, f)
			abs[c] = make([]float64, f)
		}
		for i := 0; i < a.Rows; i++ {
			for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
				c := a.Indices[k]
				count[c]++
				for j := 0; j < f; j++ {
					p := value(a, k) * float64(g.At(i, j))
					want[c][j] += p
					abs[c][j] += math.Abs(p)
				}
			}
		}
		e := errs{t: t}
		for c := 0; c < a.Cols; c++ {
			for j := 0; j < f; j++ {
				got := dst.At(c, j)
				e.check(near(got, want[c][j], sumTol(count[c], abs[c][j])), "(a^T g)[%d,%d] = %v, want %v", c, j, got, want[c][j])
			}
		}
	})
}
