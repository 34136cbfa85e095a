package store

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Features is the validating [FeatureStore] over a [FeatureBackend], in the
// role database/sql plays over a driver: it checks names, shapes, ids and
// the context once, turns every error into an [*Error], enforces Close, and
// uses a backend's optional fast paths (TableRangeGetter, TableRangePutter)
// where present. It is safe for concurrent use.
type Features struct {
	b    FeatureBackend
	life *lifecycle
}

var (
	_ FeatureStore = (*Features)(nil)
	_ RangeGetter  = (*Features)(nil)
	_ RangePutter  = (*Features)(nil)
)

// NewFeatures wraps b. If b is an io.Closer, Close closes it.
func NewFeatures(b FeatureBackend) *Features {
	return &Features{b: b, life: newLifecycle(b)}
}

// Backend returns the wrapped backend.
func (f *Features) Backend() FeatureBackend { return f.b }

// Close waits for running calls, then closes the backend; later calls fail
// with ErrClosed.
func (f *Features) Close() error { return f.life.close() }

// table resolves key to a backend table after the common checks.
func (f *Features) table(ctx context.Context, op string, key Key) (FeatureTable, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: op, Key: key.String(), Row: NoRow, Err: err}
	}
	t, err := f.b.Table(ctx, key)
	if err != nil {
		return nil, wrapErr(op, key.String(), err)
	}
	return t, nil
}

// Create implements FeatureStore.
func (f *Features) Create(ctx context.Context, info AttrInfo) error {
	const op = "create"
	if err := f.life.enter(op, info.Key.String()); err != nil {
		return err
	}
	defer f.life.exit()
	if err := info.Validate(); err != nil {
		return &Error{Op: op, Key: info.Key.String(), Row: NoRow, Err: err}
	}
	if err := ctxErr(ctx, op, info.Key.String()); err != nil {
		return err
	}
	return wrapErr(op, info.Key.String(), f.b.CreateAttr(ctx, info))
}

// Drop implements FeatureStore.
func (f *Features) Drop(ctx context.Context, key Key) error {
	const op = "drop"
	if err := f.life.enter(op, key.String()); err != nil {
		return err
	}
	defer f.life.exit()
	if err := ctxErr(ctx, op, key.String()); err != nil {
		return err
	}
	return wrapErr(op, key.String(), f.b.DropAttr(ctx, key))
}

// Attrs implements FeatureStore; the result is sorted by key.
func (f *Features) Attrs(ctx context.Context) ([]AttrInfo, error) {
	const op = "attrs"
	if err := f.life.enter(op, ""); err != nil {
		return nil, err
	}
	defer f.life.exit()
	if err := ctxErr(ctx, op, ""); err != nil {
		return nil, err
	}
	as, err := f.b.Attrs(ctx)
	if err != nil {
		return nil, wrapErr(op, "", err)
	}
	as = slices.Clone(as)
	slices.SortFunc(as, func(a, b AttrInfo) int {
		if c := cmpString(a.Key.Group, b.Key.Group); c != 0 {
			return c
		}
		return cmpString(a.Key.Name, b.Key.Name)
	})
	return as, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Info implements FeatureReader.
func (f *Features) Info(ctx context.Context, key Key) (AttrInfo, error) {
	if err := f.life.enter("info", key.String()); err != nil {
		return AttrInfo{}, err
	}
	defer f.life.exit()
	t, err := f.table(ctx, "info", key)
	if err != nil {
		return AttrInfo{}, err
	}
	return t.Info(), nil
}

// Get implements FeatureReader.
func (f *Features) Get(ctx context.Context, key Key, ids []int64, dst *tensor.Dense) error {
	const op = "get"
	if err := f.life.enter(op, ""); err != nil {
		return err
	}
	defer f.life.exit()
	t, err := f.table(ctx, op, key)
	if err != nil {
		return err
	}
	info := t.Info()
	if err := checkTensor(op, "dst", key, dst, len(ids), info.Cols); err != nil {
		return err
	}
	if err := checkIDs(op, key, ids, info.Rows); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	return wrapErr(op, key.String(), t.Get(ctx, ids, dst))
}

// Put implements FeatureWriter.
func (f *Features) Put(ctx context.Context, key Key, ids []int64, src *tensor.Dense) error {
	const op = "put"
	if err := f.life.enter(op, ""); err != nil {
		return err
	}
	defer f.life.exit()
	t, err := f.table(ctx, op, key)
	if err != nil {
		return err
	}
	info := t.Info()
	if err := checkTensor(op, "src", key, src, len(ids), info.Cols); err != nil {
		return err
	}
	if err := checkIDs(op, key, ids, info.Rows); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	return wrapErr(op, key.String(), t.Put(ctx, ids, src))
}

// Remove implements FeatureWriter.
func (f *Features) Remove(ctx context.Context, key Key, ids []int64) error {
	const op = "remove"
	if err := f.life.enter(op, ""); err != nil {
		return err
	}
	defer f.life.exit()
	t, err := f.table(ctx, op, key)
	if err != nil {
		return err
	}
	if err := checkIDs(op, key, ids, t.Info().Rows); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	return wrapErr(op, key.String(), t.Remove(ctx, ids))
}

// GetRange implements RangeGetter: rows [lo, lo+dst.Rows) into dst.
func (f *Features) GetRange(ctx context.Context, key Key, lo int64, dst *tensor.Dense) error {
	const op = "get"
	if err := f.life.enter(op, ""); err != nil {
		return err
	}
	defer f.life.exit()
	t, err := f.rangeTable(ctx, op, "dst", key, lo, dst)
	if t == nil || err != nil {
		return err
	}
	if rg, ok := t.(TableRangeGetter); ok {
		return wrapErr(op, key.String(), rg.GetRange(ctx, lo, dst))
	}
	return wrapErr(op, key.String(), t.Get(ctx, arange(lo, dst.Rows), dst))
}

// PutRange implements RangePutter: src as rows [lo, lo+src.Rows).
func (f *Features) PutRange(ctx context.Context, key Key, lo int64, src *tensor.Dense) error {
	const op = "put"
	if err := f.life.enter(op, ""); err != nil {
		return err
	}
	defer f.life.exit()
	t, err := f.rangeTable(ctx, op, "src", key, lo, src)
	if t == nil || err != nil {
		return err
	}
	if rp, ok := t.(TableRangePutter); ok {
		return wrapErr(op, key.String(), rp.PutRange(ctx, lo, src))
	}
	return wrapErr(op, key.String(), t.Put(ctx, arange(lo, src.Rows), src))
}

// rangeTable checks a range call, m (named name) as rows [lo, lo+m.Rows)
// of key, and returns key's table, or nil when there is nothing to do (no
// rows) or on error.
func (f *Features) rangeTable(ctx context.Context, op, name string, key Key, lo int64, m *tensor.Dense) (FeatureTable, error) {
	t, err := f.table(ctx, op, key)
	if err != nil {
		return nil, err
	}
	info := t.Info()
	if m == nil {
		return nil, &Error{Op: op, Key: key.String(), Row: NoRow, Err: errNilTensor(name)}
	}
	if err := checkTensor(op, name, key, m, m.Rows, info.Cols); err != nil {
		return nil, err
	}
	if err := checkRange(op, key, lo, m.Rows, info.Rows); err != nil {
		return nil, err
	}
	if m.Rows == 0 {
		return nil, nil
	}
	return t, nil
}

func errNilTensor(name string) error { return fmt.Errorf("%w: nil %s", ErrShape, name) }

// checkTensor checks that m is a valid rows x cols matrix.
func checkTensor(op, name string, key Key, m *tensor.Dense, rows, cols int) error {
	if m == nil {
		return &Error{Op: op, Key: key.String(), Row: NoRow, Err: errNilTensor(name)}
	}
	if m.Rows != rows || m.Cols != cols {
		return &Error{Op: op, Key: key.String(), Row: NoRow,
			Err: fmt.Errorf("%w: %s is %s, want %dx%d", ErrShape, name, m.Shape(), rows, cols)}
	}
	if err := m.Validate(); err != nil {
		return &Error{Op: op, Key: key.String(), Row: NoRow, Err: fmt.Errorf("%w: %s: %v", ErrShape, name, err)}
	}
	return nil
}

// checkIDs returns an error naming the first id outside [0, n).
func checkIDs(op string, key Key, ids []int64, n int64) error {
	for i, id := range ids {
		if uint64(id) >= uint64(n) {
			return rangeErr(op, key.String(), id, n, i)
		}
	}
	return nil
}

// checkRange checks that [lo, lo+count) lies within [0, n).
func checkRange(op string, key Key, lo int64, count int, n int64) error {
	switch {
	case lo < 0:
		return &Error{Op: op, Key: key.String(), Row: lo, Err: fmt.Errorf("%w [0, %d): range start", ErrOutOfRange, n)}
	case lo > n-int64(count):
		return &Error{Op: op, Key: key.String(), Row: lo + int64(count) - 1,
			Err: fmt.Errorf("%w [0, %d): range [%d, %d)", ErrOutOfRange, n, lo, lo+int64(count))}
	}
	return nil
}

// lifecycle makes Close wait for running calls and fail later ones.
type lifecycle struct {
	mu     sync.RWMutex
	closed bool
	closer io.Closer
}

func newLifecycle(b any) *lifecycle {
	c, _ := b.(io.Closer)
	return &lifecycle{closer: c}
}

func (l *lifecycle) enter(op, key string) error {
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return &Error{Op: op, Key: key, Row: NoRow, Err: ErrClosed}
	}
	return nil
}

func (l *lifecycle) exit() { l.mu.RUnlock() }

func (l *lifecycle) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return &Error{Op: "close", Row: NoRow, Err: ErrClosed}
	}
	l.closed = true
	if l.closer != nil {
		if err := l.closer.Close(); err != nil {
			return &Error{Op: "close", Row: NoRow, Err: err}
		}
	}
	return nil
}
