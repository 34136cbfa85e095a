package sampling

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// normalize turns out.values into GCN weights with global degrees: the
// in-batch rows' degrees come from collect, the halo's from the degree
// cache (in-memory sources) or from their own neighbour lists.
func (g *GASBatcher) normalize(ctx context.Context, out *GASBatch) error {
	bs := out.BatchSize
	halo := out.NID[bs:]
	degs := g.degs
	if cache := g.globalDeg(); cache != nil {
		for _, u := range halo {
			degs = append(degs, float64(cache[u]))
		}
	} else {
		loops := g.opts.SelfLoops
		err := g.rows(ctx, halo, func(i int, l *list) {
			deg := 0.0
			for j := range l.nbrs {
				deg += weightOf(l, j)
			}
			if loops && !slices.Contains(l.nbrs, halo[i]) {
				deg++
			}
			degs = append(degs, deg)
		})
		if err != nil {
			return fmt.Errorf("halo degrees: %w", err)
		}
	}
	g.degs = degs
	out.Deg = out.Deg[:0]
	for _, d := range degs {
		out.Deg = append(out.Deg, float32(d))
	}
	for i := range bs {
		di := degs[i]
		for e := out.indptr[i]; e < out.indptr[i+1]; e++ {
			dj := degs[out.indices[e]]
			w := float64(out.values[e])
			if di > 0 && dj > 0 {
				w /= math.Sqrt(di * dj)
			} else {
				w = 0
			}
			out.values[e] = float32(w)
		}
	}
	return nil
}

// globalDeg returns every node's GCN degree for an in-memory source
// (computed once per batcher, or shared by the loader), nil otherwise.
func (g *GASBatcher) globalDeg() []float32 {
	if g.view == nil {
		return nil
	}
	if g.deg == nil {
		g.deg = GCNDegrees(*g.view, g.opts.SelfLoops)
	}
	return g.deg
}

// GCNDegrees returns the GCN degree of every node of an in-memory
// adjacency: its weighted in-degree, plus 1 when selfLoops is set and the
// node has no self loop (PyG gcn_norm with add_remaining_self_loops).
func GCNDegrees(v CSCView, selfLoops bool) []float32 {
	n := len(v.Indptr) - 1
	deg := make([]float32, n)
	for u := range n {
		lo, hi := v.Indptr[u], v.Indptr[u+1]
		d := float64(hi - lo)
		if v.Weight != nil {
			d = 0
			for _, w := range v.Weight[lo:hi] {
				d += float64(w)
			}
		}
		if selfLoops && !slices.Contains(v.Indices[lo:hi], int32(u)) {
			d++
		}
		deg[u] = float32(d)
	}
	return deg
}
