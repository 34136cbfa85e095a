package sampling

import (
	"context"
	"fmt"
	"sync"
)

// Builder is what a [Loader] runs: it plans each epoch and hands each
// worker goroutine its own [Worker].
type Builder[T any] interface {
	// Plan prepares epoch e (shuffling, grouping) and returns its number of
	// batches. It runs before the epoch's workers start, never concurrently
	// with them.
	Plan(epoch int) (int, error)
	// NewWorker returns a worker with its own scratch state. Called once
	// per worker goroutine slot; workers are reused across epochs.
	NewWorker() (Worker[T], error)
}

// Worker builds batches. A worker is used by one goroutine at a time.
type Worker[T any] interface {
	// Build fills dst (whose capacity it may reuse) with batch b of epoch
	// e. The result must depend only on (e, b) and the builder's plan, never
	// on the worker or the time of the call.
	Build(ctx context.Context, e, b int, dst *T) error
}

// LoaderOptions configure a [Loader].
type LoaderOptions struct {
	// Workers is the number of goroutines building batches (default 1).
	Workers int
	// Prefetch is how many finished batches may wait for the consumer
	// (default 2*Workers). Memory held is about (Prefetch+1) batches.
	Prefetch int
}

// Loader runs a Builder on worker goroutines ahead of the consumer and
// delivers the batches in order. One epoch runs at a time.
type Loader[T any] struct {
	b       Builder[T]
	opts    LoaderOptions
	mu      sync.Mutex
	busy    bool
	closed  bool
	workers []Worker[T]
	bufs    []*T
}

// NewLoader returns a loader over b. It starts nothing until Epoch.
func NewLoader[T any](b Builder[T], opts LoaderOptions) (*Loader[T], error) {
	if b == nil {
		return nil, fmt.Errorf("sampling: loader: nil builder: %w", ErrOptions)
	}
	if opts.Workers < 0 || opts.Prefetch < 0 {
		return nil, fmt.Errorf("sampling: loader: Workers = %d, Prefetch = %d: want >= 0: %w", opts.Workers, opts.Prefetch, ErrOptions)
	}
	if opts.Workers == 0 {
		opts.Workers = 1
	}
	if opts.Prefetch == 0 {
		opts.Prefetch = 2 * opts.Workers
	}
	return &Loader[T]{b: b, opts: opts}, nil
}

// Close releases the loader's buffers. An epoch in progress must be closed
// first; later calls to Epoch fail with [ErrClosed].
func (l *Loader[T]) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.busy {
		return fmt.Errorf("sampling: loader: close with an epoch in progress: %w", ErrOptions)
	}
	l.closed = true
	l.workers, l.bufs = nil, nil
	return nil
}

// Epoch starts epoch e: workers begin building batches at once. The caller
// must Close the returned iterator (which stops and joins the workers).
// Cancelling ctx stops the epoch; Next then reports the context's error.
func (l *Loader[T]) Epoch(ctx context.Context, e int) *Iter[T] {
	it := &Iter[T]{l: l}
	l.mu.Lock()
	switch {
	case l.closed:
		it.err = fmt.Errorf("sampling: loader: %w", ErrClosed)
	case l.busy:
		it.err = fmt.Errorf("sampling: loader: epoch %d started while another runs: %w", e, ErrOptions)
	default:
		l.busy = true
		it.owns = true
	}
	l.mu.Unlock()
	if it.err != nil {
		return it
	}
	n, err := l.b.Plan(e)
	if err == nil {
		err = l.ensureWorkers()
	}
	if err != nil {
		it.err = fmt.Errorf("sampling: loader: epoch %d: %w", e, err)
		return it
	}
	it.start(ctx, e, n)
	return it
}

func (l *Loader[T]) ensureWorkers() error {
	for len(l.workers) < l.opts.Workers {
		w, err := l.b.NewWorker()
		if err != nil {
			return err
		}
		l.workers = append(l.workers, w)
	}
	for len(l.bufs) < l.opts.Prefetch+1 {
		l.bufs = append(l.bufs, new(T))
	}
	return nil
}

type result[T any] struct {
	buf *T
	err error
}

// Iter walks one epoch's batches in order. Not goroutine-safe.
type Iter[T any] struct {
	l      *Loader[T]
	owns   bool
	cancel context.CancelFunc
	wg     sync.WaitGroup
	free   chan *T
	slots  []chan result[T] // ring: batch b uses slots[b % len(slots)]
	n      int
	next   int
	cur    *T
	err    error
	done   bool
}

func (it *Iter[T]) start(parent context.Context, e, n int) {
	ctx, cancel := context.WithCancel(parent)
	it.cancel = cancel
	it.n = n
	it.free = make(chan *T, len(it.l.bufs))
	for _, b := range it.l.bufs {
		it.free <- b
	}
	// A batch index is taken only with a buffer in hand, and a buffer comes
	// back only after the consumer has moved past its batch, so at most
	// len(bufs) batches are between "taken" and "consumed": a ring of
	// len(bufs)+1 one-result slots never sees two live batches in a slot.
	it.slots = make([]chan result[T], len(it.l.bufs)+1)
	for i := range it.slots {
		it.slots[i] = make(chan result[T], 1)
	}
	var mu sync.Mutex
	nextBatch := 0
	for _, w := range it.l.workers {
		it.wg.Add(1)
		go func() {
			defer it.wg.Done()
			for {
				// Take a buffer before a batch index, so the batch the
				// consumer waits for always has a buffer (no deadlock).
				var buf *T
				select {
				case buf = <-it.free:
				case <-ctx.Done():
					return
				}
				mu.Lock()
				b := nextBatch
				nextBatch++
				mu.Unlock()
				if b >= n {
					it.free <- buf
					return
				}
				err := w.Build(ctx, e, b, buf)
				if err == nil {
					err = ctx.Err()
				}
				slot := it.slots[b%len(it.slots)]
				if err != nil {
					// The consumer meets the error at batch b, after every
					// earlier batch, whatever the number of workers. The
					// buffer stays held (the consumer stops at b), which
					// keeps the ring invariant; other workers go on until
					// they run out of buffers or Close.
					slot <- result[T]{err: fmt.Errorf("sampling: loader: epoch %d batch %d: %w", e, b, err)}
					return
				}
				slot <- result[T]{buf: buf}
			}
		}()
	}
}

// Next advances to the next batch and reports whether there is one. The
// previous batch is handed back to the workers: a batch is valid only until
// the next call to Next or Close.
func (it *Iter[T]) Next(ctx context.Context) bool {
	if it.done || it.err != nil {
		return false
	}
	if it.cur != nil {
		it.free <- it.cur
		it.cur = nil
	}
	if it.next >= it.n {
		it.done = true
		return false
	}
	select {
	case r := <-it.slots[it.next%len(it.slots)]:
		if r.err != nil {
			it.err = r.err
			return false
		}
		it.cur = r.buf
		it.next++
		return true
	case <-ctx.Done():
		it.err = ctx.Err()
		return false
	}
}

// Batch returns the current batch (valid until Next or Close).
func (it *Iter[T]) Batch() *T { return it.cur }

// Index returns the current batch's index in the epoch.
func (it *Iter[T]) Index() int { return it.next - 1 }

// Len returns the number of batches in the epoch.
func (it *Iter[T]) Len() int { return it.n }

// Err returns the first error met, if any.
func (it *Iter[T]) Err() error { return it.err }

// Close stops the workers, waits for them and ends the epoch. It is safe
// to call more than once. It returns Err.
func (it *Iter[T]) Close() error {
	if it.cancel != nil {
		it.cancel()
		it.wg.Wait()
		it.cancel = nil
	}
	if it.owns {
		it.l.mu.Lock()
		it.l.busy = false
		it.l.mu.Unlock()
		it.owns = false
	}
	it.cur = nil
	it.done = true
	return it.err
}
