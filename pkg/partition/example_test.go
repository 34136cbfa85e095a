package partition_test

import (
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/partition"
)

// Partition a 4x4 grid into two halves, renumber so each half is one id
// range, and look owners up in the range book.
func Example() {
	coo := graph.COO{NumNodes: 16}
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			v := int32(4*i + j)
			if j < 3 {
				coo.Src, coo.Dst = append(coo.Src, v), append(coo.Dst, v+1)
			}
			if i < 3 {
				coo.Src, coo.Dst = append(coo.Src, v), append(coo.Dst, v+4)
			}
		}
	}
	g, err := partition.FromCOO(&coo)
	if err != nil {
		panic(err)
	}
	res, err := partition.Partition(g, 2, &partition.Options{Imbalance: 1.0, Seed: 1})
	if err != nil {
		panic(err)
	}
	perm, ptr, _ := partition.Renumber(res.Part, 2)
	book, _ := partition.NewBook(ptr)
	fmt.Println("cut:", res.Cut, "part weights:", res.PartWeights)
	fmt.Println("ptr:", ptr, "nodes:", len(perm), "owner of new id 9:", book.Owner(9))
	// Output:
	// cut: 4 part weights: [8 8]
	// ptr: [0 8 16] nodes: 16 owner of new id 9: 1
}
