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
package graph
