package cpu_test

import (
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Example aggregates neighbour features with a mean and a max (with its
// arg for the backward), then runs the backward of a sum through the
// transposed graph.
func Example() {
	b := cpu.New(cpu.WithWorkers(2))
	// Node 0 receives from 1 and 2, node 1 from 2, node 2 from nobody.
	a := tensor.CSR{Rows: 3, Cols: 3, Indptr: []int64{0, 2, 3, 3}, Indices: []int32{1, 2, 2}}
	x := tensor.FromSlice(3, 2, []float32{1, 2, 3, 4, 5, -6})

	mean := tensor.New(3, 2)
	b.SpMM(mean, a, x, kernels.Mean, nil)
	fmt.Println("mean", mean)

	mx, arg := tensor.New(3, 2), make([]int64, 6)
	b.SpMM(mx, a, x, kernels.Max, arg)
	fmt.Println("max", mx, "arg", arg)

	at, _ := kernels.Transpose(a)
	g := tensor.FromSlice(3, 2, []float32{1, 1, 1, 1, 1, 1})
	dx := tensor.New(3, 2)
	b.SpMM(dx, at, g, kernels.Sum, nil)
	fmt.Println("dx", dx)
	// Output:
	// mean [4 -1; 5 -6; 0 0]
	// max [5 4; 5 -6; 0 0] arg [1 0 2 2 -1 -1]
	// dx [0 0; 1 1; 2 2]
}
