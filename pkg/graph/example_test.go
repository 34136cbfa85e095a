package graph_test

import (
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

func ExampleSymmetrize() {
	c := graph.COO{NumNodes: 3, Src: []int32{0, 1, 2, 1}, Dst: []int32{1, 0, 1, 1}}
	s := graph.Symmetrize(c)
	fmt.Println(s.Src, s.Dst, s.EdgeID)
	// Output: [0 1 1 1 2] [1 0 1 2 1] [0 0 3 2 2]
}

func ExampleGCNNorm() {
	// Path 0 - 1 (both directions): with self loops every degree is 2.
	c := graph.COO{NumNodes: 2, Src: []int32{0, 1}, Dst: []int32{1, 0}}
	g := graph.GCNNorm(c)
	fmt.Println(g.Src, g.Dst, g.Weight, g.EdgeID)
	// Output: [0 1 0 1] [1 0 0 1] [0.5 0.5 0.5 0.5] [0 1 -1 -1]
}

func ExampleInducedSubgraph() {
	c := graph.COO{NumNodes: 4, Src: []int32{0, 1, 2, 3, 2}, Dst: []int32{1, 2, 3, 0, 0}}
	g := c.ToCSR()
	sub, _ := graph.InducedSubgraph(&g, []int32{2, 0, 3})
	coo := sub.Graph.ToCOO()
	fmt.Println(coo.Src, coo.Dst, coo.EdgeID, sub.Nodes)
	// Output: [0 0 2] [2 1 1] [2 4 3] [2 0 3]
}
