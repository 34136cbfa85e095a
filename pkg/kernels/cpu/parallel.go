package cpu

import (
	"sort"
	"sync"
)

// chunks returns how many goroutines work of the given size deserves.
func (b *Backend) chunks(work, maxChunks int) int {
	n := work / b.grain
	if n > b.workers {
		n = b.workers
	}
	if n > maxChunks {
		n = maxChunks
	}
	if n < 1 {
		n = 1
	}
	return n
}

// parallel splits [0, n) into contiguous ranges, one per chunk, given the
// total work, and calls fn on each, one range on the calling goroutine.
func (b *Backend) parallel(n, work int, fn func(lo, hi int)) {
	b.parallelChunks(n, b.chunks(work, n), func(_, lo, hi int) { fn(lo, hi) })
}

// parallelChunks splits [0, n) into c contiguous ranges and calls
// fn(w, lo, hi) for chunk w on its own goroutine (chunk 0 on the calling
// one), returning when all are done.
func (b *Backend) parallelChunks(n, c int, fn func(w, lo, hi int)) {
	if c <= 1 {
		if n > 0 {
			fn(0, 0, n)
		}
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < c; w++ {
		lo, hi := n*w/c, n*(w+1)/c
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(w, lo, hi)
		}()
	}
	fn(0, 0, n/c)
	wg.Wait()
}

// parallelRows splits the rows of a CSR (given by indptr) into ranges of
// about equal cost, costing each row (entries + 1) * width, and calls fn on
// each range.
func (b *Backend) parallelRows(indptr []int64, width int, fn func(lo, hi int)) {
	rows := len(indptr) - 1
	if rows <= 0 {
		return
	}
	if width < 1 {
		width = 1
	}
	total := indptr[rows] + int64(rows)
	c := b.chunks(int(min(total*int64(width), 1<<62)), rows)
	if c <= 1 {
		fn(0, rows)
		return
	}
	// cut[w] is the first row whose cumulative cost reaches total*w/c.
	cut := func(w int) int {
		target := total * int64(w) / int64(c)
		return sort.Search(rows, func(i int) bool { return indptr[i]+int64(i) >= target })
	}
	var wg sync.WaitGroup
	for w := 1; w < c; w++ {
		lo, hi := cut(w), cut(w+1)
		if w == c-1 {
			hi = rows
		}
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	if hi := cut(1); hi > 0 {
		fn(0, hi)
	}
	wg.Wait()
}

// colBlock is the column granularity of column splits: 16 float32 fill one
// 64-byte cache line, so workers rarely share a line.
const colBlock = 16

// parallelCols splits the columns [0, cols) into bands of whole colBlocks
// and calls fn(lo, hi) on each band.
func (b *Backend) parallelCols(cols, work int, fn func(lo, hi int)) {
	blocks := (cols + colBlock - 1) / colBlock
	b.parallel(blocks, work, func(lo, hi int) {
		fn(lo*colBlock, min(hi*colBlock, cols))
	})
}
