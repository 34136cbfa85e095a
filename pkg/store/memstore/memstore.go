package memstore

import (
	"context"
	"sync"

	"github.com/gnnscale/gnnscale/pkg/store"
)

// Backend holds features and topology in memory. It implements
// store.Backend; use it through store.New (or Open), which validates input.
// It is safe for concurrent use.
type Backend struct {
	mu    sync.RWMutex
	attrs map[store.Key]*table
	edges map[store.EdgeType]*edgeTable
}

var _ store.Backend = (*Backend)(nil)

// New returns an empty backend.
func New() *Backend {
	return &Backend{attrs: map[store.Key]*table{}, edges: map[store.EdgeType]*edgeTable{}}
}

// Open returns a new empty in-memory store behind the validating wrapper.
func Open() *store.Store { return store.New(New()) }

// Close drops every attribute and edge type so their memory can be freed.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, t := range b.attrs {
		t.drop()
		delete(b.attrs, k)
	}
	for k, e := range b.edges {
		e.dropped.Store(true)
		delete(b.edges, k)
	}
	return nil
}

// CreateAttr implements store.FeatureBackend.
func (b *Backend) CreateAttr(_ context.Context, info store.AttrInfo) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.attrs[info.Key]; ok {
		return store.ErrExists
	}
	b.attrs[info.Key] = newTable(info)
	return nil
}

// DropAttr implements store.FeatureBackend.
func (b *Backend) DropAttr(_ context.Context, key store.Key) error {
	b.mu.Lock()
	t, ok := b.attrs[key]
	delete(b.attrs, key)
	b.mu.Unlock()
	if !ok {
		return store.ErrNotFound
	}
	t.drop()
	return nil
}

// Attrs implements store.FeatureBackend.
func (b *Backend) Attrs(context.Context) ([]store.AttrInfo, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]store.AttrInfo, 0, len(b.attrs))
	for _, t := range b.attrs {
		out = append(out, t.info)
	}
	return out, nil
}

// Table implements store.FeatureBackend.
func (b *Backend) Table(_ context.Context, key store.Key) (store.FeatureTable, error) {
	b.mu.RLock()
	t, ok := b.attrs[key]
	b.mu.RUnlock()
	if !ok {
		return nil, store.ErrNotFound
	}
	return t, nil
}

// PutTopology implements store.GraphBackend. The topology is kept as is.
func (b *Backend) PutTopology(_ context.Context, et store.EdgeType, t *store.Topology) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.edges[et] = &edgeTable{info: t.Info(et), top: t}
	return nil
}

// DropEdges implements store.GraphBackend.
func (b *Backend) DropEdges(_ context.Context, et store.EdgeType) error {
	b.mu.Lock()
	e, ok := b.edges[et]
	delete(b.edges, et)
	b.mu.Unlock()
	if !ok {
		return store.ErrNotFound
	}
	e.dropped.Store(true)
	return nil
}

// EdgeTypes implements store.GraphBackend.
func (b *Backend) EdgeTypes(context.Context) ([]store.EdgeInfo, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]store.EdgeInfo, 0, len(b.edges))
	for _, e := range b.edges {
		out = append(out, e.info)
	}
	return out, nil
}

// Edges implements store.GraphBackend.
func (b *Backend) Edges(_ context.Context, et store.EdgeType) (store.EdgeTable, error) {
	b.mu.RLock()
	e, ok := b.edges[et]
	b.mu.RUnlock()
	if !ok {
		return nil, store.ErrNotFound
	}
	return e, nil
}
