package memstore

import (
	"context"
	"slices"
	"sync/atomic"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// edgeTable is the immutable topology of one edge type; a put replaces the
// whole table, so readers need no lock.
type edgeTable struct {
	info    store.EdgeInfo
	top     *store.Topology
	dropped atomic.Bool
}

// Info implements store.EdgeTable.
func (e *edgeTable) Info() store.EdgeInfo { return e.info }

// Neighbors implements store.EdgeTable.
func (e *edgeTable) Neighbors(_ context.Context, nodes []int32, dst *graph.Adjacency) error {
	if e.dropped.Load() {
		return store.ErrNotFound
	}
	e.top.AppendNeighbors(nodes, dst)
	return nil
}

// Topology implements store.EdgeTable.
func (e *edgeTable) Topology(context.Context) (*store.Topology, error) {
	if e.dropped.Load() {
		return nil, store.ErrNotFound
	}
	t := e.top
	c := &store.Topology{NumNodes: t.NumNodes, Indptr: slices.Clone(t.Indptr), Src: slices.Clone(t.Src),
		EdgeID: slices.Clone(t.EdgeID)}
	if t.Weight != nil {
		c.Weight = slices.Clone(t.Weight)
	}
	if t.Time != nil {
		c.Time = slices.Clone(t.Time)
	}
	return c, nil
}
