// Package graph owns graph topology in memory: [COO] edge lists, [CSR] and
// [CSC] compressed forms with int64 offsets and int32 node ids, the builders
// between them (parallel, stable counting sort) and the transforms GNNs need
// (transpose, symmetrize, self loops, degrees, GCN normalisation, induced
// subgraphs). Every form carries optional edge ids and weights, and every
// transform keeps edge ids so a result can be traced back to its input edges.
//
// Node ids are int32 (graphs up to 2^31-1 nodes); edge offsets and edge ids
// are int64 (edge counts above 2^31 work). Transforms are functions that
// return new values; inputs are never modified.
//
// Convention: an edge (src, dst) sends a message from src to dst. A [CSR]
// indexes edges by source (out-neighbours); a [CSC] indexes them by
// destination (in-neighbours), which is what aggregation reads:
// [CSC.Matrix] is the dst x src sparse matrix A with A[dst, src] = weight.
//
// # Builders and ordering
//
//   - [COO.ToCSR], [COO.ToCSC]: stable counting sort; a node's entries keep
//     edge-list order. O(n + m) work, run in parallel.
//   - [SortedCSR], [SortedCSC]: entries sorted by the other endpoint,
//     duplicates in edge-list order. [Sort] and [Coalesce] give the same
//     order as an edge list (Coalesce also drops duplicates, keeping the
//     first).
//   - [CSR.Transpose], [CSC.Transpose]: stable counting sort of the entries;
//     the result is always sorted.
//
// # Edge ids through transforms
//
//   - [Symmetrize]: union of both directions, deduplicated, sorted; both
//     (u, v) and (v, u) carry the id and weight of the first input edge (in
//     input order) joining u and v in either direction.
//   - [AddSelfLoops], [AddRemainingSelfLoops]: loops are appended after the
//     input edges, with id [SelfLoopID] (-1). [RemoveSelfLoops] keeps ids.
//   - [GCNNorm]: D^-1/2 (A+I) D^-1/2 as weights, ids kept, loops -1.
//   - [InducedSubgraph], [InducedSubgraphCOO]: kept edges carry their input
//     ids; [Subgraph.Nodes] maps local ids to input ids.
//
// Package graphtest is the conformance suite every builder runs.
package graph
