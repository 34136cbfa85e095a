// Command featurestore is GNNScale's feature server: it serves a feature
// store (Pebble on disk, or memory) over gRPC, the FeatureStore service of
// proto/gnnscale/v1. Trainers and gnnctl reach it with rpc.DialFeatures.
//
//	featurestore --listen 0.0.0.0:7070 --dir /data/features
//
// With --raft-id, --raft-addr and --raft-peers it is one replica of a raft
// group (pkg/replica): writes go through the group's leader (a follower
// forwards them) and are applied to every replica's store; see
// docs/operations.md.
//
//	featurestore --listen 0.0.0.0:7070 --advertise fs1:7070 --dir /data/features \
//	    --raft-id fs1 --raft-addr fs1:7170 --raft-peers fs1=fs1:7170,fs2=fs2:7170,fs3=fs3:7170
//
// SIGINT or SIGTERM stops it gracefully: running requests finish, then the
// store is closed. The body is cmd/internal/servecmd's, shared with
// cmd/graphstore.
package main

import "github.com/gnnscale/gnnscale/cmd/internal/servecmd"

func main() { servecmd.Main(servecmd.Features) }
