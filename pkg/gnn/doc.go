// Package gnn owns graph neural network layers in the style of PyTorch
// Geometric: message passing ([Propagate] with a message, an aggregation
// and an update), the convolutions built on it ([GCNConv], [SAGEConv],
// [GATConv], [GINConv], [APPNP], [GCN2Conv]) and the dense modules around
// them ([Linear], [MLP], [BatchNorm], [LayerNorm]).
//
// # Adjacency convention
//
// A layer takes the adjacency as an [autodiff.Sparse] whose rows are the
// target nodes and whose columns are the source nodes (a graph's CSC
// matrix, graph.CSC.Matrix()), and node features x with one row per
// source. It returns one row per target. Rectangular adjacencies are
// allowed: the targets are the first Rows sources (PyG's bipartite
// (x_src, x_dst) with x_dst = x_src[:Rows]), which is what GNNAutoScale
// mini-batches give (in-batch nodes first, then the halo).
//
// Layers derive what they need from the adjacency (self loops, GCN
// normalisation) once per [autodiff.Sparse] and cache it there (PyG's
// cached=True), so a full-batch run normalises once.
//
// # Fused and edge-list paths
//
// With a CSR, layers use fused kernels: SpMM for sum/mean/max/min
// neighbourhoods, multi-head SpMM for attention. With the same adjacency
// in edge-list form ([autodiff.Sparse.AsEdgeList]) they build one message
// per edge and scatter them, as PyG does for an edge_index; the two agree
// (gnntest.CheckLayer checks it).
//
// Parameter names follow PyG's state_dict ("lin.weight", "bias",
// "att_src"), weights are stored out x in like torch.nn.Linear, so a
// checkpoint maps onto the corresponding PyG module.
package gnn
