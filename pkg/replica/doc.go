// Package replica owns the write side of feature-store replication: a
// feature shard as a raft group (github.com/hashicorp/raft) of replicas,
// each applying the group's committed writes to its own local
// store.FeatureStore (Pebble in production).
//
// A [Replica] is one member. Through [Replica.Features] it is a
// store.FeatureStore: Create, Drop, Put and Remove are encoded as compact
// binary commands, replicated through raft on the leader and return only
// after the entry is committed and applied to the leader's store, with the
// store's error semantics (input that fails validation is rejected before
// it enters the log where the leader can tell; a committed command that
// fails, fails alike on every replica and its error goes to the writer).
// On a follower a write fails with a *store.LeaderError naming the
// leader's feature-service address (pkg/rpc's server forwards it there).
// Reads are served from the local store; [Replica.WaitApplied] reads "at
// or after" a raft index.
//
// The raft log and stable store are raft-boltdb files, snapshots are
// files, the transport is raft's TCP transport, and raft's log lines go to
// log/slog. How a restarted replica avoids applying entries twice is told
// in fsm.go; snapshots stream the local store's present rows (snapshot.go).
package replica
