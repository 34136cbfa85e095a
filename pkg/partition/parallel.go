package partition

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// workers returns how many goroutines to use for n items in chunks of
// chunk: at most GOMAXPROCS, and only as many as there are chunks.
func workers(n, chunk int) int {
	w := runtime.GOMAXPROCS(0)
	if c := (n + chunk - 1) / chunk; c < w {
		w = c
	}
	return max(w, 1)
}

// parallelFor calls fn on the fixed chunks [lo, hi) of [0, n), each of size
// chunk (the last may be shorter). Chunk boundaries depend only on n and
// chunk, never on the number of goroutines, so a fn whose effect depends
// only on its chunk gives the same result for any GOMAXPROCS.
func parallelFor(n, chunk int, fn func(lo, hi int)) {
	parallelForW(n, chunk, func(_, lo, hi int) { fn(lo, hi) })
}

// parallelForW is parallelFor that also passes the worker index (for
// per-worker scratch space); worker indices are < workers(n, chunk).
func parallelForW(n, chunk int, fn func(w, lo, hi int)) {
	if n <= 0 {
		return
	}
	nw := workers(n, chunk)
	if nw == 1 {
		for lo := 0; lo < n; lo += chunk {
			fn(0, lo, min(lo+chunk, n))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < nw; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				fn(w, lo, min(lo+chunk, n))
			}
		}(w)
	}
	wg.Wait()
}

// parallelDo runs the tasks, at most GOMAXPROCS at a time, and waits.
func parallelDo(tasks ...func()) {
	if len(tasks) == 1 || runtime.GOMAXPROCS(0) == 1 {
		for _, t := range tasks {
			t()
		}
		return
	}
	parallelFor(len(tasks), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			tasks[i]()
		}
	})
}
