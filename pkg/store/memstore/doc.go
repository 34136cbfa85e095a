// Package memstore is the in-memory storage backend, the embedded default
// and the reference implementation of the pkg/store backend interfaces (as
// testing/fstest.MapFS is for io/fs): short enough to read in one sitting,
// and the behaviour every other backend is checked against.
//
// Features live in pages of 1024 rows allocated on first write, with a
// presence bitmap per page, so a large, sparsely written attribute costs only
// what was written. Topology is kept as the canonical store.Topology per
// edge type. Nothing is durable.
//
// Use it through the validating wrapper:
//
//	s := memstore.Open() // *store.Store
//	defer s.Close()
package memstore
