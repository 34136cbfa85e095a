package autodiff_test

import (
	"fmt"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// A tape records a forward pass; Backward fills the parameters' gradients.
func Example() {
	w := ad.NewParam(1, 2) // a 1x2 weight: y = x w^T
	w.Value.Data[0], w.Value.Data[1] = 2, -1

	tp := ad.New(cpu.New())
	x := tp.Const(tensor.FromSlice(3, 2, []float32{1, 0, 0, 1, 1, 1}))
	y := tp.Linear(x, w.Var, nil)           // [2, -1, 1]
	loss := tp.Sum(tp.Mul(y, y))            // 4 + 1 + 1
	tp.Backward(loss)                       // dL/dw = sum_i 2 y_i x_i
	fmt.Println(loss.Scalar(), w.Grad.Data) // values valid until Reset
	tp.Reset()
	// Output: 6 [6 0]
}
