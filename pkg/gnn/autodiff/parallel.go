package autodiff

import (
	"runtime"
	"sync"
)

// minWork is the number of element operations below which a loop runs on
// the calling goroutine alone.
const minWork = 1 << 15

// parallelFor calls fn on disjoint ranges covering [0, n), on up to
// GOMAXPROCS goroutines when n*width is worth splitting. Ranges depend only
// on n, width and GOMAXPROCS; callers whose results must not depend on the
// split (random draws) use fixed-size blocks instead (see blocks).
func parallelFor(n, width int, fn func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	if work := n * max(width, 1); work/minWork < w {
		w = max(1, work/minWork)
	}
	if w <= 1 || n < 2 {
		fn(0, n)
		return
	}
	chunk := (n + w - 1) / w
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	wg.Wait()
}

// blocks calls fn(b, lo, hi) for the fixed-size blocks [b*size, ...) of
// [0, n), spread over goroutines. Work done per block must depend only on
// b, so results do not depend on the number of cores.
func blocks(n, size int, fn func(b, lo, hi int)) {
	nb := (n + size - 1) / size
	parallelFor(nb, size, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			fn(b, b*size, min((b+1)*size, n))
		}
	})
}
