package sampling

import (
	"context"
	"errors"
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// Sentinel errors. Errors returned by this package wrap them, so callers
// decide with errors.Is.
var (
	// ErrNodeRange marks a node id outside [0, NumNodes).
	ErrNodeRange = errors.New("node id out of range")
	// ErrOptions marks invalid sampler or loader options.
	ErrOptions = errors.New("invalid options")
	// ErrClosed is returned by a loader used after Close.
	ErrClosed = errors.New("loader closed")
)

// NeighborSource is the only view of the graph that samplers have: the
// in-neighbours of a batch of nodes (the sources of the edges into each
// node) with their edge ids.
//
// Neighbors resets dst and fills it so that query i (nodes[i]) owns entries
// [dst.Indptr[i], dst.Indptr[i+1]) of dst.Nbrs and dst.EdgeID; dst.Weight and
// dst.Time are filled (same length as Nbrs) when the source has edge weights
// or edge times, and left empty otherwise. Queries may repeat. An id outside
// [0, NumNodes()) returns an error wrapping [ErrNodeRange] that names it.
// Implementations must not retain dst or nodes. The in-memory implementation
// is [MemorySource]; graph stores implement it structurally.
type NeighborSource interface {
	NumNodes() int
	Neighbors(ctx context.Context, nodes []int32, dst *graph.Adjacency) error
}

// CSCView is an in-memory in-neighbour adjacency that samplers read in
// place: node v's entries are [Indptr[v], Indptr[v+1]) of Indices (sources),
// EdgeID (nil means entry k has id k), Weight and Time (nil when absent).
// Entries of a node are expected in ascending Time order when Time is set
// and the "last" temporal strategy is used with edge times (ties broken by
// position either way).
type CSCView struct {
	Indptr  []int64
	Indices []int32
	EdgeID  []int64
	Weight  []float32
	Time    []int64
}

// CSCViewer is the optional fast path of a NeighborSource that holds its
// adjacency in memory: samplers found by type assertion read neighbour lists
// in place instead of copying them through Neighbors.
type CSCViewer interface {
	CSCView() CSCView
}

// MemorySource is the in-memory NeighborSource over a [graph.CSC], with
// optional per-edge weights and times. It is immutable and goroutine-safe.
type MemorySource struct {
	view CSCView
	n    int
}

// FromCSC wraps csc (not copied; it must not change afterwards). weight
// (nil: csc.Weight, which may be nil) and time (nil: none) hold one value
// per CSC entry. It returns an error wrapping [ErrOptions] when csc is
// invalid or a length disagrees.
func FromCSC(csc *graph.CSC, weight []float32, time []int64) (*MemorySource, error) {
	if csc == nil {
		return nil, fmt.Errorf("sampling: FromCSC: nil csc: %w", ErrOptions)
	}
	if err := csc.Validate(); err != nil {
		return nil, fmt.Errorf("sampling: FromCSC: %w: %w", ErrOptions, err)
	}
	m := csc.NumEdges()
	if weight == nil {
		weight = csc.Weight
	}
	if weight != nil && int64(len(weight)) != m {
		return nil, fmt.Errorf("sampling: FromCSC: %d weights for %d edges: %w", len(weight), m, ErrOptions)
	}
	if time != nil && int64(len(time)) != m {
		return nil, fmt.Errorf("sampling: FromCSC: %d times for %d edges: %w", len(time), m, ErrOptions)
	}
	for k, w := range weight {
		if !(w >= 0) || w > maxWeight {
			return nil, fmt.Errorf("sampling: FromCSC: entry %d: weight %v not finite and >= 0: %w", k, w, ErrOptions)
		}
	}
	return &MemorySource{n: csc.NumNodes, view: CSCView{
		Indptr: csc.Indptr, Indices: csc.Indices, EdgeID: csc.EdgeID, Weight: weight, Time: time,
	}}, nil
}

const maxWeight = 3.4e38

// NumNodes returns the number of nodes.
func (s *MemorySource) NumNodes() int { return s.n }

// CSCView returns the adjacency itself (aliasing it; read only).
func (s *MemorySource) CSCView() CSCView { return s.view }

// Neighbors implements [NeighborSource] by copying each query's entries.
func (s *MemorySource) Neighbors(ctx context.Context, nodes []int32, dst *graph.Adjacency) error {
	if err := checkNodes(nodes, s.n); err != nil {
		return fmt.Errorf("sampling: neighbors: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	v := &s.view
	dst.Reset()
	for _, u := range nodes {
		lo, hi := v.Indptr[u], v.Indptr[u+1]
		dst.Nbrs = append(dst.Nbrs, v.Indices[lo:hi]...)
		if v.EdgeID != nil {
			dst.EdgeID = append(dst.EdgeID, v.EdgeID[lo:hi]...)
		} else {
			for k := lo; k < hi; k++ {
				dst.EdgeID = append(dst.EdgeID, k)
			}
		}
		if v.Weight != nil {
			dst.Weight = append(dst.Weight, v.Weight[lo:hi]...)
		}
		if v.Time != nil {
			dst.Time = append(dst.Time, v.Time[lo:hi]...)
		}
		dst.Indptr = append(dst.Indptr, int64(len(dst.Nbrs)))
	}
	return nil
}

// checkNodes returns an error wrapping ErrNodeRange naming the first id
// outside [0, n).
func checkNodes(nodes []int32, n int) error {
	for i, v := range nodes {
		if v < 0 || int(v) >= n {
			return fmt.Errorf("node %d at position %d not in [0, %d): %w", v, i, n, ErrNodeRange)
		}
	}
	return nil
}
