package dataset

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Random streams. Every generator draws from rand.New(rand.NewPCG(seed,
// mix(stream, chunk))), one source per fixed-size chunk of work, so output
// depends on the seed and the configuration only, never on GOMAXPROCS or
// scheduling.
const (
	streamLabels uint64 = iota + 1
	streamEdges
	streamMeans
	streamFeatures
	streamSplit
	streamPerm
	streamNoise
	streamPoints
)

// chunkSize is the number of nodes (or edges) one random source covers.
const chunkSize = 1 << 14

func newRand(seed, stream, chunk uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, mix(stream<<48^chunk)))
}

// mix is splitmix64's finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// forChunks calls fn(c, lo, hi) for the chunks [c*size, min((c+1)*size, n))
// covering [0, n), on up to GOMAXPROCS goroutines, and waits.
func forChunks(n, size int, fn func(c, lo, hi int)) {
	k := (n + size - 1) / size
	w := min(k, runtime.GOMAXPROCS(0))
	if w <= 1 {
		for c := 0; c < k; c++ {
			fn(c, c*size, min((c+1)*size, n))
		}
		return
	}
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				c := next
				next++
				mu.Unlock()
				if c >= k {
					return
				}
				fn(c, c*size, min((c+1)*size, n))
			}
		}()
	}
	wg.Wait()
}

// poisson draws from a Poisson distribution with mean lambda: by inversion
// for small means, by a rounded normal for large ones (lambda > 500).
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 500 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*r.NormFloat64())))
	}
	// Inversion in blocks of 30 so exp(-lambda) never underflows.
	k := 0
	for lambda > 30 {
		k += poissonSmall(r, 30)
		lambda -= 30
	}
	return k + poissonSmall(r, lambda)
}

func poissonSmall(r *rand.Rand, lambda float64) int {
	p := math.Exp(-lambda)
	s := p
	u := r.Float64()
	k := 0
	for u > s && k < 1000 {
		k++
		p *= lambda / float64(k)
		s += p
	}
	return k
}

// balancedLabels assigns n nodes to k classes of sizes differing by at most
// one, in a random order.
func balancedLabels(n, k int, seed uint64) []int32 {
	y := make([]int32, n)
	for v := range y {
		y[v] = int32(v % k)
	}
	r := newRand(seed, streamLabels, 0)
	r.Shuffle(n, func(i, j int) { y[i], y[j] = y[j], y[i] })
	return y
}

// ClassFeatures returns n x dim features correlated with labels: class c
// has a mean vector mu_c with entries drawn N(0, signal^2/dim), and node v's
// row is mu_{labels[v]} + N(0, I). The expected distance between two class
// means is signal*sqrt(2) noise standard deviations, whatever dim is, so
// signal alone sets how separable the classes are from features alone.
// The result is deterministic in (labels, k, dim, signal, seed).
func ClassFeatures(labels []int32, k, dim int, signal float64, seed uint64) *tensor.Dense {
	n := len(labels)
	x := tensor.New(n, dim)
	if dim == 0 {
		return x
	}
	means := make([]float32, k*dim)
	r := newRand(seed, streamMeans, 0)
	scale := signal / math.Sqrt(float64(dim))
	for i := range means {
		means[i] = float32(scale * r.NormFloat64())
	}
	forChunks(n, max(1, chunkSize/max(1, dim/16)), func(c, lo, hi int) {
		r := newRand(seed, streamFeatures, uint64(c))
		for v := lo; v < hi; v++ {
			row := x.Row(v)
			var mu []float32
			if labels != nil {
				y := int(labels[v])
				mu = means[y*dim : (y+1)*dim]
			}
			for j := range row {
				row[j] = float32(r.NormFloat64())
				if mu != nil {
					row[j] += mu[j]
				}
			}
		}
	})
	return x
}

// RandomSplit assigns each of n nodes to train (a trainFrac share), valid
// (validFrac) or test (the rest) uniformly at random, deterministic in
// seed. Each list is ascending. It panics if the fractions are negative or
// sum above 1.
func RandomSplit(n int, trainFrac, validFrac float64, seed uint64) Split {
	if trainFrac < 0 || validFrac < 0 || trainFrac+validFrac > 1+1e-9 {
		panic("dataset: RandomSplit: fractions must be >= 0 and sum to <= 1")
	}
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	r := newRand(seed, streamSplit, 0)
	r.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	nt := int(math.Round(trainFrac * float64(n)))
	nv := min(n-nt, int(math.Round(validFrac*float64(n))))
	s := Split{Name: "random",
		Train: perm[:nt:nt],
		Valid: perm[nt : nt+nv : nt+nv],
		Test:  perm[nt+nv:],
	}
	slices.Sort(s.Train)
	slices.Sort(s.Valid)
	slices.Sort(s.Test)
	return s
}
