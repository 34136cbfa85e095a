package dataset

import (
	"errors"
	"fmt"
	"math"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// RMATConfig configures [RMAT], the recursive matrix generator of
// Chakrabarti, Zhan and Faloutsos (2004) with Graph500 parameters.
type RMATConfig struct {
	// Name of the data set; default "rmat".
	Name string
	// Scale sets the node count 2^Scale (1..30).
	Scale int
	// EdgeFactor sets the number of generated edges, EdgeFactor * 2^Scale
	// (before symmetrizing or deduplicating); Graph500 uses 16.
	EdgeFactor int
	// A, B, C, D are the quadrant probabilities; all zero means Graph500's
	// 0.57, 0.19, 0.19, 0.05. They must sum to 1.
	A, B, C, D float64
	// Noise in [0, 1) perturbs the probabilities per recursion level as in
	// the "noisy SKG" of Seshadhri, Pinar and Kolda (2013): level i draws
	// mu_i uniform in [-Noise*min(A+D, B+C)/2, +...] and uses
	// A - 2 mu_i A/(A+D), B + mu_i, C + mu_i, D - 2 mu_i D/(A+D). It smooths
	// the degree distribution's oscillations. 0 = plain R-MAT.
	Noise float64
	// Permute relabels nodes by a random permutation (Graph500 does), so
	// node id says nothing about degree.
	Permute bool
	// Symmetrize adds the reverse of every edge and deduplicates (implies
	// Dedupe); the result holds both directions, sorted.
	Symmetrize bool
	// Dedupe removes duplicate edges (keeping the first), sorting them.
	Dedupe bool
	// NoSelfLoops removes self loops.
	NoSelfLoops bool
	// NumFeatures and NumClasses add N(0, 1) features and uniformly random
	// labels (no signal: for scale tests, not for accuracy); 0 = none.
	NumFeatures, NumClasses int
	// TrainFrac and ValidFrac give a random split (when NumClasses > 0).
	TrainFrac, ValidFrac float64
	// Seed makes the output deterministic.
	Seed uint64
}

func (c *RMATConfig) probs() (a, b, cc, d float64) {
	if c.A == 0 && c.B == 0 && c.C == 0 && c.D == 0 {
		return 0.57, 0.19, 0.19, 0.05
	}
	return c.A, c.B, c.C, c.D
}

// Validate reports every problem with c at once.
func (c *RMATConfig) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Scale < 1 || c.Scale > 30 {
		bad("Scale %d out of range [1, 30]", c.Scale)
	}
	if c.EdgeFactor < 0 {
		bad("EdgeFactor %d < 0", c.EdgeFactor)
	}
	a, b, cc, d := c.probs()
	if !(a >= 0 && b >= 0 && cc >= 0 && d >= 0) || math.Abs(a+b+cc+d-1) > 1e-6 {
		bad("probabilities A=%g B=%g C=%g D=%g must be >= 0 and sum to 1", a, b, cc, d)
	}
	if !(c.Noise >= 0 && c.Noise < 1) {
		bad("Noise %g out of [0, 1)", c.Noise)
	}
	if c.NumFeatures < 0 || c.NumClasses < 0 {
		bad("NumFeatures %d and NumClasses %d must be >= 0", c.NumFeatures, c.NumClasses)
	}
	if !(c.TrainFrac >= 0 && c.ValidFrac >= 0 && c.TrainFrac+c.ValidFrac <= 1) {
		bad("TrainFrac %g + ValidFrac %g must be shares summing to <= 1", c.TrainFrac, c.ValidFrac)
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("dataset: rmat: %w: %w", ErrConfig, errors.Join(errs...))
}

// RMATEdges generates the edge list of cfg (no features, labels or split).
// Each edge descends Scale levels of the adjacency matrix, choosing a
// quadrant per level with the level's probabilities, drawn from 16-bit
// slices of 64-bit random words (probabilities are quantised to 2^-16).
// Edges are generated in parallel in fixed chunks with one random source
// each, so the result depends only on cfg.
func RMATEdges(cfg RMATConfig) (graph.COO, error) {
	if err := cfg.Validate(); err != nil {
		return graph.COO{}, err
	}
	n := 1 << cfg.Scale
	m := cfg.EdgeFactor * n
	th := rmatThresholds(&cfg)
	src := make([]int32, m)
	dst := make([]int32, m)
	forChunks(m, 4*chunkSize, func(c, lo, hi int) {
		r := newRand(cfg.Seed, streamEdges, uint64(c))
		for e := lo; e < hi; e++ {
			var u, v uint32
			var word uint64
			for lvl := range cfg.Scale {
				if lvl%4 == 0 {
					word = r.Uint64()
				}
				x := int32(word & 0xffff)
				word >>= 16
				t := &th[lvl]
				// Branchless quadrant q = #{thresholds <= x}: 0 = A (top
				// left), 1 = B (top right), 2 = C (bottom left), 3 = D.
				q := -((t[0] - x - 1) >> 31) - ((t[1] - x - 1) >> 31) - ((t[2] - x - 1) >> 31)
				u = u<<1 | uint32(q)>>1
				v = v<<1 | uint32(q)&1
			}
			src[e], dst[e] = int32(u), int32(v)
		}
	})
	if cfg.Permute {
		perm := randomPerm(n, cfg.Seed)
		forChunks(m, 4*chunkSize, func(_, lo, hi int) {
			for e := lo; e < hi; e++ {
				src[e], dst[e] = perm[src[e]], perm[dst[e]]
			}
		})
	}
	g := graph.COO{NumNodes: n, Src: src, Dst: dst}
	if cfg.NoSelfLoops {
		g = graph.RemoveSelfLoops(g)
	}
	switch {
	case cfg.Symmetrize:
		g = graph.Symmetrize(g)
	case cfg.Dedupe:
		g = graph.Coalesce(g)
	}
	g.EdgeID = nil
	return g, nil
}

// RMAT generates an R-MAT data set: [RMATEdges] plus, if asked, random
// features, random labels and a random split.
func RMAT(cfg RMATConfig) (*Dataset, error) {
	g, err := RMATEdges(cfg)
	if err != nil {
		return nil, err
	}
	name := cfg.Name
	if name == "" {
		name = "rmat"
	}
	return withRandomNodeData(name, g, cfg.NumFeatures, cfg.NumClasses, cfg.TrainFrac, cfg.ValidFrac, cfg.Seed), nil
}

// withRandomNodeData wraps g in a Dataset with N(0,1) features, uniform
// random labels and a random split, as configured (0 = none).
func withRandomNodeData(name string, g graph.COO, dim, classes int, train, valid float64, seed uint64) *Dataset {
	ds := &Dataset{Name: name, Graph: g}
	n := g.NumNodes
	if classes > 0 {
		ds.NumClasses = classes
		ds.Labels = make([]int32, n)
		forChunks(n, chunkSize, func(c, lo, hi int) {
			r := newRand(seed, streamLabels, uint64(c))
			for v := lo; v < hi; v++ {
				ds.Labels[v] = int32(r.IntN(classes))
			}
		})
		ds.Split = RandomSplit(n, train, valid, seed)
	}
	if dim > 0 {
		ds.Features = ClassFeatures(make([]int32, n), 1, dim, 0, seed) // signal 0: pure noise
	}
	return ds
}

// rmatThresholds returns, per level, the cumulative thresholds of A, A+B,
// A+B+C scaled to 2^16, with the level's noise applied.
func rmatThresholds(cfg *RMATConfig) [][3]int32 {
	a, b, c, d := cfg.probs()
	r := newRand(cfg.Seed, streamNoise, 0)
	th := make([][3]int32, cfg.Scale)
	for lvl := range th {
		la, lb, lc := a, b, c
		if cfg.Noise > 0 {
			mu := cfg.Noise * math.Min(a+d, b+c) / 2 * (2*r.Float64() - 1)
			la = max(0, a-2*mu*a/(a+d))
			lb = max(0, b+mu)
			lc = max(0, c+mu)
		}
		const one = 1 << 16
		th[lvl] = [3]int32{
			int32(math.Round(min(1, la) * one)),
			int32(math.Round(min(1, la+lb) * one)),
			int32(math.Round(min(1, la+lb+lc) * one)),
		}
	}
	return th
}

// randomPerm returns a uniformly random permutation of [0, n).
func randomPerm(n int, seed uint64) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	r := newRand(seed, streamPerm, 0)
	r.Shuffle(n, func(i, j int) { p[i], p[j] = p[j], p[i] })
	return p
}
