package dataset

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// SpatialConfig holds the node data of the spatial generators [Grid] and
// [RGG]: labels are NumClasses vertical stripes of equal width (so labels
// are spatially smooth, i.e. homophilous), features come from
// [ClassFeatures] with Signal, and the split from [RandomSplit].
type SpatialConfig struct {
	// NumClasses stripes; 0 means no labels, no features and no split.
	NumClasses int
	// NumFeatures is the feature dimension (0 = none).
	NumFeatures int
	// Signal as in [SBMConfig].
	Signal float64
	// TrainFrac and ValidFrac as in [SBMConfig].
	TrainFrac, ValidFrac float64
	// Seed makes the output deterministic.
	Seed uint64
}

func (c *SpatialConfig) validate(bad func(string, ...any)) {
	if c.NumClasses < 0 || c.NumFeatures < 0 {
		bad("NumClasses %d and NumFeatures %d must be >= 0", c.NumClasses, c.NumFeatures)
	}
	if !(c.Signal >= 0) || math.IsInf(c.Signal, 0) {
		bad("Signal %g must be finite and >= 0", c.Signal)
	}
	if !(c.TrainFrac >= 0 && c.ValidFrac >= 0 && c.TrainFrac+c.ValidFrac <= 1) {
		bad("TrainFrac %g + ValidFrac %g must be shares summing to <= 1", c.TrainFrac, c.ValidFrac)
	}
}

// GridConfig configures [Grid].
type GridConfig struct {
	Name          string // default "grid"
	Width, Height int
	SpatialConfig
}

// Grid generates the Width x Height 4-neighbour grid: node (x, y) has id
// y*Width + x and is joined to its left, right, upper and lower
// neighbours, both directions, edges sorted by (src, dst). Labels are
// stripes of x (see [SpatialConfig]).
func Grid(cfg GridConfig) (*Dataset, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	w, h := cfg.Width, cfg.Height
	if w < 0 || h < 0 || (h > 0 && w > math.MaxInt32/h) {
		bad("Width %d x Height %d must be >= 0 with at most 2^31-1 nodes", w, h)
	}
	cfg.validate(bad)
	if len(errs) > 0 {
		return nil, fmt.Errorf("dataset: grid: %w: %w", ErrConfig, errors.Join(errs...))
	}
	n := w * h
	// Row offsets: each node's degree is known in closed form.
	deg := func(x, y int) int {
		d := 0
		if y > 0 {
			d++
		}
		if x > 0 {
			d++
		}
		if x < w-1 {
			d++
		}
		if y < h-1 {
			d++
		}
		return d
	}
	off := make([]int, n+1)
	for v := range n {
		off[v+1] = off[v] + deg(v%w, v/w)
	}
	m := off[n]
	g := graph.COO{NumNodes: n, Src: make([]int32, m), Dst: make([]int32, m)}
	forChunks(n, chunkSize, func(_, lo, hi int) {
		for v := lo; v < hi; v++ {
			x, y := v%w, v/w
			k := off[v]
			put := func(u int) { g.Src[k], g.Dst[k] = int32(v), int32(u); k++ }
			if y > 0 {
				put(v - w)
			}
			if x > 0 {
				put(v - 1)
			}
			if x < w-1 {
				put(v + 1)
			}
			if y < h-1 {
				put(v + w)
			}
		}
	})
	name := cfg.Name
	if name == "" {
		name = "grid"
	}
	xs := make([]float64, n)
	for v := range n {
		xs[v] = (float64(v%w) + 0.5) / float64(max(w, 1))
	}
	return spatialData(name, g, xs, &cfg.SpatialConfig), nil
}

// RGGConfig configures [RGG].
type RGGConfig struct {
	Name      string // default "rgg"
	NumNodes  int
	AvgDegree float64 // target average degree (> 0)
	SpatialConfig
}

// RGG generates a random geometric graph: NumNodes points uniform in the
// unit square (node ids in generation order, so ids carry no locality),
// joined when their distance is at most r = sqrt(AvgDegree / (pi n)). Away
// from the border a node has AvgDegree neighbours on average; nodes near
// the border have fewer, so the realised average is slightly lower (about
// AvgDegree * (1 - 8r/(3 pi)) ). Pairs are found through a grid of cells of
// side >= r, so the work is O(n * AvgDegree), not O(n^2). Edges hold both
// directions, sorted by (src, dst). Labels are stripes of x.
func RGG(cfg RGGConfig) (*Dataset, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	n := cfg.NumNodes
	if n < 0 || n > math.MaxInt32 {
		bad("NumNodes %d out of range [0, 2^31)", n)
	}
	if !(cfg.AvgDegree > 0) || math.IsInf(cfg.AvgDegree, 0) {
		bad("AvgDegree %g must be finite and > 0", cfg.AvgDegree)
	}
	cfg.validate(bad)
	if len(errs) > 0 {
		return nil, fmt.Errorf("dataset: rgg: %w: %w", ErrConfig, errors.Join(errs...))
	}
	xs, ys := make([]float64, n), make([]float64, n)
	forChunks(n, chunkSize, func(c, lo, hi int) {
		r := newRand(cfg.Seed, streamPoints, uint64(c))
		for v := lo; v < hi; v++ {
			xs[v], ys[v] = r.Float64(), r.Float64()
		}
	})
	radius := math.Sqrt(cfg.AvgDegree / (math.Pi * float64(max(n, 1))))
	side := max(1, min(int(1/radius), int(math.Sqrt(float64(n)))+1)) // cells per side; cell side >= radius
	cellOf := func(v int) (int, int) {
		return min(int(xs[v]*float64(side)), side-1), min(int(ys[v]*float64(side)), side-1)
	}
	// Counting sort of the nodes by cell.
	start := make([]int32, side*side+1)
	for v := range n {
		cx, cy := cellOf(v)
		start[cy*side+cx+1]++
	}
	for i := range side * side {
		start[i+1] += start[i]
	}
	members := make([]int32, n)
	fill := slices.Clone(start)
	for v := range n {
		cx, cy := cellOf(v)
		members[fill[cy*side+cx]] = int32(v)
		fill[cy*side+cx]++
	}
	fill = nil
	r2 := radius * radius
	nChunks := (n + chunkSize - 1) / chunkSize
	srcs, dsts := make([][]int32, nChunks), make([][]int32, nChunks)
	forChunks(n, chunkSize, func(c, lo, hi int) {
		var src, dst, nbrs []int32
		for v := lo; v < hi; v++ {
			cx, cy := cellOf(v)
			nbrs = nbrs[:0]
			for y := max(0, cy-1); y <= min(side-1, cy+1); y++ {
				for x := max(0, cx-1); x <= min(side-1, cx+1); x++ {
					for _, u := range members[start[y*side+x]:start[y*side+x+1]] {
						dx, dy := xs[u]-xs[v], ys[u]-ys[v]
						if u != int32(v) && dx*dx+dy*dy <= r2 {
							nbrs = append(nbrs, u)
						}
					}
				}
			}
			slices.Sort(nbrs)
			for _, u := range nbrs {
				src = append(src, int32(v))
				dst = append(dst, u)
			}
		}
		srcs[c], dsts[c] = src, dst
	})
	g := graph.COO{NumNodes: n, Src: concat(srcs), Dst: concat(dsts)}
	name := cfg.Name
	if name == "" {
		name = "rgg"
	}
	return spatialData(name, g, xs, &cfg.SpatialConfig), nil
}

// spatialData adds stripe labels (by x in [0, 1)), features and a split.
func spatialData(name string, g graph.COO, xs []float64, cfg *SpatialConfig) *Dataset {
	ds := &Dataset{Name: name, Graph: g}
	k := cfg.NumClasses
	if k == 0 {
		return ds
	}
	n := g.NumNodes
	ds.NumClasses = k
	ds.Labels = make([]int32, n)
	for v, x := range xs {
		ds.Labels[v] = int32(min(k-1, int(x*float64(k))))
	}
	if cfg.NumFeatures > 0 {
		ds.Features = ClassFeatures(ds.Labels, k, cfg.NumFeatures, cfg.Signal, cfg.Seed)
	}
	ds.Split = RandomSplit(n, cfg.TrainFrac, cfg.ValidFrac, cfg.Seed)
	return ds
}
