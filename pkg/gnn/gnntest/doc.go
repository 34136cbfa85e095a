// Package gnntest is the conformance suite every layer passes, modelled on
// PyG's testing.assert_module: [CheckLayer] checks the output shape,
// invariance to the order of edges and to a relabelling of nodes,
// agreement between the fused (CSR) and the edge-list (COO) paths,
// agreement with the rows of the square result on a rectangular (GAS
// batch) adjacency, and finite-difference gradients. It also holds the
// gradient checker and [Reference], a plain-loop kernel backend.
package gnntest
