package partition

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// ErrParts marks a part count the graph cannot be split into.
var ErrParts = errors.New("bad number of parts")

// Options tunes [Partition]. The zero value (or a nil *Options) means the
// defaults.
type Options struct {
	// Imbalance bounds every part's weight by Imbalance * total / k. The
	// default is 1.03; it must be >= 1.
	Imbalance float64
	// Seed makes the run reproducible: the same graph, k and options give
	// the same partition. The default is 0 (a valid seed).
	Seed uint64
	// CoarsenTo stops coarsening at this many vertices. The default is
	// max(n / (20 log2 k), 30 k), capped at 40000 (n without degree-0 vertices).
	CoarsenTo int
	// InitTries is how many independent recursive bisections of the
	// coarsest graph are tried (in parallel, unless that graph is so dense
	// that two bisection hierarchies at once would be the peak of the
	// run's memory); the best is refined. The default is 2.
	InitTries int
	// Refine is the number of refinement passes per level. Default 10.
	Refine int
	// Cuts is how many independent multilevel runs are made (from seeds
	// derived from Seed); the lowest cut is kept, as METIS's ncuts. Each
	// run costs a full partitioning. The default is 1.
	Cuts int
	// SkipValidation skips Graph.Validate for a caller that has already
	// validated the graph (the .graph reader does).
	SkipValidation bool
	// Logger receives one debug line per phase; nil is silent.
	Logger *slog.Logger
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Imbalance == 0 {
		c.Imbalance = 1.03
	}
	if c.Refine == 0 {
		c.Refine = 10
	}
	if c.Cuts == 0 {
		c.Cuts = 1
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports every bad option at once.
func (o *Options) Validate() error {
	if o == nil {
		return nil
	}
	var errs []error
	if o.Imbalance != 0 && !(o.Imbalance >= 1 && o.Imbalance < math.Inf(1)) {
		errs = append(errs, fmt.Errorf("Imbalance %v must be >= 1", o.Imbalance))
	}
	if o.CoarsenTo < 0 {
		errs = append(errs, fmt.Errorf("CoarsenTo %d must be >= 0", o.CoarsenTo))
	}
	if o.InitTries < 0 {
		errs = append(errs, fmt.Errorf("InitTries %d must be >= 0", o.InitTries))
	}
	if o.Refine < 0 {
		errs = append(errs, fmt.Errorf("Refine %d must be >= 0", o.Refine))
	}
	if o.Cuts < 0 {
		errs = append(errs, fmt.Errorf("Cuts %d must be >= 0", o.Cuts))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("partition: options: %w", err)
	}
	return nil
}

// Result is a k-way partition.
type Result struct {
	// Part[v] is the part of vertex v, in [0, k).
	Part []int32
	// Cut is the total weight of the edges whose endpoints lie in
	// different parts (each undirected edge counted once).
	Cut int64
	// Imbalance is the heaviest part's weight divided by total/k.
	Imbalance float64
	// PartWeights[i] is the total vertex weight of part i.
	PartWeights []int64
}

// Partition splits g into k parts of nearly equal vertex weight with a
// small edge cut (see the package doc for the algorithm). g must satisfy
// the contract of [Graph.Validate], which Partition checks unless
// opts.SkipValidation. Every part is non-empty when g has at least k
// vertices; each part weighs at most max(floor(Imbalance*total/k),
// ceil(total/k)) plus, when vertex weights vary, possibly the weight of
// one vertex that cannot be placed exactly.
//
// Errors: ErrInvalidGraph (wrapped) for a bad graph, ErrParts for k < 1
// or k > number of vertices, and option errors.
func Partition(g *Graph, k int, opts *Options) (Result, error) {
	if err := opts.Validate(); err != nil {
		return Result{}, err
	}
	o := opts.withDefaults()
	if !o.SkipValidation {
		if err := g.Validate(); err != nil {
			return Result{}, err
		}
	}
	n := g.NumNodes()
	if k < 1 || k > max(n, 1) {
		return Result{}, fmt.Errorf("partition: %w: k = %d for %d vertices", ErrParts, k, n)
	}
	start := time.Now()
	log := o.Logger
	total := g.TotalVertexWeight()
	maxw := int64(math.Floor(o.Imbalance * float64(total) / float64(k)))
	maxw = max(maxw, (total+int64(k)-1)/int64(k))
	maxpw := make([]int64, k)
	for i := range maxpw {
		maxpw[i] = maxw
	}

	part := make([]int32, n)
	core, coreIDs := coreGraph(g)
	log.Debug("partition: start", "n", n, "m", g.NumEdges(), "k", k, "core", core.n(), "isolated", n-core.n())
	if core.n() > 0 && k > 1 {
		cpart := partitionCore(core, k, maxpw, o)
		// Further independent runs (Options.Cuts), each from its own seed;
		// the lowest cut of a balanced result wins, earlier runs on ties.
		bestCut, _ := cutAndWeights(core, cpart, k)
		for c := 1; c < o.Cuts; c++ {
			oc := o
			oc.Seed = seedFor(o.Seed, uint64(7000+c))
			alt := partitionCore(core, k, maxpw, oc)
			if cut, _ := cutAndWeights(core, alt, k); cut < bestCut {
				cpart, bestCut = alt, cut
			}
			log.Debug("partition: run", "run", c, "cut", bestCut)
		}
		if coreIDs == nil {
			copy(part, cpart)
		} else {
			for i, v := range coreIDs {
				part[v] = cpart[i]
			}
		}
	}
	fill(g, part, coreIDs, k, core.n())
	ensureNonEmpty(g, part, k)
	res := Result{Part: part}
	var err error
	if res.Cut, res.PartWeights, err = EdgeCut(g, part, k); err != nil {
		return Result{}, err // unreachable: parts are in range by construction
	}
	res.Imbalance = Imbalance(res.PartWeights, total)
	log.Debug("partition: done", "cut", res.Cut, "imbalance", res.Imbalance, "elapsed", time.Since(start))
	return res, nil
}

// partitionCore runs the multilevel scheme on a graph without degree-0
// vertices: coarsen, recursive bisection of the coarsest graph, and
// refinement level by level on the way back.
func partitionCore(core *wgraph, k int, maxpw []int64, o Options) []int32 {
	log := o.Logger
	t0 := time.Now()
	to := o.CoarsenTo
	if to == 0 {
		to = int(float64(core.n()) / (20 * math.Max(1, math.Log2(float64(k)))))
		to = min(max(to, 30*k), 40000)
	}
	maxvw := int32(min(int64(math.MaxInt32), max(1, int64(1.5*float64(core.tvw)/float64(to)))))
	rng := rand.New(rand.NewPCG(o.Seed, 1))
	h := coarsen(core, to, maxvw, rng)
	top := h.top()
	log.Debug("partition: coarsened", "levels", h.depth(), "coarsest", top.n(), "edges", len(top.adj)/2, "elapsed", time.Since(t0))

	p := defaultBisect
	tries := o.InitTries
	if tries == 0 {
		// Two recursive bisections: one already keeps both cores busy
		// (the halves of each bisection are split in parallel), and a
		// second wins back most of what a single try loses to chance;
		// four cost twice the time for a cut within noise of two
		// (coauthor-cs k = 128: 0.28 s vs 0.21 s, cuts 31.8k both).
		tries = 2
	}
	parts := initialPartition(top, k, maxpw, tries, p, seedFor(o.Seed, 2))
	// On power-law graphs the outcome of refinement varies a lot from run
	// to run (which part the hubs end in is decided gradually, level by
	// level), so the two best initial partitions are both carried down,
	// refined side by side (one per core), and the lower final cut wins.
	ncand := 1
	if powerLaw(core) {
		ncand = min(2, len(parts))
	}
	rs := make([]*kway, ncand)
	nl := h.depth()
	refineAll := func(l int) {
		tasks := make([]func(), ncand)
		for c := range rs {
			tasks[c] = func() {
				stream := uint64(100 + l)
				if l == nl-1 {
					stream = 3
				}
				seed := o.Seed
				if c > 0 {
					seed = seedFor(o.Seed, uint64(500+c))
				}
				rs[c].refine(o.Refine, rand.New(rand.NewPCG(seed, stream)), 2*(nl-1-l) >= nl-1, l == 0)
			}
		}
		parallelDo(tasks...)
	}
	for c := range rs {
		rs[c] = newKway(top, k, parts[c], maxpw)
	}
	log.Debug("partition: initial", "cut", rs[0].cut, "candidates", ncand, "elapsed", time.Since(t0))
	refineAll(nl - 1)
	cparts := make([][]int32, ncand)
	for l := nl - 2; l >= 0; l-- {
		// The coarse level's graph and refinement state go before the
		// fine level is (possibly) rebuilt: only the coarse parts and the
		// vertex map are needed to project.
		for c, r := range rs {
			cparts[c], rs[c] = r.part, nil
		}
		h.drop(l + 1)
		fine := h.at(l)
		cmap := h.cmaps[l]
		for c, cpart := range cparts {
			fpart := make([]int32, fine.n())
			parallelFor(fine.n(), 1<<14, func(lo, hi int) {
				for v := lo; v < hi; v++ {
					fpart[v] = cpart[cmap[v]]
				}
			})
			cparts[c] = nil
			rs[c] = newKway(fine, k, fpart, maxpw)
		}
		h.cmaps[l] = nil
		refineAll(l)
		log.Debug("partition: level", "level", l, "n", fine.n(), "cut", rs[0].cut, "maxpw", slices.Max(rs[0].pw), "limit", maxpw[0], "elapsed", time.Since(t0))
	}
	r := rs[0]
	for _, x := range rs[1:] {
		if x.cut < r.cut && !x.overweight() {
			r = x
		}
	}
	if len(rs) > 1 {
		log.Debug("partition: candidates", "cuts", []int64{rs[0].cut, rs[1].cut})
	}
	return r.part
}

// powerLaw reports whether g's degrees are very skewed: its largest degree
// is at least 32 times the average (R-MAT and many real graphs; not
// meshes, geometric graphs or block models).
func powerLaw(g *wgraph) bool {
	n := g.n()
	if n == 0 {
		return false
	}
	var maxd int64
	for v := 0; v < n; v++ {
		maxd = max(maxd, g.xadj[v+1]-g.xadj[v])
	}
	return float64(maxd) >= 32*float64(len(g.adj))/float64(n)
}
