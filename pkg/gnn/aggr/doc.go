// Package aggr owns the aggregations of message passing, PyG's
// "principled aggregations" (torch_geometric.nn.aggr): Sum, Mean, Max, Min,
// Var, Std, Softmax (learnable temperature), PowerMean (learnable p),
// Median and Multi, which concatenates several.
//
// An [Aggregation] reduces per-edge messages to one row per target; the
// same value pools node features into one row per graph ([Pool]). The
// aggregations that can be expressed as an SpMM over the adjacency also
// implement [NeighborReducer], the fast path a conv takes when its message
// is the source feature itself: no per-edge tensor is built. The rest run
// segment kernels over the materialised messages.
package aggr
