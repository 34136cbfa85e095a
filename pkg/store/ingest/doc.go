// Package ingest loads data sets into a store: an OGB raw-layout folder
// (edges, features, labels, split; read through pkg/dataset's streaming
// readers), with features optionally taken from a .npy file or a Parquet
// file (through arrow-go's pqarrow) instead, optionally partitioned and
// renumbered so that every part is one contiguous id range (pkg/partition).
// Writes go in batches, each one atomic and acknowledged through a hook,
// so a killed ingest leaves exactly its acknowledged batches and can be
// resumed. gnnctl ingest is the command-line front end.
package ingest
