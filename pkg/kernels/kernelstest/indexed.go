package kernelstest

import (
	"fmt"
	"math"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/kernels"
)

// indexCases are (source rows, ids, columns) triples, from empty to large
// enough to split across workers.
var indexCases = []struct{ n, ids, f int }{
	{0, 0, 4}, {5, 0, 3}, {1, 6, 1}, {7, 12, 3}, {10, 40, 8}, {33, 70, 17},
	{50, 30, 300}, {2000, 5000, 64}, {3000, 9000, 5}, {400, 20000, 1},
}

func randIDs(rng interface{ IntN(int) int }, count, n int) []int32 {
	ids := make([]int32, count)
	for i := range ids {
		ids[i] = int32(rng.IntN(n))
		if i > 0 && rng.IntN(4) == 0 {
			ids[i] = ids[i-1] // duplicates, adjacent ones too
		}
	}
	return ids
}

// TestGather checks dst row i == src row ids[i] exactly, with duplicate
// ids and a dst that must be fully overwritten.
func TestGather(t *testing.T, b kernels.Indexed) {
	rng := newRand(t)
	for _, c := range indexCases {
		for _, pad := range pads {
			if c.n == 0 && c.ids > 0 {
				continue
			}
			t.Run(fmt.Sprintf("n=%d/ids=%d/f=%d/pad=%d", c.n, c.ids, c.f, pad), func(t *testing.T) {
				src := newGuarded(rng, c.n, c.f, pad)
				dst := newGuarded(rng, c.ids, c.f, pad+1)
				dst.fillValue(float32(math.NaN()))
				var ids []int32
				if c.n > 0 {
					ids = randIDs(rng, c.ids, c.n)
				}
				b.Gather(dst.Dense, src.Dense, ids)
				dst.checkGuards(t, "dst")
				src.checkGuards(t, "src")
				e := errs{t: t}
				for i, id := range ids {
					for j := 0; j < c.f; j++ {
						got, want := dst.At(i, j), src.At(int(id), j)
						e.check(math.Float32bits(got) == math.Float32bits(want), "dst[%d,%d] = %v, want src[%d,%d] = %v", i, j, got, id, j, want)
					}
				}
			})
		}
	}
}

// TestScatterAdd checks dst row ids[i] += src row i, duplicates
// accumulating onto dst's old contents.
func TestScatterAdd(t *testing.T, b kernels.Indexed) {
	rng := newRand(t)
	for _, c := range indexCases {
		for _, pad := range pads {
			if c.n == 0 && c.ids > 0 {
				continue
			}
			t.Run(fmt.Sprintf("n=%d/ids=%d/f=%d/pad=%d", c.n, c.ids, c.f, pad), func(t *testing.T) {
				dst := newGuarded(rng, c.n, c.f, pad)
				src := newGuarded(rng, c.ids, c.f, pad+1)
				var ids []int32
				if c.n > 0 {
					ids = randIDs(rng, c.ids, c.n)
				}
				want := dst.snapshot()
				abs := dst.snapshot()
				count := make([]int, c.n)
				for i := range abs {
					for j := range abs[i] {
						abs[i][j] = math.Abs(abs[i][j])
					}
				}
				for i, id := range ids {
					count[id]++
					for j := 0; j < c.f; j++ {
						v := float64(src.At(i, j))
						want[id][j] += v
						abs[id][j] += math.Abs(v)
					}
				}
				b.ScatterAdd(dst.Dense, src.Dense, ids)
				dst.checkGuards(t, "dst")
				src.checkGuards(t, "src")
				e := errs{t: t}
				for r := 0; r < c.n; r++ {
					for j := 0; j < c.f; j++ {
						got := dst.At(r, j)
						e.check(near(got, want[r][j], sumTol(count[r]+1, abs[r][j])), "dst[%d,%d] = %v, want %v", r, j, got, want[r][j])
					}
				}
			})
		}
	}
}
