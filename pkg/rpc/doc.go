// Package rpc owns GNNScale's gRPC boundary: the services of
// proto/gnnscale/v1 (generated code in rpcpb), the servers that expose a
// local store on them, and the remote clients, which implement the
// pkg/store backend interfaces so that a remote store is used exactly like
// a local one (wrap a [FeatureClient] with store.NewFeatures, or call
// [DialFeatures]).
//
// Rows travel as Arrow IPC record batches (one FixedSizeList<float32>
// column, rows in request order); errors travel as gRPC statuses with a
// StoreError detail, and come back out of the client as *store.Error
// values that wrap the same sentinels (store.ErrNotFound, ...), so
// errors.Is works across the wire.
package rpc

// The generated code is committed; `make proto` regenerates it with
// Debian's protoc and the plugins pinned as tools in go.mod.
//go:generate sh -c "PATH=$(dirname $(go tool -n protoc-gen-go)):$(dirname $(go tool -n protoc-gen-go-grpc)):$PATH protoc -I ../../proto --go_out=. --go_opt=module=github.com/gnnscale/gnnscale/pkg/rpc --go-grpc_out=. --go-grpc_opt=module=github.com/gnnscale/gnnscale/pkg/rpc gnnscale/v1/features.proto gnnscale/v1/graph.proto"
