package store

// Backend is a storage backend holding both features and topology, as the
// memory and Pebble backends do.
type Backend interface {
	FeatureBackend
	GraphBackend
}

// Store is the user-facing store over one Backend: a [*Features] and a
// [*Graph] sharing one lifetime. It implements FeatureStore, GraphStore and
// io.Closer.
type Store struct {
	*Features
	*Graph
	b    Backend
	life *lifecycle
}

var (
	_ FeatureStore = (*Store)(nil)
	_ GraphStore   = (*Store)(nil)
)

// New wraps b. Close closes b if it is an io.Closer.
func New(b Backend) *Store {
	life := newLifecycle(b)
	return &Store{Features: &Features{b: b, life: life}, Graph: &Graph{b: b, life: life}, b: b, life: life}
}

// Backend returns the wrapped backend (for backend-specific extras such as
// pebblestore's Stats).
func (s *Store) Backend() Backend { return s.b }

// Close waits for running calls, then closes the backend; later calls fail
// with ErrClosed.
func (s *Store) Close() error { return s.life.close() }
