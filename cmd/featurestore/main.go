// Command featurestore is GNNScale's feature server: it serves a feature
// store (Pebble on disk, or memory) over gRPC, the FeatureStore service of
// proto/gnnscale/v1. Trainers and gnnctl reach it with rpc.DialFeatures.
//
//	featurestore --listen 0.0.0.0:7070 --dir /data/features
//
// SIGINT or SIGTERM stops it gracefully: running requests finish, then the
// store is closed. The body is cmd/internal/servecmd's, shared with
// cmd/graphstore.
package main

import "github.com/gnnscale/gnnscale/cmd/internal/servecmd"

func main() { servecmd.Main(servecmd.Features) }
