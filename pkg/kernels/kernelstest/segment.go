package kernelstest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/kernels"
)

// segCases are (segments, mean length, heads, value scale); the large scale
// overflows exp unless the segment maximum is subtracted first.
var segCases = []struct {
	segs, deg, heads int
	scale            float64
}{
	{0, 0, 1, 1}, {3, 0, 2, 1}, {1, 1, 1, 1}, {7, 3, 1, 4}, {20, 5, 4, 4},
	{15, 6, 3, 1000}, {2000, 10, 2, 8}, {300, 40, 8, 2},
}

// randIndptr returns offsets for segs segments of random length in
// [0, 2*deg], about a fifth of them empty.
func randIndptr(rng *rand.Rand, segs, deg int) []int64 {
	indptr := make([]int64, segs+1)
	for s := 0; s < segs; s++ {
		n := 0
		if deg > 0 && rng.IntN(5) != 0 {
			n = rng.IntN(2*deg + 1)
		}
		indptr[s+1] = indptr[s] + int64(n)
	}
	return indptr
}

// TestSegmentSoftmax checks the per-segment, per-column softmax against a
// stable float64 one, both into a separate dst and in place.
func TestSegmentSoftmax(t *testing.T, b kernels.Segment) {
	rng := newRand(t)
	for _, c := range segCases {
		for _, pad := range pads {
			for _, inPlace := range []bool{false, true} {
				t.Run(fmt.Sprintf("segs=%d/deg=%d/heads=%d/scale=%g/pad=%d/inplace=%v", c.segs, c.deg, c.heads, c.scale, pad, inPlace), func(t *testing.T) {
					indptr := randIndptr(rng, c.segs, c.deg)
					nnz := int(indptr[c.segs])
					src := newGuarded(rng, nnz, c.heads, pad)
					src.fill(rng, c.scale)
					x := src.snapshot()
					dst := src
					if !inPlace {
						dst = newGuarded(rng, nnz, c.heads, pad+1)
						dst.fillValue(float32(math.NaN()))
					}
					b.SegmentSoftmax(dst.Dense, src.Dense, indptr)
					dst.checkGuards(t, "dst")
					src.checkGuards(t, "src")
					e := errs{t: t}
					for s := 0; s < c.segs; s++ {
						k0, k1 := int(indptr[s]), int(indptr[s+1])
						for h := 0; h < c.heads; h++ {
							m := math.Inf(-1)
							for k := k0; k < k1; k++ {
								m = math.Max(m, x[k][h])
							}
							var sum float64
							for k := k0; k < k1; k++ {
								sum += math.Exp(x[k][h] - m)
							}
							for k := k0; k < k1; k++ {
								want := math.Exp(x[k][h]-m) / sum
								got := dst.At(k, h)
								// exp(x-m) has relative condition |x-m|: a float32
								// subtraction may round x-m by eps32*|x-m|.
								tol := (float64(k1-k0+8)+2*math.Abs(x[k][h]-m))*eps32*want + 1e-30
								e.check(near(got, want, tol), "segment %d entry %d head %d = %v, want %v", s, k, h, got, want)
							}
						}
					}
				})
			}
		}
	}
}

// TestSegmentSoftmaxBackward checks dst_k = y_k (g_k - sum_j y_j g_j), into
// a separate dst and in place over g.
func TestSegmentSoftmaxBackward(t *testing.T, b kernels.Segment) {
	rng := newRand(t)
	for _, c := range segCases {
		for _, pad := range pads {
			for _, inPlace := range []bool{false, true} {
				t.Run(fmt.Sprintf("segs=%d/deg=%d/heads=%d/pad=%d/inplace=%v", c.segs, c.deg, c.heads, pad, inPlace), func(t *testing.T) {
					indptr := randIndptr(rng, c.segs, c.deg)
					nnz := int(indptr[c.segs])
					y := newGuarded(rng, nnz, c.heads, pad)
					g := newGuarded(rng, nnz, c.heads, pad+2)
					yv, gv := y.snapshot(), g.snapshot()
					dst := g
					if !inPlace {
						dst = newGuarded(rng, nnz, c.heads, pad+1)
						dst.fillValue(float32(math.NaN()))
					}
					b.SegmentSoftmaxBackward(dst.Dense, y.Dense, g.Dense, indptr)
					dst.checkGuards(t, "dst")
					y.checkGuards(t, "y")
					g.checkGuards(t, "g")
					e := errs{t: t}
					for s := 0; s < c.segs; s++ {
						k0, k1 := int(indptr[s]), int(indptr[s+1])
						for h := 0; h < c.heads; h++ {
							var dot, abs float64
							for k := k0; k < k1; k++ {
								dot += yv[k][h] * gv[k][h]
								abs += math.Abs(yv[k][h] * gv[k][h])
							}
							for k := k0; k < k1; k++ {
								want := yv[k][h] * (gv[k][h] - dot)
								tol := sumTol(k1-k0+2, math.Abs(yv[k][h])*(math.Abs(gv[k][h])+abs))
								got := dst.At(k, h)
								e.check(near(got, want, tol), "segment %d entry %d head %d = %v, want %v", s, k, h, got, want)
							}
						}
					}
				})
			}
		}
	}
}
