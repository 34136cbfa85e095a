package rpc

import (
	"math/rand/v2"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// TestRowsRoundTrip: encodeRows then decodeRows gives the rows back, for
// contiguous and strided sources, one-column and wide rows and no rows.
func TestRowsRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(rand.Uint64(), 1))
	for _, tc := range []struct{ rows, cols, stride int }{
		{0, 4, 4}, {1, 1, 1}, {7, 3, 3}, {5, 3, 8}, {100, 128, 128}, {3, 1000, 1001},
	} {
		big := tensor.New(tc.rows, tc.stride)
		for i := range big.Data {
			big.Data[i] = r.Float32()
		}
		src := &tensor.Dense{Rows: tc.rows, Cols: tc.cols, Stride: tc.stride, Data: big.Data}
		b, err := encodeRows(src, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeRows(b, tc.cols, nil)
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		into := tensor.New(tc.rows, tc.cols)
		if _, err := decodeRows(b, tc.cols, into); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < tc.rows; i++ {
			for j := 0; j < tc.cols; j++ {
				if got.At(i, j) != src.At(i, j) || into.At(i, j) != src.At(i, j) {
					t.Fatalf("%+v: (%d, %d) = %v / %v, want %v", tc, i, j, got.At(i, j), into.At(i, j), src.At(i, j))
				}
			}
		}
		if _, err := decodeRows(b, tc.cols+1, nil); err == nil {
			t.Errorf("%+v: rows of the wrong width accepted", tc)
		}
		if _, err := decodeRows(b, tc.cols, tensor.New(tc.rows+1, tc.cols)); err == nil {
			t.Errorf("%+v: wrong row count accepted", tc)
		}
	}
}

// FuzzDecodeRows: arbitrary bytes never panic the decoder, and whatever it
// accepts has the asked width.
func FuzzDecodeRows(f *testing.F) {
	for _, rows := range []int{0, 1, 3} {
		b, err := encodeRows(tensor.New(rows, 2), nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("not arrow"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeRows(b, 2, nil)
		if err == nil && m.Cols != 2 {
			t.Fatalf("decoded %s, want width 2", m.Shape())
		}
	})
}
