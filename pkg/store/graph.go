package store

import (
	"context"
	"slices"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// Graph is the validating [GraphStore] over a [GraphBackend]: it validates
// and converts edge indexes to the canonical [Topology] once, checks node
// ids and the context, wraps errors in [*Error] and enforces Close. It is
// safe for concurrent use.
type Graph struct {
	b    GraphBackend
	life *lifecycle
}

var _ GraphStore = (*Graph)(nil)

// NewGraph wraps b. If b is an io.Closer, Close closes it.
func NewGraph(b GraphBackend) *Graph { return &Graph{b: b, life: newLifecycle(b)} }

// Backend returns the wrapped backend.
func (g *Graph) Backend() GraphBackend { return g.b }

// Close waits for running calls, then closes the backend.
func (g *Graph) Close() error { return g.life.close() }

func (g *Graph) edges(ctx context.Context, op string, et EdgeType) (EdgeTable, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: op, Key: et.String(), Row: NoRow, Err: err}
	}
	t, err := g.b.Edges(ctx, et)
	if err != nil {
		return nil, wrapErr(op, et.String(), err)
	}
	return t, nil
}

// PutEdges implements GraphStore.
func (g *Graph) PutEdges(ctx context.Context, et EdgeType, edges EdgeIndex) error {
	const op = "put-edges"
	if err := g.life.enter(op, et.String()); err != nil {
		return err
	}
	defer g.life.exit()
	if err := et.Validate(); err != nil {
		return &Error{Op: op, Key: et.String(), Row: NoRow, Err: err}
	}
	t, err := NewTopology(edges)
	if err != nil {
		return &Error{Op: op, Key: et.String(), Row: NoRow, Err: err}
	}
	if err := ctxErr(ctx, op, et.String()); err != nil {
		return err
	}
	return wrapErr(op, et.String(), g.b.PutTopology(ctx, et, t))
}

// GetEdges implements GraphStore.
func (g *Graph) GetEdges(ctx context.Context, et EdgeType, layout Layout) (EdgeIndex, error) {
	const op = "get-edges"
	if err := g.life.enter(op, et.String()); err != nil {
		return EdgeIndex{}, err
	}
	defer g.life.exit()
	if layout > CSC {
		return EdgeIndex{}, &Error{Op: op, Key: et.String(), Row: NoRow, Err: errLayout(layout)}
	}
	t, err := g.edges(ctx, op, et)
	if err != nil {
		return EdgeIndex{}, err
	}
	top, err := t.Topology(ctx)
	if err != nil {
		return EdgeIndex{}, wrapErr(op, et.String(), err)
	}
	ei, err := top.EdgeIndex(layout)
	return ei, wrapErr(op, et.String(), err)
}

// DropEdges implements GraphStore.
func (g *Graph) DropEdges(ctx context.Context, et EdgeType) error {
	const op = "drop-edges"
	if err := g.life.enter(op, et.String()); err != nil {
		return err
	}
	defer g.life.exit()
	if err := ctxErr(ctx, op, et.String()); err != nil {
		return err
	}
	return wrapErr(op, et.String(), g.b.DropEdges(ctx, et))
}

// EdgeTypes implements GraphStore; the result is sorted by edge type.
func (g *Graph) EdgeTypes(ctx context.Context) ([]EdgeInfo, error) {
	const op = "edge-types"
	if err := g.life.enter(op, ""); err != nil {
		return nil, err
	}
	defer g.life.exit()
	if err := ctxErr(ctx, op, ""); err != nil {
		return nil, err
	}
	es, err := g.b.EdgeTypes(ctx)
	if err != nil {
		return nil, wrapErr(op, "", err)
	}
	es = slices.Clone(es)
	slices.SortFunc(es, func(a, b EdgeInfo) int { return cmpString(a.Type.String(), b.Type.String()) })
	return es, nil
}

// EdgeInfo implements NeighborReader.
func (g *Graph) EdgeInfo(ctx context.Context, et EdgeType) (EdgeInfo, error) {
	if err := g.life.enter("edge-info", et.String()); err != nil {
		return EdgeInfo{}, err
	}
	defer g.life.exit()
	t, err := g.edges(ctx, "edge-info", et)
	if err != nil {
		return EdgeInfo{}, err
	}
	return t.Info(), nil
}

// Neighbors implements NeighborReader.
func (g *Graph) Neighbors(ctx context.Context, et EdgeType, nodes []int32, dst *graph.Adjacency) error {
	const op = "neighbors"
	if err := g.life.enter(op, ""); err != nil {
		return err
	}
	defer g.life.exit()
	t, err := g.edges(ctx, op, et)
	if err != nil {
		return err
	}
	if dst == nil {
		return &Error{Op: op, Key: et.String(), Row: NoRow, Err: errNilTensor("adjacency")}
	}
	n := t.Info().NumNodes
	for i, v := range nodes {
		if uint32(v) >= uint32(n) {
			return rangeErr(op, et.String(), int64(v), int64(n), i)
		}
	}
	dst.Reset()
	if len(nodes) == 0 {
		return nil
	}
	return wrapErr(op, et.String(), t.Neighbors(ctx, nodes, dst))
}

func errLayout(l Layout) error { return &layoutError{l} }

type layoutError struct{ l Layout }

func (e *layoutError) Error() string { return "invalid argument: unknown layout " + e.l.String() }
func (e *layoutError) Unwrap() error { return ErrInvalid }
