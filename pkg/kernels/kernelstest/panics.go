package kernelstest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// TestPanics checks that shape mismatches and bad ids panic with a message
// that starts "kernels: <Method>:", before any output is written.
func TestPanics(t *testing.T, b kernels.Backend) {
	a := tensor.CSR{Rows: 2, Cols: 3, Indptr: []int64{0, 1, 2}, Indices: []int32{0, 2}}
	cases := []struct {
		method string
		call   func()
	}{
		{"Gemm", func() { b.Gemm(false, false, 1, tensor.New(2, 3), tensor.New(4, 2), 0, tensor.New(2, 2)) }},
		{"Gemm", func() { b.Gemm(false, true, 1, tensor.New(2, 3), tensor.New(4, 3), 0, tensor.New(2, 5)) }},
		{"SpMM", func() { b.SpMM(tensor.New(2, 4), a, tensor.New(2, 4), kernels.Sum, nil) }},
		{"SpMM", func() { b.SpMM(tensor.New(2, 4), a, tensor.New(3, 4), kernels.Max, make([]int64, 3)) }},
		{"SpMM", func() {
			bad := a
			bad.Indices = []int32{0, 3}
			b.SpMM(tensor.New(2, 4), bad, tensor.New(3, 4), kernels.Sum, nil)
		}},
		{"SpMMArgBackward", func() { b.SpMMArgBackward(tensor.New(3, 4), a, tensor.New(2, 4), make([]int64, 7)) }},
		{"EdgeDot", func() { b.EdgeDot(make([]float32, 3), a, tensor.New(2, 4), tensor.New(3, 4)) }},
		{"Gather", func() { b.Gather(tensor.New(2, 4), tensor.New(3, 4), []int32{0, 3}) }},
		{"ScatterAdd", func() { b.ScatterAdd(tensor.New(3, 4), tensor.New(2, 4), []int32{-1, 0}) }},
		{"SegmentSoftmax", func() { b.SegmentSoftmax(tensor.New(3, 1), tensor.New(3, 1), []int64{0, 2}) }},
		{"SegmentSoftmaxBackward", func() { b.SegmentSoftmaxBackward(tensor.New(3, 1), tensor.New(3, 2), tensor.New(3, 1), []int64{0, 3}) }},
		{"Add", func() { b.Add(tensor.New(2, 2), tensor.New(2, 2), tensor.New(2, 3)) }},
		{"AddRowVector", func() { b.AddRowVector(tensor.New(2, 2), make([]float32, 3)) }},
		{"SumRows", func() { b.SumRows(make([]float32, 3), tensor.New(2, 2)) }},
		{"Activation", func() { b.Activation(tensor.New(2, 2), kernels.Act{Kind: kernels.ReLU}, tensor.New(2, 1)) }},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d-%s", i, c.method), func(t *testing.T) {
			defer func() {
				r := recover()
				msg := fmt.Sprint(r)
				if r == nil || !strings.HasPrefix(msg, "kernels: "+c.method+": ") {
					t.Fatalf("panic = %v, want one starting %q", r, "kernels: "+c.method+": ")
				}
			}()
			c.call()
		})
	}
}
