package f32

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

const guardBits = 0x7fc0dead

// guarded returns n uniform values in [-1, 1) with guard words on both
// sides (in buf), so an out-of-bounds write by the assembly is caught.
func guarded(rng *rand.Rand, n int) (s, buf []float32) {
	buf = make([]float32, n+32)
	for i := range buf {
		buf[i] = math.Float32frombits(guardBits)
	}
	s = buf[16 : 16+n]
	for i := range s {
		s[i] = 2*rng.Float32() - 1
	}
	return s, buf
}

func checkGuards(t *testing.T, name string, buf []float32, n int) {
	t.Helper()
	for i, v := range buf {
		if (i < 16 || i >= 16+n) && math.Float32bits(v) != guardBits {
			t.Fatalf("%s: wrote outside its slice at buffer word %d", name, i)
		}
	}
}

func tol(n int, abs float64) float64 { return 2 * float64(n+2) * math.Pow(2, -23) * abs }

func newRand(t *testing.T) *rand.Rand {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, 1))
}

// TestVector compares Add, Axpy, Dot, ScaleTo and Scal with float64 loops
// at every length from 0 to 300 (all asm block sizes and tails).
func TestVector(t *testing.T) {
	t.Logf("implementation %s", Impl())
	rng := newRand(t)
	for n := 0; n <= 300; n++ {
		x, xb := guarded(rng, n)
		d, db := guarded(rng, n)
		d0 := append([]float32(nil), d...)
		Add(d, x)
		for i := range d {
			if want := float64(d0[i]) + float64(x[i]); math.Abs(float64(d[i])-want) > tol(1, math.Abs(want)) {
				t.Fatalf("Add n=%d: d[%d] = %v, want %v", n, i, d[i], want)
			}
		}
		copy(d, d0)
		Axpy(d, -0.75, x)
		for i := range d {
			want := float64(d0[i]) - 0.75*float64(x[i])
			if math.Abs(float64(d[i])-want) > tol(1, math.Abs(float64(d0[i]))+0.75*math.Abs(float64(x[i]))) {
				t.Fatalf("Axpy n=%d: d[%d] = %v, want %v", n, i, d[i], want)
			}
		}
		var want, abs float64
		for i := range x {
			want += float64(x[i]) * float64(d0[i])
			abs += math.Abs(float64(x[i]) * float64(d0[i]))
		}
		if got := Dot(x, d0); math.Abs(float64(got)-want) > tol(n, abs) {
			t.Fatalf("Dot n=%d = %v, want %v", n, got, want)
		}
		ScaleTo(d, 3, x)
		Scal(d, 0.5)
		for i := range d {
			if d[i] != 0.5*(3*x[i]) {
				t.Fatalf("ScaleTo/Scal n=%d: d[%d] = %v, want %v", n, i, d[i], 1.5*x[i])
			}
		}
		checkGuards(t, "x", xb, n)
		checkGuards(t, "d", db, n)
	}
}

// TestGatherSum checks the row gather-reduce for widths 1..300 at several
// column offsets, weighted and not, with duplicate and single entries.
func TestGatherSum(t *testing.T) {
	rng := newRand(t)
	const rows = 40
	for _, n := range []int{1, 7, 8, 9, 16, 24, 31, 32, 40, 56, 63, 64, 65, 100, 128, 136, 200, 255, 300} {
		for _, off := range []int{0, 1, 5} {
			for _, m := range []int{1, 2, 9, 30} {
				for _, weighted := range []bool{false, true} {
					stride := n + off + rng.IntN(3)
					x, xb := guarded(rng, (rows-1)*stride+off+n)
					idx := make([]int32, m)
					for k := range idx {
						idx[k] = int32(rng.IntN(rows))
						if k > 0 && rng.IntN(3) == 0 {
							idx[k] = idx[k-1]
						}
					}
					idx[0] = rows - 1 // the last row: the end of x
					var vals []float32
					if weighted {
						vals = make([]float32, m)
						for k := range vals {
							vals[k] = 2*rng.Float32() - 1
						}
					}
					d, db := guarded(rng, n)
					GatherSum(d, x, stride, off, idx, vals)
					checkGuards(t, "x", xb, len(x))
					checkGuards(t, "dst", db, n)
					for j := 0; j < n; j++ {
						var want, abs float64
						for k, c := range idx {
							v := 1.0
							if vals != nil {
								v = float64(vals[k])
							}
							p := v * float64(x[int(c)*stride+off+j])
							want += p
							abs += math.Abs(p)
						}
						if math.Abs(float64(d[j])-want) > tol(m, abs) {
							t.Fatalf("n=%d off=%d m=%d weighted=%v: dst[%d] = %v, want %v", n, off, m, weighted, j, d[j], want)
						}
					}
				}
			}
		}
	}
}

// TestGatherExt checks the max/min gather-reduce and its arg against a
// plain loop, with ties (duplicate entries) that must keep the first.
func TestGatherExt(t *testing.T) {
	rng := newRand(t)
	const rows = 30
	for _, n := range []int{1, 7, 8, 9, 16, 31, 32, 33, 40, 64, 100, 128, 131} {
		for _, m := range []int{1, 2, 5, 40} {
			for _, weighted := range []bool{false, true} {
				for _, max := range []bool{true, false} {
					for _, withArg := range []bool{true, false} {
						off := rng.IntN(3)
						stride := n + off + rng.IntN(2)
						x, xb := guarded(rng, (rows-1)*stride+off+n)
						idx := make([]int32, m)
						for k := range idx {
							idx[k] = int32(rng.IntN(rows))
							if k > 0 && rng.IntN(3) == 0 {
								idx[k] = idx[k-1]
							}
						}
						var vals []float32
						if weighted {
							vals = make([]float32, m)
							for k := range vals {
								vals[k] = 2*rng.Float32() - 1
								if k > 0 && idx[k] == idx[k-1] {
									vals[k] = vals[k-1] // an exact tie
								}
							}
						}
						d, db := guarded(rng, n)
						var arg []int64
						var ab []int64
						if withArg {
							ab = make([]int64, n+8)
							for i := range ab {
								ab[i] = -77
							}
							arg = ab[:n]
						}
						const k0 = 1 << 33
						GatherExt(d, arg, x, stride, off, idx, vals, k0, max)
						checkGuards(t, "x", xb, len(x))
						checkGuards(t, "dst", db, n)
						for _, v := range ab[min(n, len(ab)):] {
							if v != -77 {
								t.Fatalf("wrote past arg")
							}
						}
						for j := 0; j < n; j++ {
							var want float32
							wantK := -1
							for k, c := range idx {
								v := float32(1)
								if vals != nil {
									v = vals[k]
								}
								c := v * x[int(c)*stride+off+j]
								if k == 0 || (max && c > want) || (!max && c < want) {
									want, wantK = c, k
								}
							}
							if d[j] != want || (arg != nil && arg[j] != k0+int64(wantK)) {
								got := int64(-1)
								if arg != nil {
									got = arg[j]
								}
								t.Fatalf("n=%d m=%d weighted=%v max=%v: dst[%d] = %v (arg %d), want %v (arg %d)",
									n, m, weighted, max, j, d[j], got, want, k0+int64(wantK))
							}
						}
					}
				}
			}
		}
	}
}

// TestRows checks GatherRows and ScatterAddRows at widths around the
// 8-float blocks, with column offsets, strides, duplicates and both store
// kinds.
func TestRows(t *testing.T) {
	rng := newRand(t)
	const srcRows = 20
	for _, cols := range []int{1, 7, 8, 9, 16, 33, 64, 130} {
		for _, off := range []int{0, 3} {
			for _, big := range []bool{false, true} {
				stride := off + cols + 8*rng.IntN(2)
				if big {
					stride = (off + cols + 7) &^ 7 // aligned rows: non-temporal path
				}
				n := 25
				ids := make([]int32, n)
				for i := range ids {
					ids[i] = int32(rng.IntN(srcRows))
				}
				ids[0] = srcRows - 1
				src, sb := guarded(rng, (srcRows-1)*stride+off+cols)
				dstBuf := make([]float32, n*stride+64)
				// align the destination to 32 bytes for the big case
				a := 0
				for uintptr(unsafe.Pointer(&dstBuf[a]))%32 != 0 {
					a++
				}
				dst := dstBuf[a : a+(n-1)*stride+off+cols]
				for i := range dstBuf {
					dstBuf[i] = math.Float32frombits(guardBits)
				}
				GatherRows(dst, stride, src, stride, ids, off, cols, big)
				checkGuards(t, "src", sb, len(src))
				for p := range dstBuf {
					q := p - a
					inside := q >= 0 && q < len(dst) && q%stride >= off && q%stride < off+cols
					if !inside && math.Float32bits(dstBuf[p]) != guardBits {
						t.Fatalf("GatherRows cols=%d off=%d big=%v wrote outside at %d", cols, off, big, q)
					}
					if inside {
						i, j := q/stride, q%stride
						if dstBuf[p] != src[int(ids[i])*stride+j] {
							t.Fatalf("GatherRows cols=%d off=%d: dst[%d,%d] = %v, want %v", cols, off, i, j, dstBuf[p], src[int(ids[i])*stride+j])
						}
					}
				}
				// ScatterAddRows: src rows i into dst rows ids[i].
				acc, ab := guarded(rng, (srcRows-1)*stride+off+cols)
				want := make([]float64, len(acc))
				for p, v := range acc {
					want[p] = float64(v)
				}
				for i, id := range ids {
					for j := off; j < off+cols; j++ {
						want[int(id)*stride+j] += float64(dst[i*stride+j])
					}
				}
				ScatterAddRows(acc, stride, dst, stride, ids, off, cols)
				checkGuards(t, "acc", ab, len(acc))
				for p := range acc {
					if math.Abs(float64(acc[p])-want[p]) > 1e-5 {
						t.Fatalf("ScatterAddRows cols=%d off=%d: acc[%d] = %v, want %v", cols, off, p, acc[p], want[p])
					}
				}
			}
		}
	}
}
