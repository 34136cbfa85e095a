// Package sampling owns what each training step sees: the mini-batch
// samplers and the loader pipeline that builds batches ahead of the trainer.
//
// It offers PyG's mini-batch kinds and PyGAS's:
//
//   - [NeighborSampler]: PyG NeighborLoader semantics (fan-outs per hop with
//     -1 meaning all, with or without replacement, weighted by
//     Efraimidis–Spirakis keys, temporal with a uniform or last strategy,
//     disjoint subgraphs). Its [Output] follows PyG's mini-batch contract:
//     n_id (seeds first, then each hop's new nodes in discovery order),
//     e_id, batch_size, per-hop node and edge counts, a local COO (row =
//     source position, col = target position) and the same edges as a
//     [tensor.CSR] aggregation operand (rows = targets, like PyG's adj_t).
//   - [LinkSampler]: PyG LinkNeighborLoader semantics: seed edges, binary or
//     triplet negative sampling, labels, one subgraph around both endpoints.
//   - [GASBatcher]: PyGAS SubgraphLoader/EvalSubgraphLoader batches (a group
//     of partitions plus its complete 1-hop halo) and plain Cluster-GCN
//     batches (the induced subgraph of the group).
//   - [Loader]: the prefetching pipeline that runs any of them on worker
//     goroutines, in batch order, deterministic for a seed regardless of the
//     number of workers.
//
// # Where the graph comes from
//
// Samplers see the graph only through [NeighborSource] (in-neighbours of a
// batch of nodes, with edge ids and optional weights and times), and sample
// one hop at a time through [HopSampler]. [LocalHopSampler] samples from any
// NeighborSource; when the source also implements [CSCViewer] (the in-memory
// [MemorySource] from [FromCSC] does) it reads neighbour lists in place
// without copying them. A graph server runs the same LocalHopSampler inside
// its partition; the trainer's remote client implements HopSampler by
// sending each hop's frontier to the owners.
//
// # Randomness
//
// Every random choice derives from (seed, epoch, batch index, hop, node), so
// a batch's content never depends on which worker built it, how many workers
// there are, or how a hop's frontier was split between graph servers.
//
// # Concurrency and buffers
//
// Samplers are not goroutine-safe: each holds scratch buffers (a dense
// relabelling array of one int32 pair per graph node, reused across batches
// with epoch stamps). The loader gives each worker its own sampler. Outputs
// are filled into caller-owned values whose capacity is reused.
package sampling
