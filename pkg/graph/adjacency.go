package graph

// Adjacency is the answer to a neighbour lookup for a batch of query nodes:
// query i owns entries [Indptr[i], Indptr[i+1]) of Nbrs (neighbour node
// ids), EdgeID (the id of the edge to that neighbour), and optionally Weight
// and Time (edge weights and timestamps, nil when the source has none).
// It is the currency between graph stores and samplers: sources fill it,
// samplers read it. Reset keeps capacity so a caller can reuse one value.
type Adjacency struct {
	Indptr []int64
	Nbrs   []int32
	EdgeID []int64
	Weight []float32
	Time   []int64
}

// Reset empties a for reuse, keeping its buffers.
func (a *Adjacency) Reset() {
	a.Indptr = append(a.Indptr[:0], 0)
	a.Nbrs = a.Nbrs[:0]
	a.EdgeID = a.EdgeID[:0]
	a.Weight = a.Weight[:0]
	a.Time = a.Time[:0]
}

// Len returns the number of query nodes answered so far.
func (a *Adjacency) Len() int { return max(len(a.Indptr)-1, 0) }

// Of returns the neighbours of query i, aliasing a.
func (a *Adjacency) Of(i int) []int32 { return a.Nbrs[a.Indptr[i]:a.Indptr[i+1]] }
