package kernelstest

import (
	"fmt"
	"math"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/kernels"
)

// TestGemm checks c = alpha*op(a)*op(b) + beta*c for every transpose pair
// against a float64 triple loop, including empty dimensions, beta == 0 over
// NaN (which must be ignored) and padded operands.
func TestGemm(t *testing.T, b kernels.Dense) {
	rng := newRand(t)
	shapes := []struct{ m, n, k int }{
		{0, 0, 0}, {0, 3, 2}, {3, 0, 2}, {3, 2, 0}, {1, 1, 1}, {1, 7, 1},
		{5, 1, 9}, {7, 9, 3}, {17, 33, 8}, {64, 70, 90}, {130, 65, 257},
	}
	scalars := []struct{ alpha, beta float32 }{{1, 0}, {1, 1}, {-0.5, 0.25}, {0, 2}, {2, 0}}
	for _, sh := range shapes {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for si, sc := range scalars {
					pad := pads[(si+sh.m)%len(pads)]
					name := fmt.Sprintf("%dx%dx%d/tA=%v/tB=%v/alpha=%g/beta=%g/pad=%d", sh.m, sh.n, sh.k, tA, tB, sc.alpha, sc.beta, pad)
					t.Run(name, func(t *testing.T) {
						ar, ac := sh.m, sh.k
						if tA {
							ar, ac = ac, ar
						}
						br, bc := sh.k, sh.n
						if tB {
							br, bc = bc, br
						}
						a := newGuarded(rng, ar, ac, pad)
						bm := newGuarded(rng, br, bc, pad+1)
						c := newGuarded(rng, sh.m, sh.n, pad)
						if sc.beta == 0 {
							c.fillValue(float32(math.NaN()))
						}
						c0 := c.snapshot()
						b.Gemm(tA, tB, sc.alpha, a.Dense, bm.Dense, sc.beta, c.Dense)
						a.checkGuards(t, "a")
						bm.checkGuards(t, "b")
						c.checkGuards(t, "c")
						e := errs{t: t}
						for i := 0; i < sh.m; i++ {
							for j := 0; j < sh.n; j++ {
								var sum, abs float64
								for p := 0; p < sh.k; p++ {
									var x, y float64
									if tA {
										x = float64(a.At(p, i))
									} else {
										x = float64(a.At(i, p))
									}
									if tB {
										y = float64(bm.At(j, p))
									} else {
										y = float64(bm.At(p, j))
									}
									sum += x * y
									abs += math.Abs(x * y)
								}
								want := float64(sc.alpha) * sum
								abs = math.Abs(float64(sc.alpha)) * abs
								if sc.beta != 0 {
									want += float64(sc.beta) * c0[i][j]
									abs += math.Abs(float64(sc.beta) * c0[i][j])
								}
								got := c.At(i, j)
								e.check(near(got, want, sumTol(sh.k+1, abs)), "c[%d,%d] = %v, want %v", i, j, got, want)
							}
						}
					})
				}
			}
		}
	}
}
