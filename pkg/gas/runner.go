package gas

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/history"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Batch is one GAS batch as a model sees it.
type Batch struct {
	// Adj is BatchSize x len(NID): row i lists every in-neighbour of
	// in-batch node i by its position in NID, with GCN weights for the
	// models that need them.
	Adj *ad.Sparse
	// X holds the input features of every node of NID (nil when a layer
	// other than the first is computed).
	X *ad.Var
	// NID lists the batch's nodes: the BatchSize in-batch nodes (the
	// ranges, in order) then the halo.
	NID       []int32
	BatchSize int
	// Ranges are the in-batch rows as contiguous runs of node ids.
	Ranges []history.Range
}

// Halo returns the out-of-batch nodes.
func (b *Batch) Halo() []int32 { return b.NID[b.BatchSize:] }

// Runner runs a Model with its histories and buffer pool: PyGAS's
// ScalableGNN around a model's layers. One goroutine uses a Runner.
type Runner struct {
	Model Model
	// Tables are the NumLayers-1 histories.
	Tables []history.Table

	opts history.Options
	auto bool // BufferSize grows to fit a request
	pool *history.Pool
	log  *slog.Logger

	// prefetched are halo pulls queued by Prefetch for the batch whose
	// halo is prefetchHalo.
	prefetched   []*history.PullHandle
	prefetchHalo []int32

	// IO accumulates the wall time spent inside pulls' Wait and pushes'
	// submission and fences on the caller's goroutine: the history I/O the
	// trainer waits for (all of it in Sync mode, what asynchrony did not
	// hide otherwise).
	IO time.Duration
}

// NewRunner returns a runner over m and its tables (NumLayers-1 tables of
// width HistoryDim). opts.Dim defaults to HistoryDim; opts.BufferSize 0
// means "grow to fit": the pool is rebuilt, between steps, whenever a
// request needs more rows (a fixed BufferSize makes such a request an
// error instead).
func NewRunner(m Model, tables []history.Table, opts history.Options) (*Runner, error) {
	if want := m.NumLayers() - 1; len(tables) != want {
		return nil, fmt.Errorf("gas: runner: %d history tables, model %s needs %d", len(tables), m, want)
	}
	for i, t := range tables {
		if t.Dim() != m.HistoryDim() {
			return nil, fmt.Errorf("gas: runner: history %d has width %d, model needs %d", i, t.Dim(), m.HistoryDim())
		}
		if t.Rows() != tables[0].Rows() {
			return nil, fmt.Errorf("gas: runner: history %d has %d rows, history 0 has %d", i, t.Rows(), tables[0].Rows())
		}
	}
	if opts.Dim == 0 {
		opts.Dim = m.HistoryDim()
	}
	r := &Runner{Model: m, Tables: tables, opts: opts, log: opts.Logger}
	if r.log == nil {
		r.log = slog.Default()
	}
	if opts.BufferSize == 0 {
		r.auto = true
		r.opts.BufferSize = 1
	}
	return r, nil
}

// Close fences and frees the pool (not the tables).
func (r *Runner) Close() error {
	r.dropPrefetch()
	if r.pool == nil {
		return nil
	}
	err := r.pool.Close()
	r.pool = nil
	return err
}

// Pool returns the current pool (nil before the first request).
func (r *Runner) Pool() *history.Pool { return r.pool }

// ensure makes sure a pool exists whose buffers hold rows rows. Call it
// only between steps (no pull outstanding).
func (r *Runner) ensure(ctx context.Context, rows int) error {
	if len(r.Tables) == 0 {
		return nil
	}
	if r.pool != nil && rows <= r.opts.BufferSize {
		return nil
	}
	if r.pool != nil && !r.auto {
		return fmt.Errorf("gas: a batch needs %d history rows but buffer_size is %d: raise gas.buffer_size (or set 0 to size it automatically)", rows, r.opts.BufferSize)
	}
	if r.pool != nil {
		if err := r.pool.Fence(ctx); err != nil {
			return err
		}
		if err := r.pool.Close(); err != nil {
			return err
		}
		r.pool = nil
		r.log.Debug("gas: growing the history buffers", "rows", rows)
	}
	if r.auto {
		r.opts.BufferSize = max(r.opts.BufferSize, rows+rows/8)
	}
	p, err := history.NewPool(r.opts)
	if err != nil {
		return fmt.Errorf("gas: %w", err)
	}
	r.pool = p
	return nil
}

// Prefetch queues the pulls of halo's rows from every history, which
// Forward otherwise queues first thing: a caller that knows a batch's
// nodes before it has read the batch's features calls it then, so that
// the reads overlap the feature reads too. Forward uses the prefetched
// pulls when its batch has the same halo (and releases them otherwise).
func (r *Runner) Prefetch(ctx context.Context, halo []int32) error {
	r.dropPrefetch()
	if err := r.ensure(ctx, len(halo)); err != nil {
		return err
	}
	if r.pool == nil {
		return nil
	}
	r.prefetched = make([]*history.PullHandle, len(r.Tables))
	for i := range r.prefetched {
		r.prefetched[i] = r.pool.Pull(r.Tables[i], nil, halo)
	}
	r.prefetchHalo = halo
	return nil
}

func (r *Runner) dropPrefetch() {
	for _, h := range r.prefetched {
		h.Release()
	}
	r.prefetched, r.prefetchHalo = nil, nil
}

// Forward runs a training (or evaluation-mode) forward pass over batch b
// with push-and-pull and returns the last layer's output for the in-batch
// rows. Pulls of every history's halo rows are queued first; after layer
// i its in-batch rows are pushed to history i (asynchronously: the tape
// must not be reset before [Runner.Fence]) and its halo rows replaced by
// the pulled ones, without gradient.
func (r *Runner) Forward(ctx context.Context, t *ad.Tape, b *Batch) (*ad.Var, error) {
	L := r.Model.NumLayers()
	halo := b.Halo()
	var pulls []*history.PullHandle
	if r.prefetched != nil && slices.Equal(r.prefetchHalo, halo) {
		pulls = r.prefetched
		r.prefetched, r.prefetchHalo = nil, nil
	} else {
		r.dropPrefetch()
		if err := r.ensure(ctx, len(halo)); err != nil {
			return nil, err
		}
		pulls = make([]*history.PullHandle, L-1)
		for i := range pulls {
			pulls[i] = r.pool.Pull(r.Tables[i], nil, halo)
		}
	}
	defer func() {
		for _, h := range pulls {
			if h != nil {
				h.Release()
			}
		}
	}()
	x := b.X
	var st State
	for i := 0; i < L; i++ {
		h := r.Model.Layer(t, i, b.Adj, x, &st)
		if i == L-1 {
			return h, nil
		}
		if h.Rows() != b.BatchSize {
			return nil, fmt.Errorf("gas: layer %d returned %d rows for a batch of %d", i, h.Rows(), b.BatchSize)
		}
		start := time.Now()
		pulled, err := pulls[i].Wait(ctx)
		if err != nil {
			return nil, fmt.Errorf("gas: pull of history %d: %w", i, err)
		}
		push := r.pool.Push(r.Tables[i], h.Value, b.Ranges)
		r.IO += time.Since(start)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		default:
		}
		if r.opts.Sync {
			if err := push.Wait(ctx); err != nil {
				return nil, fmt.Errorf("gas: push to history %d: %w", i, err)
			}
		}
		x = t.ConcatRows(h, t.Const(pulled))
		pulls[i].Release()
		pulls[i] = nil
	}
	panic("unreachable")
}

// Fence waits for every push submitted so far (PyGAS's synchronize_push
// at the end of a step). Call it before resetting the tape whose values
// were pushed and before the next step.
func (r *Runner) Fence(ctx context.Context) error {
	if r.pool == nil {
		return nil
	}
	start := time.Now()
	err := r.pool.Fence(ctx)
	r.IO += time.Since(start)
	if err != nil {
		return fmt.Errorf("gas: push: %w", err)
	}
	return nil
}

// EvalSet is the fixed list of evaluation batches: together their
// in-batch rows cover every node exactly once. Get returns batch j, with
// its features when withX (only the first layer needs them); the runner
// keeps a returned batch until it has used it and never modifies it, so
// an implementation may return cached batches or build fresh ones.
type EvalSet interface {
	Len() int
	Get(ctx context.Context, j int, withX bool) (*Batch, error)
}

// Infer runs exact layer-wise inference (PyGAS's mini_inference) without
// gradients in evaluation mode: layer 0 over every batch, its in-batch
// rows pushed to history 0; then for each next layer the full input rows
// of every batch are pulled from the previous history and the layer's
// in-batch rows pushed to its own; the last layer's in-batch rows
// (logits) are passed to out. Every history is refreshed with exact
// embeddings, so the result equals a full-graph forward pass.
func (r *Runner) Infer(ctx context.Context, t *ad.Tape, set EvalSet, out func(j int, b *Batch, logits *tensor.Dense) error) error {
	wasTraining := t.Training()
	t.SetTraining(false)
	t.SetNoGrad(true)
	defer func() {
		t.Reset()
		t.SetTraining(wasTraining)
		t.SetNoGrad(false)
	}()
	L := r.Model.NumLayers()
	n := set.Len()
	states := make([]State, n) // per batch, across layers
	for j := 0; j < n; j++ {
		b, err := set.Get(ctx, j, true)
		if err != nil {
			return err
		}
		h := r.Model.Layer(t, 0, b.Adj, b.X, &states[j])
		keepState(&states[j])
		if err := r.emit(ctx, t, 0, j, b, h, out); err != nil {
			return err
		}
	}
	for i := 1; i < L; i++ {
		if err := r.inferLayer(ctx, t, i, set, states, out); err != nil {
			return err
		}
	}
	return r.Fence(ctx)
}

// keepState copies a batch's state out of the tape, which is reset
// between batches.
func keepState(st *State) {
	if st.X0 != nil {
		st.X0 = &ad.Var{Value: st.X0.Value.Clone()}
	}
}

// emit pushes layer i's output to history i (or hands the last layer's to
// out) and resets the tape.
func (r *Runner) emit(ctx context.Context, t *ad.Tape, i, j int, b *Batch, h *ad.Var, out func(int, *Batch, *tensor.Dense) error) error {
	if i == r.Model.NumLayers()-1 {
		err := out(j, b, h.Value)
		t.Reset()
		return err
	}
	if err := r.ensure(ctx, 1); err != nil {
		return err
	}
	// The pushed rows must outlive the tape's reset: copy them.
	r.pool.Push(r.Tables[i], h.Value.Clone(), b.Ranges)
	t.Reset()
	return nil
}

// pending is one batch of an inference layer whose pull is in flight.
type pending struct {
	j    int
	b    *Batch
	pull *history.PullHandle
}

// inferLayer runs layer i >= 1 over every batch. Pulls of the batches'
// full input rows from history i-1 are queued up to PoolSize batches
// ahead of the one computed (PyGAS queues them all), so reads overlap
// compute and are submitted before the pushes of the batches computed
// meanwhile, which they therefore need not wait for.
func (r *Runner) inferLayer(ctx context.Context, t *ad.Tape, i int, set EvalSet, states []State, out func(int, *Batch, *tensor.Dense) error) error {
	var queue []pending
	defer func() {
		for _, p := range queue {
			p.pull.Release()
		}
	}()
	process := func() error {
		p := queue[0]
		queue = queue[1:]
		x, err := p.pull.Wait(ctx)
		if err != nil {
			p.pull.Release()
			return fmt.Errorf("gas: inference pull of history %d: %w", i-1, err)
		}
		h := r.Model.Layer(t, i, p.b.Adj, t.Const(x), &states[p.j])
		p.pull.Release()
		return r.emit(ctx, t, i, p.j, p.b, h, out)
	}
	ahead := max(r.opts.PoolSize, 1)
	for j := 0; j < set.Len(); j++ {
		b, err := set.Get(ctx, j, false)
		if err != nil {
			return err
		}
		if len(queue) == 0 {
			// Growing the pool needs no pull outstanding.
			if err := r.ensure(ctx, len(b.NID)); err != nil {
				return err
			}
		} else if len(b.NID) > r.opts.BufferSize {
			for len(queue) > 0 {
				if err := process(); err != nil {
					return err
				}
			}
			if err := r.ensure(ctx, len(b.NID)); err != nil {
				return err
			}
		}
		queue = append(queue, pending{j: j, b: b, pull: r.pool.Pull(r.Tables[i-1], b.Ranges, b.Halo())})
		for len(queue) > ahead {
			if err := process(); err != nil {
				return err
			}
		}
	}
	for len(queue) > 0 {
		if err := process(); err != nil {
			return err
		}
	}
	// The pool orders layer i's pushes before layer i+1's pulls; report
	// their errors here.
	return r.Fence(ctx)
}
