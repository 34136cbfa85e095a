// Package cluster owns GNNScale's state in etcd: membership (each feature
// and graph server registers itself under a lease it keeps alive, so a
// server that dies drops out when its lease ends) and the partition map
// (which servers hold which shard of a data set). Servers register with
// [Cluster.Register]; trainers and gnnctl read [Cluster.Members] and
// follow changes with [Cluster.WatchMembers].
//
// # Keys
//
// Everything lives under /gnnscale/<cluster>/ (the cluster name, by
// default "gnnscale", lets several clusters share one etcd):
//
//	members/<role>/<id>     a Member as JSON, attached to its lease
//	partitions/<name>       a PartitionMap as JSON
//
// A Cluster is safe for concurrent use.
package cluster
