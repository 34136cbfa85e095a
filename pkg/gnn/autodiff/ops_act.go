package autodiff

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"

	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Act returns f(x) elementwise.
func (t *Tape) Act(x *Var, f kernels.Act) *Var {
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	t.b.Activation(y, f, x.Value)
	return t.result(y, func(out *Var) {
		t.accumulate(x, func(dst *tensor.Dense) {
			t.b.ActivationBackward(dst, f, x.Value, out.Value, out.Grad)
		})
	}, x)
}

// ReLU returns max(x, 0).
func (t *Tape) ReLU(x *Var) *Var { return t.Act(x, kernels.Act{Kind: kernels.ReLU}) }

// ELU returns x for x > 0, alpha*(exp(x)-1) otherwise.
func (t *Tape) ELU(x *Var, alpha float32) *Var {
	return t.Act(x, kernels.Act{Kind: kernels.ELU, Alpha: alpha})
}

// LeakyReLU returns x for x > 0, slope*x otherwise.
func (t *Tape) LeakyReLU(x *Var, slope float32) *Var {
	return t.Act(x, kernels.Act{Kind: kernels.LeakyReLU, Alpha: slope})
}

// Sigmoid returns 1/(1+exp(-x)).
func (t *Tape) Sigmoid(x *Var) *Var { return t.Act(x, kernels.Act{Kind: kernels.Sigmoid}) }

// Tanh returns tanh(x).
func (t *Tape) Tanh(x *Var) *Var { return t.Act(x, kernels.Act{Kind: kernels.Tanh}) }

// Exp returns exp(x).
func (t *Tape) Exp(x *Var) *Var { return t.Act(x, kernels.Act{Kind: kernels.Exp}) }

// dropBlock is the number of elements drawn from one random stream, so
// masks do not depend on how many cores run the draw.
const dropBlock = 1 << 14

// Dropout zeroes each element with probability p and scales the rest by
// 1/(1-p) in training mode (inverted dropout, as torch's F.dropout); in
// evaluation mode, or with p == 0, it returns x itself.
func (t *Tape) Dropout(x *Var, p float64) *Var {
	if p < 0 || p > 1 {
		panic(fmt.Sprintf("autodiff: Dropout: p = %g outside [0, 1]", p))
	}
	if !t.training || p == 0 {
		return x
	}
	if p == 1 {
		return t.result(t.allocZero(x.Value.Rows, x.Value.Cols), nil, x)
	}
	if !t.needs(x) {
		if x.sparse != nil {
			return t.dropSparse(x, p)
		}
		return t.result(t.dropConst(x.Value, p), nil, x)
	}
	if x.Value.Contiguous() {
		return t.dropBits(x, p)
	}
	mask := t.Mask(x.Value.Rows, x.Value.Cols, p)
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	t.b.Mul(y, x.Value, mask)
	return t.result(y, func(out *Var) {
		t.accumulate(x, func(dst *tensor.Dense) { t.b.Mul(dst, out.Grad, mask) })
	}, x)
}

// dropBits is dropout of a packed value with the mask kept as one bit per
// element (the same draws as Mask): forward and backward are one
// branch-free pass each and the mask costs 1/32 of the value's memory.
func (t *Tape) dropBits(x *Var, p float64) *Var {
	n := x.Value.Rows * x.Value.Cols
	keepBits := make([]uint64, (n+63)/64)
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	scale := [2]float32{0, float32(1 / (1 - p))}
	xd, yd := x.Value.Data[:n], y.Data[:n]
	t.eachDraw(n, p, func(lo, hi int, words []uint64) {
		copy(keepBits[lo/64:], words)
		applyBits(yd[lo:hi], xd[lo:hi], words, &scale)
	})
	return t.result(y, func(out *Var) {
		t.accumulate(x, func(dst *tensor.Dense) {
			g, d := out.Grad.Data[:n], dst.Data[:n]
			blocks(n, dropBlock, func(_, lo, hi int) {
				applyBits(d[lo:hi], g[lo:hi], keepBits[lo/64:], &scale)
			})
		})
	}, x)
}

// applyBits sets dst[i] = src[i] * scale[bit i of words].
func applyBits(dst, src []float32, words []uint64, scale *[2]float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] = src[i] * scale[(words[i>>6]>>(uint(i)&63))&1]
	}
}

// eachDraw draws one 16-bit number per element of [0, n) from the tape's
// stream, in blocks of dropBlock elements (block b from its own seed: four
// draws per 64-bit word of a wyrand stream), and calls fn once per block
// [lo, hi) with the keep decisions (draw >= p * 2^16) packed 64 to a word,
// element lo+i at bit i%64 of words[i/64]. It is the single definition of
// the dropout stream, shared by Mask and dropBits.
func (t *Tape) eachDraw(n int, p float64, fn func(lo, hi int, words []uint64)) {
	t.draws++
	s1 := splitmix(t.seed ^ splitmix(t.draws))
	thresh := uint64(math.Round(p * (1 << 16)))
	blocks(n, dropBlock, func(b, lo, hi int) {
		var words [dropBlock / 64]uint64
		state := s1 ^ splitmix(uint64(b))
		nw := (hi - lo + 63) / 64
		for w := 0; w < nw; w++ {
			var m uint64
			for q := 0; q < 16; q++ {
				state += 0xa0761d6478bd642f
				h, l := bits.Mul64(state, state^0xe7037ed1a0b428db)
				u := h ^ l
				for r := 0; r < 4; r++ {
					keep := ((u&0xffff - thresh) >> 63) ^ 1 // branch-free u&0xffff >= thresh
					m |= keep << (q*4 + r)
					u >>= 16
				}
			}
			words[w] = m
		}
		fn(lo, hi, words[:nw])
	})
}

// Mask returns a rows x cols dropout mask drawn from the tape's stream:
// each element is 0 with probability p (quantised to 1/65536), else
// 1/(1-p). Each call draws a new mask; the sequence is fixed by the seed
// and does not depend on the number of cores.
func (t *Tape) Mask(rows, cols int, p float64) *tensor.Dense {
	m := t.alloc(rows, cols)
	scale := [2]float32{0, float32(1 / (1 - p))}
	n := rows * cols
	t.eachDraw(n, p, func(lo, hi int, words []uint64) {
		for i := lo; i < hi; i++ {
			j := i - lo
			m.Data[i] = scale[(words[j>>6]>>(uint(j)&63))&1]
		}
	})
	return m
}

// dropConst is dropout of a value that needs no gradient (input
// features): no mask is kept, and random draws are made only for non-zero
// elements, which makes dropout of sparse bag-of-words features cheap.
func (t *Tape) dropConst(x *tensor.Dense, p float64) *tensor.Dense {
	y := t.alloc(x.Rows, x.Cols)
	t.draws++
	s1 := splitmix(t.seed ^ splitmix(t.draws))
	keep := float32(1 / (1 - p))
	thresh := uint64(math.Round(p * (1 << 16)))
	rowsPer := max(1, dropBlock/max(x.Cols, 1))
	blocks(x.Rows, rowsPer, func(b, lo, hi int) {
		state := s1 ^ splitmix(uint64(b))
		var u uint64
		left := 0
		for i := lo; i < hi; i++ {
			xr, yr := x.Row(i), y.Row(i)
			for j, v := range xr {
				if v == 0 {
					yr[j] = 0
					continue
				}
				if left == 0 {
					state += 0xa0761d6478bd642f
					h, l := bits.Mul64(state, state^0xe7037ed1a0b428db)
					u, left = h^l, 4
				}
				if u&0xffff < thresh {
					yr[j] = 0
				} else {
					yr[j] = v * keep
				}
				u >>= 16
				left--
			}
		}
	})
	return y
}

// dropSparse is dropConst for a value with a sparse form: it draws the
// same mask (same stream, same order of non-zeros) and returns both forms.
func (t *Tape) dropSparse(x *Var, p float64) *Var {
	xs := x.sparse.m
	vals := make([]float32, len(xs.Values))
	// The dense form lives in a buffer the tape keeps per feature matrix:
	// only the non-zero positions ever change, so clearing them (O(nnz))
	// replaces clearing the whole matrix every step.
	// A second dropout of the same input in one step gets a fresh buffer,
	// since the first result is still in use.
	y, used := t.sparseDense[x.sparse], t.sparseUsed[x.sparse]
	switch {
	case used:
		y = t.allocZero(x.Value.Rows, x.Value.Cols)
	case y == nil:
		y = tensor.New(x.Value.Rows, x.Value.Cols)
		if t.sparseDense == nil {
			t.sparseDense = make(map[*Sparse]*tensor.Dense)
			t.sparseUsed = make(map[*Sparse]bool)
		}
		// A new feature matrix (mini-batches bring one per step): forget
		// the buffers of those not in use in this step, or they would
		// pile up, one per batch ever seen.
		for s := range t.sparseDense {
			if !t.sparseUsed[s] {
				delete(t.sparseDense, s)
			}
		}
		t.sparseDense[x.sparse] = y
	}
	t.sparseUsed[x.sparse] = true
	t.draws++
	s1 := splitmix(t.seed ^ splitmix(t.draws))
	keep := float32(1 / (1 - p))
	thresh := uint64(math.Round(p * (1 << 16)))
	rowsPer := max(1, dropBlock/max(x.Value.Cols, 1))
	blocks(xs.Rows, rowsPer, func(b, lo, hi int) {
		state := s1 ^ splitmix(uint64(b))
		var u uint64
		left := 0
		for i := lo; i < hi; i++ {
			yr := y.Row(i)
			for k := xs.Indptr[i]; k < xs.Indptr[i+1]; k++ {
				if left == 0 {
					state += 0xa0761d6478bd642f
					h, l := bits.Mul64(state, state^0xe7037ed1a0b428db)
					u, left = h^l, 4
				}
				if u&0xffff >= thresh {
					v := xs.Values[k] * keep
					vals[k] = v
					yr[xs.Indices[k]] = v
				} else {
					yr[xs.Indices[k]] = 0
				}
				u >>= 16
				left--
			}
		}
	})
	out := t.result(y, nil, x)
	out.sparse = x.sparse.Revalue(vals)
	return out
}

// splitmix is SplitMix64's finaliser, used to derive independent stream
// seeds from (seed, draw).
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Rand returns a generator drawn from the tape's stream, for ops that need
// a few random numbers (not per-element masks).
func (t *Tape) Rand() *rand.Rand {
	t.draws++
	return rand.New(rand.NewPCG(splitmix(t.seed^splitmix(t.draws)), 0x5eed))
}
