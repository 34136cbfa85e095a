package storetest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/store/storetest"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// The suite must catch broken backends. Each mutant below breaks one rule
// of the interfaces; TestSuiteCatchesBrokenBackends runs the suite on it in
// a child process and requires the named check to fail.
var mutants = []struct {
	mode, fails string
}{
	{"sorted-order", "features/PutGetOrderDuplicates"},
	{"first-duplicate-wins", "features/PutLastDuplicateWins"},
	{"remove-noop", "features/Remove"},
	{"absent-as-zero", "features/AbsentRows"},
	{"range-off-by-one", "features/RangeFastPathMatchesSlowPath"},
	{"retain-dst", "features/NotRetainedNotAliased"},
	{"drop-last-neighbour", "graph/NeighborsMatchBruteForce"},
	{"weights-always", "graph/NeighborsMatchBruteForce"},
}

func TestSuiteCatchesBrokenBackends(t *testing.T) {
	if os.Getenv("STORETEST_BROKEN") != "" {
		t.Skip("in a child process")
	}
	for _, m := range mutants {
		t.Run(m.mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenBackend$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), "STORETEST_BROKEN="+m.mode)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a backend with mutation %q", m.mode)
			}
			if want := "--- FAIL: TestBrokenBackend/" + m.fails; !strings.Contains(string(out), want) {
				t.Fatalf("mutation %q: want %q in the output:\n%s", m.mode, want, lastLines(string(out), 40))
			}
		})
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(s, "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}

// TestBrokenBackend runs the suite on the mutant named by STORETEST_BROKEN.
func TestBrokenBackend(t *testing.T) {
	mode := os.Getenv("STORETEST_BROKEN")
	if mode == "" {
		t.Skip("run by TestSuiteCatchesBrokenBackends")
	}
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s := store.New(&broken{Backend: memstore.New(), mode: mode})
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

type broken struct {
	*memstore.Backend
	mode string
}

func (b *broken) Table(ctx context.Context, key store.Key) (store.FeatureTable, error) {
	t, err := b.Backend.Table(ctx, key)
	if err != nil {
		return nil, err
	}
	return &brokenTable{FeatureTable: t, mode: b.mode, retained: map[int64][]float32{}}, nil
}

func (b *broken) Edges(ctx context.Context, et store.EdgeType) (store.EdgeTable, error) {
	e, err := b.Backend.Edges(ctx, et)
	if err != nil {
		return nil, err
	}
	return &brokenEdges{EdgeTable: e, mode: b.mode}, nil
}

type brokenTable struct {
	store.FeatureTable
	mode     string
	mu       sync.Mutex
	retained map[int64][]float32
}

var retainedRows sync.Map // retain-dst: rows of earlier destinations, by id

func (t *brokenTable) Get(ctx context.Context, ids []int64, dst *tensor.Dense) error {
	switch t.mode {
	case "sorted-order":
		s := slices.Clone(ids)
		slices.Sort(s)
		return t.FeatureTable.Get(ctx, s, dst)
	case "absent-as-zero":
		for i, id := range ids {
			err := t.FeatureTable.Get(ctx, []int64{id}, dst.RowView(i, i+1))
			if errors.Is(err, store.ErrNotFound) {
				clear(dst.Row(i))
			} else if err != nil {
				return err
			}
		}
		return nil
	case "retain-dst":
		for i, id := range ids {
			if r, ok := retainedRows.Load(id); ok {
				copy(dst.Row(i), r.([]float32))
				continue
			}
			if err := t.FeatureTable.Get(ctx, []int64{id}, dst.RowView(i, i+1)); err != nil {
				return err
			}
		}
		for i, id := range ids { // keep this destination's rows for later calls
			retainedRows.Store(id, dst.Row(i))
		}
		return nil
	}
	return t.FeatureTable.Get(ctx, ids, dst)
}

func (t *brokenTable) Put(ctx context.Context, ids []int64, src *tensor.Dense) error {
	if t.mode == "retain-dst" {
		retainedRows.Clear()
	}
	if t.mode == "first-duplicate-wins" {
		seen := map[int64]bool{}
		var keep []int64
		var rows []int
		for i, id := range ids {
			if !seen[id] {
				seen[id] = true
				keep = append(keep, id)
				rows = append(rows, i)
			}
		}
		sub := tensor.New(len(rows), src.Cols)
		for j, i := range rows {
			copy(sub.Row(j), src.Row(i))
		}
		return t.FeatureTable.Put(ctx, keep, sub)
	}
	return t.FeatureTable.Put(ctx, ids, src)
}

func (t *brokenTable) Remove(ctx context.Context, ids []int64) error {
	if t.mode == "remove-noop" {
		return nil
	}
	return t.FeatureTable.Remove(ctx, ids)
}

// GetRange exists only for the range mutant, so the others exercise the
// wrapper's fallback.
func (t *brokenTable) GetRange(ctx context.Context, lo int64, dst *tensor.Dense) error {
	if t.mode == "range-off-by-one" && lo+int64(dst.Rows) < t.Info().Rows {
		lo++
	}
	ids := make([]int64, dst.Rows)
	for i := range ids {
		ids[i] = lo + int64(i)
	}
	return t.Get(ctx, ids, dst)
}

type brokenEdges struct {
	store.EdgeTable
	mode string
}

func (e *brokenEdges) Neighbors(ctx context.Context, nodes []int32, dst *graph.Adjacency) error {
	if err := e.EdgeTable.Neighbors(ctx, nodes, dst); err != nil {
		return err
	}
	switch e.mode {
	case "drop-last-neighbour":
		if n := len(dst.Nbrs); n > 0 {
			dst.Nbrs, dst.EdgeID = dst.Nbrs[:n-1], dst.EdgeID[:n-1]
			dst.Indptr[len(dst.Indptr)-1]--
			if len(dst.Weight) > 0 {
				dst.Weight = dst.Weight[:n-1]
			}
			if len(dst.Time) > 0 {
				dst.Time = dst.Time[:n-1]
			}
		}
	case "weights-always":
		if len(dst.Weight) == 0 {
			for range dst.Nbrs {
				dst.Weight = append(dst.Weight, 1)
			}
		}
	}
	return nil
}
