package history

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Options configures a Pool. Zero fields take the defaults named here.
type Options struct {
	// PoolSize is the number of buffers, i.e. the most pulls in flight.
	// The default is 2.
	PoolSize int
	// BufferSize is the rows per buffer: the most rows one pull may read
	// (a batch's halo for a training step, its whole n_id for exact
	// inference). Required.
	BufferSize int
	// Dim is the columns per buffer: the history width. Required.
	Dim int
	// Workers is the number of goroutines performing pulls. The default is 1.
	Workers int
	// Sync runs every pull and push on the caller's goroutine.
	Sync bool
	// Logger receives the one warning when buffers cannot be page-locked.
	// The default is slog.Default().
	Logger *slog.Logger
}

// EnsureDefaults fills zero fields with their defaults.
func (o *Options) EnsureDefaults() {
	if o.PoolSize == 0 {
		o.PoolSize = 2
	}
	if o.Workers == 0 {
		o.Workers = 1
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Validate reports every bad field at once.
func (o *Options) Validate() error {
	var errs []error
	if o.PoolSize < 1 {
		errs = append(errs, fmt.Errorf("pool_size %d must be at least 1", o.PoolSize))
	}
	if o.BufferSize < 1 {
		errs = append(errs, fmt.Errorf("buffer_size %d must be at least 1", o.BufferSize))
	}
	if o.Dim < 1 {
		errs = append(errs, fmt.Errorf("dim %d must be at least 1", o.Dim))
	}
	if o.Workers < 1 {
		errs = append(errs, fmt.Errorf("workers %d must be at least 1", o.Workers))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("history: options: %w", err)
	}
	return nil
}

// Pool is the pinned buffer pool; see the package documentation.
type Pool struct {
	opts   Options
	locked bool

	free    chan *buffer
	pulls   *fifo[*PullHandle]
	work    chan *PullHandle
	pushes  *fifo[*PushHandle]
	stop    chan struct{}
	wg      sync.WaitGroup
	closeMu sync.Once

	mu      sync.Mutex
	pending []*PushHandle // submitted, not yet complete, in order
	failed  []error       // errors of completed pushes not yet reported by Fence
	closed  bool
}

// buffer is one pinned BufferSize x Dim matrix and its release function.
type buffer struct {
	m       *tensor.Dense
	release func() error
}

// NewPool allocates the buffers and, unless opts.Sync, starts the pool's
// goroutines (1 dispatcher, opts.Workers pullers, 1 pusher).
func NewPool(opts Options) (*Pool, error) {
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	p := &Pool{
		opts:   opts,
		locked: true,
		free:   make(chan *buffer, opts.PoolSize),
		pulls:  newFIFO[*PullHandle](),
		pushes: newFIFO[*PushHandle](),
		work:   make(chan *PullHandle),
		stop:   make(chan struct{}),
	}
	for i := 0; i < opts.PoolSize; i++ {
		data, locked, release, err := allocPinned(opts.BufferSize * opts.Dim)
		if err != nil {
			p.freeBuffers()
			return nil, err
		}
		p.locked = p.locked && locked
		p.free <- &buffer{m: tensor.FromSlice(opts.BufferSize, opts.Dim, data), release: release}
	}
	if !p.locked {
		opts.Logger.Warn("history: buffers are not page-locked (raise RLIMIT_MEMLOCK or grant CAP_IPC_LOCK)",
			"pool_size", opts.PoolSize, "bytes", opts.PoolSize*opts.BufferSize*opts.Dim*4)
	}
	if !opts.Sync {
		p.wg.Add(2 + opts.Workers)
		go p.dispatch()
		for i := 0; i < opts.Workers; i++ {
			go p.pullWorker()
		}
		go p.pushWorker()
	}
	return p, nil
}

// Pinned reports whether every buffer is page-locked.
func (p *Pool) Pinned() bool { return p.locked }

// Options returns the options the pool runs with (defaults filled).
func (p *Pool) Options() Options { return p.opts }

// PullHandle is a queued pull. Call Wait, then Release exactly once.
type PullHandle struct {
	p      *Pool
	table  Table
	ranges []Range
	ids    []int32
	rows   int
	after  []*PushHandle

	buf  *buffer
	err  error
	done chan struct{}
	lazy bool      // Sync mode: the read runs in the first Wait or Release
	once sync.Once // runs the lazy read once
}

// Pull queues a read of table's rows: the contiguous ranges first, in order,
// then ids, into the next free buffer. The returned matrix (from Wait) has
// sum(counts)+len(ids) rows. ranges and ids must not change until Wait
// returns. Errors (a request larger than BufferSize, a width other than
// Dim, an out-of-range row, a closed pool) are reported by Wait.
func (p *Pool) Pull(table Table, ranges []Range, ids []int32) *PullHandle {
	h := &PullHandle{p: p, table: table, ranges: ranges, ids: ids, done: make(chan struct{})}
	h.rows = len(ids)
	for _, r := range ranges {
		h.rows += int(r.Count)
	}
	if err := p.checkRequest("pull", table, h.rows); err != nil {
		h.finish(err)
		return h
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		h.finish(ErrClosed)
		return h
	}
	h.after = append([]*PushHandle(nil), p.pending...)
	p.mu.Unlock()
	if p.opts.Sync {
		h.lazy = true // read on the caller's goroutine in Wait
		return h
	}
	if !p.pulls.push(h) {
		h.finish(ErrClosed)
	}
	return h
}

func (p *Pool) checkRequest(op string, table Table, rows int) error {
	if table.Dim() != p.opts.Dim {
		return fmt.Errorf("history: %s: %w: table dim %d, pool dim %d", op, ErrShape, table.Dim(), p.opts.Dim)
	}
	if op == "pull" && rows > p.opts.BufferSize {
		return fmt.Errorf("history: pull of %d rows exceeds buffer_size %d: raise buffer_size to at least the largest batch's rows", rows, p.opts.BufferSize)
	}
	return nil
}

// read fills h.buf; it runs on a worker (or the caller in Sync mode).
func (h *PullHandle) read() error {
	for _, ph := range h.after {
		<-ph.done
	}
	at := 0
	for _, r := range h.ranges {
		if err := h.table.ReadRange(h.buf.m.RowView(at, at+int(r.Count)), r.Offset); err != nil {
			return err
		}
		at += int(r.Count)
	}
	return h.table.ReadRows(h.buf.m.RowView(at, at+len(h.ids)), h.ids)
}

// runLazy performs a Sync-mode pull once: the read if read is set, or just
// completion when the handle is released unread.
func (h *PullHandle) runLazy(read bool) {
	if !h.lazy {
		return
	}
	h.once.Do(func() {
		if !read {
			h.finish(nil)
			return
		}
		select {
		case h.buf = <-h.p.free:
		default:
			h.finish(fmt.Errorf("history: pull: all %d buffers are held; release earlier pulls first", h.p.opts.PoolSize))
			return
		}
		h.finish(h.read())
	})
}

func (h *PullHandle) finish(err error) {
	h.err = err
	close(h.done)
}

// Wait blocks until the pull completes (or ctx ends) and returns the filled
// rows, a view of a pool buffer owned by the caller until Release.
func (h *PullHandle) Wait(ctx context.Context) (*tensor.Dense, error) {
	h.runLazy(true)
	select {
	case <-h.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if h.err != nil {
		return nil, h.err
	}
	return h.buf.m.RowView(0, h.rows), nil
}

// Release returns the buffer to the pool. The matrix from Wait must not be
// used afterwards. Release waits for the pull to finish first, so it may be
// called on a pull whose Wait was abandoned.
func (h *PullHandle) Release() {
	h.runLazy(false)
	<-h.done
	if h.buf == nil {
		return
	}
	b := h.buf
	h.buf = nil
	h.p.mu.Lock()
	closed := h.p.closed
	h.p.mu.Unlock()
	if closed {
		_ = b.release()
		return
	}
	h.p.free <- b
}

// PushHandle is a queued push.
type PushHandle struct {
	table  Table
	src    *tensor.Dense
	ranges []Range
	err    error
	done   chan struct{}
}

// Push queues a write of src's rows into table: the first ranges[0].Count
// rows go to ranges[0].Offset, the next to ranges[1], and so on. src and
// ranges must not be modified until the push completes.
func (p *Pool) Push(table Table, src *tensor.Dense, ranges []Range) *PushHandle {
	h := &PushHandle{table: table, src: src, ranges: ranges, done: make(chan struct{})}
	n := 0
	var err error
	for _, r := range ranges {
		if err == nil && (r.Offset < 0 || r.Count < 0 || r.Offset+r.Count > int64(table.Rows())) {
			err = fmt.Errorf("%w: push rows [%d, %d) of a table of %d rows", ErrOutOfRange, r.Offset, r.Offset+r.Count, table.Rows())
		}
		n += int(r.Count)
	}
	if err == nil {
		err = p.checkRequest("push", table, n)
	}
	if err == nil && n != src.Rows {
		err = fmt.Errorf("history: push: %w: ranges cover %d rows, source has %d", ErrShape, n, src.Rows)
	}
	if err != nil {
		h.err = err
		close(h.done)
		return h
	}
	if p.opts.Sync {
		h.err = h.write()
		close(h.done)
		return h
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		h.err = ErrClosed
		close(h.done)
		return h
	}
	p.pending = append(p.pending, h)
	p.mu.Unlock()
	p.pushes.push(h)
	return h
}

func (h *PushHandle) write() error {
	at := 0
	for _, r := range h.ranges {
		if err := h.table.WriteRange(r.Offset, h.src.RowView(at, at+int(r.Count))); err != nil {
			return err
		}
		at += int(r.Count)
	}
	return nil
}

// Wait blocks until the push completes (or ctx ends) and returns its error.
func (h *PushHandle) Wait(ctx context.Context) error {
	select {
	case <-h.done:
		return h.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Fence waits until every push submitted before the call has completed and
// returns, joined, the errors of every asynchronous push that failed since
// the previous Fence, including pushes that had already completed when it
// was called.
func (p *Pool) Fence(ctx context.Context) error {
	p.mu.Lock()
	waitOn := append([]*PushHandle(nil), p.pending...)
	p.mu.Unlock()
	for _, h := range waitOn {
		select {
		case <-h.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	p.mu.Lock()
	errs := p.failed
	p.failed = nil
	p.mu.Unlock()
	return errors.Join(errs...)
}

func (p *Pool) dispatch() {
	defer p.wg.Done()
	defer close(p.work)
	for {
		h, ok := p.pulls.pop(p.stop)
		if !ok {
			return
		}
		select {
		case h.buf = <-p.free:
		case <-p.stop:
			h.finish(ErrClosed)
			return
		}
		select {
		case p.work <- h:
		case <-p.stop:
			p.free <- h.buf
			h.buf = nil
			h.finish(ErrClosed)
			return
		}
	}
}

func (p *Pool) pullWorker() {
	defer p.wg.Done()
	for h := range p.work {
		h.finish(h.read())
	}
}

func (p *Pool) pushWorker() {
	defer p.wg.Done()
	for {
		h, ok := p.pushes.pop(p.stop)
		if !ok {
			return
		}
		h.err = h.write()
		p.mu.Lock()
		if h.err != nil {
			p.failed = append(p.failed, h.err)
		}
		for i, q := range p.pending {
			if q == h {
				p.pending = append(p.pending[:i], p.pending[i+1:]...)
				break
			}
		}
		p.mu.Unlock()
		close(h.done)
	}
}

// Close completes queued pushes, fails queued pulls with ErrClosed, stops
// and joins the goroutines and frees the buffers not held by the caller
// (held ones are freed on Release).
func (p *Pool) Close() error {
	var err error
	p.closeMu.Do(func() {
		err = p.Fence(context.Background())
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		close(p.stop)
		p.wg.Wait()
		for _, h := range p.pulls.close() {
			h.finish(ErrClosed)
		}
		for _, h := range p.pushes.close() {
			h.err = ErrClosed
			close(h.done)
		}
		p.freeBuffers()
	})
	return err
}

func (p *Pool) freeBuffers() {
	for {
		select {
		case b := <-p.free:
			_ = b.release()
		default:
			return
		}
	}
}
