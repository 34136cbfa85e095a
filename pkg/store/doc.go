// Package store owns GNNScale's storage plug-in point: the FeatureStore and
// GraphStore interfaces (modelled on PyG's, but batched, context-first and
// made for remote backends), the validating wrappers that sit between users
// and backends, and the canonical forms both sides exchange.
//
// # Two sides, as database/sql and database/sql/driver
//
// Users (the trainer, samplers, servers) program against [FeatureStore],
// [GraphStore] and their small read-only parts [FeatureReader] and
// [NeighborReader]. Backends implement [FeatureBackend] (with one
// [FeatureTable] handle per attribute) and [GraphBackend] (with one
// [EdgeTable] per edge type). [New], [NewFeatures] and [NewGraph] join the
// two: the wrapper validates names, shapes, row and node ids and the context
// once, converts edge indexes to the canonical [Topology], turns every
// failure into an [*Error], enforces Close, and uses a backend's optional
// fast paths ([TableRangeGetter], [TableRangePutter]) when it has them. A
// backend therefore never sees a bad id or a wrong shape and never formats
// an error message. The memory backend (pkg/store/memstore) is the short
// reference implementation; pkg/store/pebblestore is the durable one; the
// conformance suite pkg/store/storetest checks any backend.
//
// # Features
//
// An attribute ([Key]: group and name, e.g. "paper/x") is a float32 table of
// Rows x Cols fixed at Create; rows are addressed by int64 ids in [0, Rows)
// and are present or absent. Get fills a caller-owned destination in request
// order, duplicates allowed, and never retains it, so pinned buffers can be
// destinations. Put and Remove are atomic. Optional capabilities are found
// by type assertion in helper functions that fall back when they are
// missing: [GetRange] and [PutRange] use [RangeGetter]/[RangePutter].
//
// # Topology
//
// An edge type ([EdgeType], PyG's (src, rel, dst)) holds one edge index,
// put and read in COO, CSR or CSC ([EdgeIndex]) with edge ids and optional
// weights and timestamps. Stores keep it compressed by destination, so
// [NeighborReader.Neighbors] answers the in-neighbours of a batch of nodes
// into a [graph.Adjacency]. [View] turns one edge type into a value with
// exactly the methods of the samplers' NeighborSource.
//
// # Errors
//
// Every error is an [*Error]{Op, Key, Row, Err} wrapping one sentinel:
// [ErrNotFound], [ErrOutOfRange], [ErrShape], [ErrExists], [ErrInvalid],
// [ErrClosed], or a context error, so a server maps it to a status code
// with errors.Is:
//
//	store: get paper/x: row 17: out of range [0, 10) at ids[3]
//
// # Concurrency
//
// Stores are safe for concurrent use; reads may run during writes and see
// each row either before or after a write, never torn. See
// docs/storage.md for writing and testing a backend.
package store
