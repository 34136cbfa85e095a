package storetest

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Store is what Run checks: a feature store and a graph store over one
// backend, which Close shuts. *store.Store satisfies it.
type Store interface {
	store.FeatureStore
	store.GraphStore
	Close() error
}

// FeatureStore is what RunFeatures checks.
type FeatureStore interface {
	store.FeatureStore
	Close() error
}

// GraphStore is what RunGraph checks.
type GraphStore interface {
	store.GraphStore
	Close() error
}

// Run runs the feature and graph suites on stores made by newStore, which
// must return a fresh, empty store for every call and arrange its cleanup
// (a store the suite already closed may return store.ErrClosed from a
// second Close; ignore that).
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	t.Helper()
	t.Run("features", func(t *testing.T) {
		RunFeatures(t, func(t *testing.T) FeatureStore { return newStore(t) })
	})
	t.Run("graph", func(t *testing.T) {
		RunGraph(t, func(t *testing.T) GraphStore { return newStore(t) })
	})
}

// seed returns the seed for a randomised check, from
// GNNSCALE_STORETEST_SEED when set, and logs it.
func seed(t *testing.T) uint64 {
	t.Helper()
	s := uint64(time.Now().UnixNano())
	if v := os.Getenv("GNNSCALE_STORETEST_SEED"); v != "" {
		p, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("GNNSCALE_STORETEST_SEED=%q: %v", v, err)
		}
		s = p
	}
	t.Logf("seed %d (replay with GNNSCALE_STORETEST_SEED=%d)", s, s)
	return s
}

func newRand(t *testing.T) *rand.Rand {
	t.Helper()
	s := seed(t)
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

// ctx returns a context that ends with the test.
func ctx(t *testing.T) context.Context { return t.Context() }

// wantErr fails unless err wraps want, and (for an *store.Error) names row
// when row != store.NoRow.
func wantErr(t *testing.T, what string, err, want error, row int64) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got nil error, want %v", what, want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want an error wrapping %v", what, err, want)
	}
	var se *store.Error
	if !errors.As(err, &se) {
		t.Fatalf("%s: %v is not a *store.Error", what, err)
	}
	if row != store.NoRow && se.Row != row {
		t.Fatalf("%s: error %q names row %d, want %d", what, err, se.Row, row)
	}
}

func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// errKind classifies an error by the sentinel it wraps, for histories.
func errKind(err error) string {
	if err == nil {
		return "ok"
	}
	for _, s := range []struct {
		err  error
		name string
	}{
		{store.ErrNotFound, "NotFound"}, {store.ErrOutOfRange, "OutOfRange"}, {store.ErrShape, "Shape"},
		{store.ErrExists, "Exists"}, {store.ErrInvalid, "Invalid"}, {store.ErrClosed, "Closed"},
		{context.Canceled, "Canceled"}, {context.DeadlineExceeded, "Deadline"},
	} {
		if errors.Is(err, s.err) {
			return s.name
		}
	}
	return "other: " + err.Error()
}

// refTable is the reference model of one attribute: present rows by id.
type refTable struct {
	info store.AttrInfo
	rows map[int64][]float32
}

func newRef(info store.AttrInfo) *refTable {
	return &refTable{info: info, rows: map[int64][]float32{}}
}

func (r *refTable) put(ids []int64, src *tensor.Dense) {
	for i, id := range ids {
		r.rows[id] = append([]float32(nil), src.Row(i)...)
	}
}

// randRows returns an n x cols matrix of distinct-looking values.
func randRows(r *rand.Rand, n, cols int) *tensor.Dense {
	m := tensor.New(n, cols)
	for i := range m.Data {
		m.Data[i] = float32(r.NormFloat64())
	}
	return m
}

// strided returns an n x cols matrix with stride cols+pad whose padding
// holds the guard value, to catch writes outside the rows.
func strided(n, cols, pad int, guard float32) *tensor.Dense {
	m := &tensor.Dense{Rows: n, Cols: cols, Stride: cols + pad, Data: make([]float32, n*(cols+pad))}
	for i := range m.Data {
		m.Data[i] = guard
	}
	return m
}

// checkGuard fails if any padding of m lost its guard value.
func checkGuard(t *testing.T, m *tensor.Dense, guard float32) {
	t.Helper()
	for i := 0; i < m.Rows; i++ {
		for j := m.Cols; j < m.Stride && i*m.Stride+j < len(m.Data); j++ {
			if v := m.Data[i*m.Stride+j]; v != guard {
				t.Fatalf("padding of row %d col %d overwritten: %v", i, j, v)
			}
		}
	}
}

func rowsEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
