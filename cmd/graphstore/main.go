// Command graphstore is GNNScale's graph server: it serves a graph store
// (Pebble on disk, or memory) over gRPC, the GraphStore service of
// proto/gnnscale/v1: topologies in, batched neighbour lookups out.
// Trainers reach it with rpc.DialGraph.
//
//	graphstore --listen 0.0.0.0:7071 --dir /data/graph
//
// SIGINT or SIGTERM stops it gracefully: running requests finish, then the
// store is closed. The body is cmd/internal/servecmd's, shared with
// cmd/featurestore.
package main

import "github.com/gnnscale/gnnscale/cmd/internal/servecmd"

func main() { servecmd.Main(servecmd.Graph) }
