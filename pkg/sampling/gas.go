package sampling

import (
	"context"
	"fmt"
	"slices"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// GASOptions configure a [GASBatcher].
type GASOptions struct {
	// ClusterGCN builds plain Cluster-GCN batches: the induced subgraph of
	// the group (no halo; out-of-batch edges dropped). The default builds
	// GAS batches with the complete 1-hop halo.
	ClusterGCN bool
	// SelfLoops adds a self loop (edge id -1, at the end of the row) to
	// every in-batch row that has none (PyG's add_remaining_self_loops).
	SelfLoops bool
	// Normalize fills Adj.Values with GCN weights computed from GLOBAL
	// degrees, as PyGAS normalises the whole graph before batching:
	// w(v<-u) = a_vu / sqrt(deg(v) deg(u)), deg = weighted in-degree
	// (plus 1 for the added self loop when SelfLoops is set and the node
	// has none). Degrees are also returned in GASBatch.Deg.
	Normalize bool
	// DenseLimit: as NeighborOptions.DenseLimit, for the halo map.
	DenseLimit int
}

// GASBatch is one GAS (or Cluster-GCN) mini-batch.
//
// NID holds the BatchSize in-batch nodes first (the union of the group's
// partitions in ascending id order, i.e. the ranges Offset[r] ..
// Offset[r]+Count[r]-1 one after another), then the halo: every
// out-of-batch in-neighbour of an in-batch node, in discovery order (rows in
// order, each row's entries in storage order). Adj is BatchSize x len(NID):
// row i lists the local positions of ALL in-neighbours of in-batch node i
// (every in-batch edge is kept; none is sampled away), EID their edge ids
// (-1 for added self loops). Values are nil unless Normalize is set.
type GASBatch struct {
	Parts     []int
	NID       []int32
	BatchSize int
	Offset    []int64
	Count     []int64
	Adj       tensor.CSR
	EID       []int64
	Deg       []float32
	// ptr/indices/values back Adj.
	indptr  []int64
	indices []int32
	values  []float32
}

// Bytes returns the memory the batch's slices hold (their capacities).
func (b *GASBatch) Bytes() int64 {
	return int64(cap(b.Parts))*8 + int64(cap(b.NID))*4 + int64(cap(b.Offset)+cap(b.Count)+cap(b.EID))*8 +
		int64(cap(b.Deg))*4 + int64(cap(b.indptr))*8 + int64(cap(b.indices)+cap(b.values))*4
}

// HaloSize returns the number of halo nodes.
func (b *GASBatch) HaloSize() int { return len(b.NID) - b.BatchSize }

// GASBatcher builds GAS batches over a renumbered graph whose partition p
// owns node ids [ptr[p], ptr[p+1]). Not goroutine-safe (one per worker).
type GASBatcher struct {
	src   NeighborSource
	view  *CSCView
	ptr   []int64
	opts  GASOptions
	dense denseMap
	hash  hashMap
	adj   graph.Adjacency
	degs  []float64
	deg   []float32 // global GCN degrees (in-memory sources), lazily
	l     list
	touch uint32
}

// NewGASBatcher checks ptr against src and returns a batcher. Errors wrap
// [ErrOptions] and name the bad entry of ptr.
func NewGASBatcher(src NeighborSource, ptr []int64, opts GASOptions) (*GASBatcher, error) {
	if src == nil {
		return nil, fmt.Errorf("sampling: gas batcher: nil source: %w", ErrOptions)
	}
	if err := CheckPtr(ptr, src.NumNodes()); err != nil {
		return nil, fmt.Errorf("sampling: gas batcher: %w", err)
	}
	if opts.DenseLimit < 0 {
		return nil, fmt.Errorf("sampling: gas batcher: DenseLimit = %d: %w", opts.DenseLimit, ErrOptions)
	}
	if opts.DenseLimit == 0 {
		opts.DenseLimit = 1 << 25
	}
	g := &GASBatcher{src: src, ptr: ptr, opts: opts}
	if cv, ok := src.(CSCViewer); ok {
		v := cv.CSCView()
		g.view = &v
	}
	return g, nil
}

// CheckPtr checks a partition book: k+1 >= 2 non-decreasing offsets from 0
// to n. The error names the first bad entry.
func CheckPtr(ptr []int64, n int) error {
	if len(ptr) < 2 {
		return fmt.Errorf("ptr has %d entries, want k+1 >= 2: %w", len(ptr), ErrOptions)
	}
	if ptr[0] != 0 {
		return fmt.Errorf("ptr[0] = %d, want 0: %w", ptr[0], ErrOptions)
	}
	for p := 1; p < len(ptr); p++ {
		if ptr[p] < ptr[p-1] {
			return fmt.Errorf("ptr[%d] = %d < ptr[%d] = %d: %w", p, ptr[p], p-1, ptr[p-1], ErrOptions)
		}
	}
	if last := ptr[len(ptr)-1]; last != int64(n) {
		return fmt.Errorf("ptr[%d] = %d, want the node count %d: %w", len(ptr)-1, last, n, ErrOptions)
	}
	return nil
}

// NumParts returns the number of partitions.
func (g *GASBatcher) NumParts() int { return len(g.ptr) - 1 }

// Build fills out with the batch of the given partitions (any order,
// distinct), reusing out's capacity. Errors name the bad partition.
func (g *GASBatcher) Build(ctx context.Context, parts []int, out *GASBatch) error {
	k := g.NumParts()
	out.Parts = append(out.Parts[:0], parts...)
	slices.Sort(out.Parts)
	for i, p := range out.Parts {
		if p < 0 || p >= k {
			return fmt.Errorf("sampling: gas build: partition %d not in [0, %d): %w", p, k, ErrOptions)
		}
		if i > 0 && out.Parts[i-1] == p {
			return fmt.Errorf("sampling: gas build: partition %d listed twice: %w", p, ErrOptions)
		}
	}
	// In-batch ranges, merging adjacent partitions.
	out.Offset, out.Count = out.Offset[:0], out.Count[:0]
	for _, p := range out.Parts {
		lo, hi := g.ptr[p], g.ptr[p+1]
		if hi == lo {
			continue
		}
		if r := len(out.Offset) - 1; r >= 0 && out.Offset[r]+out.Count[r] == lo {
			out.Count[r] += hi - lo
			continue
		}
		out.Offset = append(out.Offset, lo)
		out.Count = append(out.Count, hi-lo)
	}
	out.NID = out.NID[:0]
	for r := range out.Offset {
		for v := out.Offset[r]; v < out.Offset[r]+out.Count[r]; v++ {
			out.NID = append(out.NID, int32(v))
		}
	}
	bs := len(out.NID)
	out.BatchSize = bs
	out.indptr = append(out.indptr[:0], 0)
	out.indices, out.EID = out.indices[:0], out.EID[:0]
	out.values, out.Deg = out.values[:0], out.Deg[:0]

	if err := g.collect(ctx, out); err != nil {
		return fmt.Errorf("sampling: gas build: %w", err)
	}
	g.relabel(out)
	if g.opts.ClusterGCN {
		compact(out)
	}
	if g.opts.Normalize {
		if err := g.normalize(ctx, out); err != nil {
			return fmt.Errorf("sampling: gas build: %w", err)
		}
	}
	cols := len(out.NID)
	if g.opts.ClusterGCN {
		cols = bs
	}
	out.Adj = tensor.CSR{Rows: bs, Cols: cols, Indptr: out.indptr, Indices: out.indices}
	if g.opts.Normalize {
		out.Adj.Values = out.values
	}
	return nil
}

// collect appends every in-batch row's entries with GLOBAL source ids to
// out (plus the added self loops), and the rows' GCN degrees to g.degs.
func (g *GASBatcher) collect(ctx context.Context, out *GASBatch) error {
	bs := out.BatchSize
	norm, loops := g.opts.Normalize, g.opts.SelfLoops
	g.degs = g.degs[:0]
	return g.rows(ctx, out.NID[:bs], func(i int, l *list) {
		v := out.NID[i]
		out.indices = append(out.indices, l.nbrs...)
		if l.eids != nil {
			out.EID = append(out.EID, l.eids...)
		} else {
			for j := range l.nbrs {
				out.EID = append(out.EID, l.base+int64(j))
			}
		}
		deg := 0.0
		if norm {
			for j := range l.nbrs {
				w := weightOf(l, j)
				deg += w
				out.values = append(out.values, float32(w))
			}
		}
		if loops && !slices.Contains(l.nbrs, v) {
			out.indices = append(out.indices, v)
			out.EID = append(out.EID, -1)
			if norm {
				out.values = append(out.values, 1)
			}
			deg++
		}
		g.degs = append(g.degs, deg)
		out.indptr = append(out.indptr, int64(len(out.indices)))
	})
}

// relabel maps out.indices from global ids to positions in NID, adding
// out-of-batch sources to the halo in discovery order (Cluster-GCN: -1).
// Chunks are touched before they are relabelled so that their cache misses
// overlap.
func (g *GASBatcher) relabel(out *GASBatch) {
	n := g.src.NumNodes()
	idx := out.indices
	nid := out.NID
	drop := g.opts.ClusterGCN
	if n <= g.opts.DenseLimit {
		g.dense.reset(n)
		slots, stamp := g.dense.slots, g.dense.stamp
		for i, v := range nid {
			slots[v] = slot{stamp: stamp, local: int32(i)}
		}
		const chunk = 1024
		var touch uint32
		for c := 0; c < len(idx); c += chunk {
			part := idx[c:min(c+chunk, len(idx))]
			for _, u := range part {
				touch += slots[u].stamp
			}
			for j, u := range part {
				sl := &slots[u]
				if sl.stamp != stamp {
					if drop {
						part[j] = -1
						continue
					}
					*sl = slot{stamp: stamp, local: int32(len(nid))}
					nid = append(nid, u)
				}
				part[j] = sl.local
			}
		}
		g.touch += touch
	} else {
		g.hash.reset(2 * len(nid))
		for i, v := range nid {
			g.hash.getOrAdd(pairKey(0, v), int32(i))
		}
		bs := len(nid)
		for j, u := range idx {
			l, added := g.hash.getOrAdd(pairKey(0, u), int32(len(nid)))
			switch {
			case !added && (!drop || l < int32(bs)):
				idx[j] = l
			case drop:
				idx[j] = -1
			default:
				nid = append(nid, u)
				idx[j] = l
			}
		}
	}
	out.NID = nid
}

// compact drops the entries relabelled -1 (Cluster-GCN: out of batch).
func compact(out *GASBatch) {
	w := 0
	var start int64
	for i := 0; i+1 < len(out.indptr); i++ {
		end := out.indptr[i+1]
		for k := start; k < end; k++ {
			if out.indices[k] < 0 {
				continue
			}
			out.indices[w], out.EID[w] = out.indices[k], out.EID[k]
			if out.values != nil && len(out.values) > 0 {
				out.values[w] = out.values[k]
			}
			w++
		}
		start = end
		out.indptr[i+1] = int64(w)
	}
	out.indices, out.EID = out.indices[:w], out.EID[:w]
	if len(out.values) > 0 {
		out.values = out.values[:w]
	}
}

func weightOf(l *list, j int) float64 {
	if l.w == nil {
		return 1
	}
	return float64(l.w[j])
}

// rows calls fn(i, entries of nodes[i]) for every node in order: in place
// on the fast path, through Neighbors in chunks otherwise.
func (g *GASBatcher) rows(ctx context.Context, nodes []int32, fn func(i int, l *list)) error {
	if v := g.view; v != nil {
		for i, u := range nodes {
			if i&4095 == 4095 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			lo, hi := v.Indptr[u], v.Indptr[u+1]
			l := &g.l
			*l = list{nbrs: v.Indices[lo:hi], base: lo}
			if v.EdgeID != nil {
				l.eids = v.EdgeID[lo:hi]
			}
			if v.Weight != nil {
				l.w = v.Weight[lo:hi]
			}
			fn(i, l)
		}
		return nil
	}
	const chunk = 4096
	for start := 0; start < len(nodes); start += chunk {
		q := nodes[start:min(start+chunk, len(nodes))]
		if err := g.src.Neighbors(ctx, q, &g.adj); err != nil {
			return err
		}
		a := &g.adj
		if err := checkAnswer(a, len(q)); err != nil {
			return fmt.Errorf("source answer: %w", err)
		}
		if err := checkNodes(a.Nbrs, g.src.NumNodes()); err != nil {
			return fmt.Errorf("source answer: %w", err)
		}
		hasW := a.Weight != nil && len(a.Weight) == len(a.Nbrs)
		for i := range q {
			lo, hi := a.Indptr[i], a.Indptr[i+1]
			l := &g.l
			*l = list{nbrs: a.Nbrs[lo:hi], eids: a.EdgeID[lo:hi]}
			if hasW {
				l.w = a.Weight[lo:hi]
			}
			fn(start+i, l)
		}
	}
	return nil
}
