package kernels_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func randCSR(rng *rand.Rand, rows, cols, maxDeg int, weighted bool) tensor.CSR {
	a := tensor.CSR{Rows: rows, Cols: cols, Indptr: make([]int64, rows+1), Indices: []int32{}}
	for i := 0; i < rows; i++ {
		if cols > 0 {
			for d := rng.IntN(maxDeg + 1); d > 0; d-- {
				a.Indices = append(a.Indices, int32(rng.IntN(cols)))
			}
		}
		a.Indptr[i+1] = int64(len(a.Indices))
	}
	if weighted {
		a.Values = make([]float32, len(a.Indices))
		for k := range a.Values {
			a.Values[k] = rng.Float32()
		}
	}
	return a
}

func TestTranspose(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for _, tc := range []struct {
		name            string
		rows, cols, deg int
		weighted        bool
	}{
		{"empty", 0, 0, 0, false},
		{"no-cols", 3, 0, 2, false},
		{"no-entries", 4, 5, 0, true},
		{"small", 6, 4, 5, true},
		{"rect", 50, 9, 6, false},
		{"dups", 40, 3, 12, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := randCSR(rng, tc.rows, tc.cols, tc.deg, tc.weighted)
			at, perm := kernels.Transpose(a)
			if err := at.Validate(); err != nil {
				t.Fatal(err)
			}
			if at.Rows != a.Cols || at.Cols != a.Rows || int64(len(perm)) != a.NNZ() {
				t.Fatalf("at is %dx%d with %d perm entries", at.Rows, at.Cols, len(perm))
			}
			if (at.Values == nil) != (a.Values == nil) {
				t.Fatalf("at.Values nil = %v, a.Values nil = %v", at.Values == nil, a.Values == nil)
			}
			seen := make([]bool, len(perm))
			for j := 0; j < at.Rows; j++ {
				last := int64(-1)
				for p := at.Indptr[j]; p < at.Indptr[j+1]; p++ {
					k := perm[p]
					if seen[k] {
						t.Fatalf("perm repeats entry %d", k)
					}
					seen[k] = true
					if a.Indices[k] != int32(j) || at.Value(p) != a.Value(k) {
						t.Fatalf("at entry %d (row %d) maps to a entry %d of column %d", p, j, k, a.Indices[k])
					}
					if row := at.Indices[p]; a.Indptr[row] > k || k >= a.Indptr[row+1] {
						t.Fatalf("at entry %d names row %d, but a entry %d is not in it", p, row, k)
					}
					if k <= last {
						t.Fatalf("at row %d is not in a's entry order", j)
					}
					last = k
				}
			}
			want := a.ToDense()
			got := at.ToDense()
			for i := 0; i < a.Rows; i++ {
				for j := 0; j < a.Cols; j++ {
					if want.At(i, j) != got.At(j, i) {
						t.Fatalf("a[%d,%d] = %v but at[%d,%d] = %v", i, j, want.At(i, j), j, i, got.At(j, i))
					}
				}
			}
			if a.Values != nil {
				for k := range a.Values {
					a.Values[k] = -float32(k)
				}
				kernels.PermuteValues(at.Values, a.Values, perm)
				for p, k := range perm {
					if at.Values[p] != -float32(k) {
						t.Fatalf("PermuteValues: at.Values[%d] = %v, want %v", p, at.Values[p], -float32(k))
					}
				}
			}
		})
	}
}

// ExampleTranspose builds the transpose used by the backward of a Sum
// SpMM (dx = SpMM(at, g, Sum)) and refreshes its weights after a's change.
func ExampleTranspose() {
	a := tensor.CSR{Rows: 2, Cols: 3, Indptr: []int64{0, 2, 3}, Indices: []int32{0, 2, 2}, Values: []float32{1, 2, 3}}
	at, perm := kernels.Transpose(a)
	fmt.Println(at.Indptr, at.Indices, at.Values, perm)
	a.Values[2] = 30
	kernels.PermuteValues(at.Values, a.Values, perm)
	fmt.Println(at.Values)
	// Output:
	// [0 1 1 3] [0 0 1] [1 2 3] [0 1 2]
	// [1 2 30]
}
