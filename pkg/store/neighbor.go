package store

import (
	"context"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// NeighborView is one edge type of a NeighborReader seen as a neighbour
// source: it has exactly the methods of the samplers' NeighborSource
// (NumNodes and Neighbors without an edge type), so a store plugs into
// pkg/sampling without either package importing the other.
type NeighborView struct {
	r        NeighborReader
	et       EdgeType
	numNodes int
}

// View returns the NeighborView of edge type et of r. NumNodes is read
// once, here; re-putting et with a different node count needs a new view.
// Errors: ErrNotFound if r has no edge type et.
func View(ctx context.Context, r NeighborReader, et EdgeType) (*NeighborView, error) {
	info, err := r.EdgeInfo(ctx, et)
	if err != nil {
		return nil, err
	}
	return &NeighborView{r: r, et: et, numNodes: info.NumNodes}, nil
}

// NumNodes returns the number of nodes of the edge type.
func (v *NeighborView) NumNodes() int { return v.numNodes }

// EdgeType returns the viewed edge type.
func (v *NeighborView) EdgeType() EdgeType { return v.et }

// Neighbors fills dst with the in-neighbours of nodes (see
// NeighborReader.Neighbors).
func (v *NeighborView) Neighbors(ctx context.Context, nodes []int32, dst *graph.Adjacency) error {
	return v.r.Neighbors(ctx, v.et, nodes, dst)
}
