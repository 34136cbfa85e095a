// Package partition owns graph partitioning for GNNScale: a multilevel k-way
// partitioner in the style of METIS (Karypis & Kumar), the renumbering that
// makes every part one contiguous id range (Perm, Ptr), the range partition
// book that finds a node's owner by binary search, the permutation of a whole
// dataset, and a reader/writer for METIS's .graph and .part file formats.
//
// # Algorithm
//
// [Partition] splits an undirected graph with optional vertex and edge
// weights into k parts, minimising the edge cut (the total weight of edges
// whose endpoints lie in different parts) subject to a balance constraint:
// every part weighs at most Imbalance * (total vertex weight) / k.
//
//   - Degree-0 vertices are set aside before anything else and used at the
//     end as filler that evens out part weights (METIS instead glues them to
//     arbitrary vertices during coarsening, which costs it dearly on graphs
//     with many of them, such as R-MAT graphs). Fewer than one in a
//     thousand stay in the graph: setting them aside copies the adjacency.
//   - Coarsening: random matching on the input level when all edge weights
//     are equal, sorted heavy-edge matching on the levels after it, and
//     two-hop matching of leftover vertices that share a neighbour when more
//     than a tenth of the vertices stay unmatched. It stops at a few thousand
//     to ~30k vertices (depending on k) or when a level shrinks too little.
//   - Initial partitioning of the coarsest graph by recursive bisection; each
//     bisection is itself multilevel, starts from several greedy
//     graph-growing tries refined by Fiduccia-Mattheyses (FM), and keeps the
//     best. The whole recursive bisection runs twice and the best k-way cut
//     wins.
//   - Uncoarsening with greedy boundary k-way refinement, best candidate
//     first from a priority queue (positive-gain moves may overload a part
//     by a few vertex weights per unit of gain, METIS's "fudge factor", and
//     every other zero-gain move is taken), localized k-way FM passes on
//     levels of up to 150k vertices (hill climbing with rollback,
//     work-capped) that escape the local minima greedy moves stop in, and
//     balance passes on the finer levels and at the end that bring every
//     part within the limit.
//
// # Determinism and parallelism
//
// The same graph, k and options (Seed included) give the same partition
// regardless of GOMAXPROCS: work is split into fixed chunks whose results do
// not depend on which goroutine ran them, and every random stream is derived
// from the seed and the task, not from scheduling. Contraction, projection,
// the independent halves of the recursive bisection and the initial
// partitioning tries run in parallel.
//
// # Input
//
// METIS's requirement holds: the graph must be symmetric (u lists v with
// weight w iff v lists u with weight w) and free of self loops. [FromCOO]
// builds such a graph from any edge list (it symmetrises, merges duplicate
// edges and drops self loops); [Graph.Validate] checks a graph built by hand.
// [ReadGraph] parses a .graph file on every core and checks it the same way,
// naming the first bad line.
//
// # Memory
//
// The hierarchy keeps every coarse level but large odd-numbered ones, which
// are dropped as soon as their matching is known: the level above is
// contracted straight from the level below through the composed vertex
// maps, and the dropped level is rebuilt, identically, on the way back.
package partition
