package sampling

import "github.com/gnnscale/gnnscale/pkg/tensor"

// Adj returns all sampled edges as the aggregation operand of message
// passing (PyG's adj_t): a len(NID) x len(NID) CSR whose row t lists the
// local positions of t's sampled sources. Rows of the last hop's nodes are
// empty. It aliases out (Indices is Row); Values is nil (unweighted).
func (o *Output) Adj() tensor.CSR {
	n := len(o.NID)
	return tensor.CSR{Rows: n, Cols: n, Indptr: o.Indptr[:n+1], Indices: o.Row}
}

// NumHops returns the number of sampled hops.
func (o *Output) NumHops() int { return len(o.NumSampledEdges) }

// Layer returns the operand of message-passing layer l (0 = first) of a
// model with NumHops layers, trimmed as PyG's trim_to_layer does: layer l
// reads the edges of hops 1..NumHops-l, its rows are the nodes of hops
// 0..NumHops-l-1 (the only ones later layers still need) and its columns
// the nodes of hops 0..NumHops-l. Rows and columns are prefixes of NID, so
// the layer's output rows are the first Rows of its input. Aliases o.
func (o *Output) Layer(l int) tensor.CSR {
	k := o.NumHops()
	if l < 0 || l >= k {
		panic("sampling: Output.Layer: layer out of range")
	}
	hops := k - l
	rows, cols := 0, 0
	for h := 0; h <= hops; h++ {
		if h < hops {
			rows += o.NumSampledNodes[h]
		}
		cols += o.NumSampledNodes[h]
	}
	return tensor.CSR{Rows: rows, Cols: cols, Indptr: o.Indptr[:rows+1], Indices: o.Row[:o.Indptr[rows]]}
}

// EdgeIndex returns PyG's edge_index as (sources, targets) local positions:
// the COO form of Adj. Aliases o.
func (o *Output) EdgeIndex() (row, col []int32) { return o.Row, o.Col }
