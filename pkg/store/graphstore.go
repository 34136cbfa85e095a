package store

import (
	"context"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// NeighborReader answers neighbour lookups for a batch of nodes. It is what
// the samplers consume (through [NeighborView] for one edge type).
type NeighborReader interface {
	// Neighbors resets dst and fills it with the in-neighbours of each node
	// of nodes, in request order (duplicates allowed): for query i, the
	// sources of the edges of type et that end at nodes[i], with their edge
	// ids, in the order the edge index was put. dst.Weight (dst.Time) gets
	// one value per neighbour when the edge type is weighted (timed) and is
	// left empty otherwise. dst belongs to the caller.
	//
	// Errors: ErrNotFound (no such edge type), ErrOutOfRange (a node outside
	// [0, NumNodes), detected before anything is read), a context error.
	Neighbors(ctx context.Context, et EdgeType, nodes []int32, dst *graph.Adjacency) error
	// EdgeInfo returns the size and attributes of an edge type, or
	// ErrNotFound.
	EdgeInfo(ctx context.Context, et EdgeType) (EdgeInfo, error)
}

// GraphStore is the full topology storage interface, modelled on PyG's
// GraphStore: an edge index per edge type, put and read in any layout, and
// batched neighbour lookups. Implementations are safe for concurrent use.
type GraphStore interface {
	NeighborReader
	// PutEdges stores edges as the edge index of et, replacing any previous
	// one, atomically (all or nothing) and durably where the backend is
	// durable. edges is not retained. Errors: ErrInvalid (a malformed edge
	// index: the message names the bad edge or node), a context error.
	PutEdges(ctx context.Context, et EdgeType, edges EdgeIndex) error
	// GetEdges returns the edge index of et in the given layout, in freshly
	// allocated slices owned by the caller. Errors: ErrNotFound, ErrInvalid
	// (unknown layout).
	GetEdges(ctx context.Context, et EdgeType, layout Layout) (EdgeIndex, error)
	// DropEdges deletes the edge index of et. Errors: ErrNotFound.
	DropEdges(ctx context.Context, et EdgeType) error
	// EdgeTypes lists every stored edge type, sorted.
	EdgeTypes(ctx context.Context) ([]EdgeInfo, error)
}

// GraphBackend is the implementer's side of a graph store. The wrapper
// ([NewGraph]) validates and converts every edge index to a [Topology]
// once, so backends store and return only that canonical form. Methods must
// be safe for concurrent use.
type GraphBackend interface {
	// PutTopology replaces the edge index of et with t atomically. t is
	// valid (t.Validate() == nil) and owned by the backend from now on.
	PutTopology(ctx context.Context, et EdgeType, t *Topology) error
	// DropEdges deletes the edge index of et, or returns ErrNotFound. Edge
	// tables already handed out must afterwards fail with ErrNotFound.
	DropEdges(ctx context.Context, et EdgeType) error
	// EdgeTypes lists every stored edge type in any order.
	EdgeTypes(ctx context.Context) ([]EdgeInfo, error)
	// Edges returns a handle to the edge index of et, or ErrNotFound. A
	// handle's EdgeInfo never changes.
	Edges(ctx context.Context, et EdgeType) (EdgeTable, error)
}

// EdgeTable is the edge index of one edge type in a GraphBackend.
type EdgeTable interface {
	Info() EdgeInfo
	// Neighbors appends to dst (already Reset by the wrapper) the
	// in-neighbours of each node, every node in [0, Info().NumNodes), in
	// the contract of NeighborReader.Neighbors.
	Neighbors(ctx context.Context, nodes []int32, dst *graph.Adjacency) error
	// Topology returns the whole edge index in freshly allocated slices.
	Topology(ctx context.Context) (*Topology, error)
}
