// Package models owns complete node-classification networks built from
// pkg/gnn layers, shaped as in PyG's examples and the GNNAutoScale
// (PyGAS) benchmark models: GCN, GAT, GraphSAGE, GIN, APPNP, GCNII and an
// MLP baseline. [Build] makes one from a [Config] (the trainer's "model:"
// section). Every model maps node features to class logits and splits its
// parameters into a regularised and an unregularised group, as PyGAS's
// reg_modules/nonreg_modules, for the two weight decays.
package models
