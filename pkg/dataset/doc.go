// Package dataset owns node-classification data sets: the in-memory
// [Dataset] (graph, features, labels, split), the loader and writer of the
// OGB node-property raw layout, streaming readers for data larger than
// memory, and seeded synthetic generators.
//
// # Generators
//
// Every generator is deterministic in its configuration (which includes a
// Seed) and never touches the global random source; work is split into
// fixed chunks, each with its own PCG stream, so output does not depend on
// GOMAXPROCS.
//
//   - [SBM]: stochastic block model, blocks = classes, tunable homophily and
//     average degree, class-correlated Gaussian features ([ClassFeatures]),
//     random split. [DefaultSBM] is the main job's default data.
//   - [RMAT], [RMATEdges]: R-MAT with Graph500 parameters, optional noise,
//     permutation, symmetrization and deduplication.
package dataset
