// Package dataset owns node-classification data sets: the in-memory
// [Dataset] (graph, features, labels, split), the loader and writer of the
// OGB node-property raw layout, streaming readers for data larger than
// memory, and seeded synthetic generators.
//
// # The OGB raw layout
//
// A data set folder holds raw/edge.csv.gz ("src,dst" per line),
// raw/node-feat.csv.gz (line i: the comma-separated features of node i),
// raw/node-label.csv.gz (line i: the class of node i),
// raw/num-node-list.csv.gz and raw/num-edge-list.csv.gz (one count each)
// and split/<name>/{train,valid,test}.csv.gz (ascending node ids). [Load]
// reads it, [Write] writes it (atomically), [Splits] lists the split
// names. The constants [EdgeFile], [FeatureFile], ... name the files.
//
// # Errors
//
// Every problem in a file is an [*Error] naming the file, the 1-based line
// and field, wrapping a sentinel a caller can test with errors.Is:
// [ErrTruncated] (cut gzip stream, fewer lines than the count file says),
// [ErrCorrupt] (damaged gzip), [ErrSyntax] (not a number), [ErrSchema]
// (wrong field count), [ErrRange] (id or class out of range, non-finite
// feature, split not ascending or overlapping), [ErrCount] (more lines
// than counted). A missing required file wraps fs.ErrNotExist.
//
// # Streaming readers
//
// [EdgeReader], [FeatureReader] and [IntReader] read one file each in
// caller-sized chunks with O(chunk) memory, so a data set larger than RAM
// can be ingested piecewise (gnnctl ingest does):
//
//	r, err := dataset.OpenEdgeReader(filepath.Join(dir, dataset.EdgeFile), numNodes)
//	...
//	defer r.Close()
//	src, dst := make([]int32, 1<<20), make([]int32, 1<<20)
//	for {
//		n, err := r.Read(src, dst)   // n edges filled; io.EOF at the end
//		if err == io.EOF { break }
//		if err != nil { return err } // *dataset.Error with file and line
//		use(src[:n], dst[:n])
//	}
//
// [FeatureReader.Read] fills the rows of a caller-owned *tensor.Dense (so
// it can be a pinned buffer or a shard); it parses the rows of one call in
// parallel. Number parsing allocates nothing per field, and float parsing
// is exact (equal to strconv.ParseFloat(s, 32)).
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
//     random split ([RandomSplit]). [DefaultSBM] is the main job's default
//     data. Linear work: edges are sampled per node, not per pair.
//   - [RMAT], [RMATEdges]: R-MAT with Graph500 parameters, optional noise,
//     permutation, symmetrization and deduplication.
//   - [Grid]: 2-D 4-neighbour grid. [RGG]: random geometric graph built
//     through a cell grid. Both label nodes by vertical stripes.
//
// Package datasettest finds the real data sets for tests (skip when
// absent unless GNNSCALE_REQUIRE_DATASETS=1).
package dataset
