package history

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// gasRun drives a pool the way a GAS trainer does: at the start of each
// step it queues one halo pull per layer, then per layer waits for the pull,
// computes the layer's fresh in-batch rows from the pulled halo rows and
// pushes them. It returns every output it computed, for comparison, and
// checks each pull against a sequential reference of the tables.
func gasRun(t *testing.T, sync bool, seed uint64, file bool) []*tensor.Dense {
	t.Helper()
	const n, dim, layers, steps = 400, 5, 3, 40
	r := rand.New(rand.NewPCG(seed, 7))
	pool, err := NewPool(Options{PoolSize: 2, BufferSize: n, Dim: dim, Sync: sync, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	tables := make([]Table, layers)
	refs := make([]*tensor.Dense, layers)
	for l := range tables {
		if file {
			tables[l] = tableKinds[1].make(t, n, dim)
		} else {
			tables[l] = NewMemTable(n, dim)
		}
		defer tables[l].Close()
		refs[l] = tensor.New(n, dim)
	}
	var outs []*tensor.Dense
	ctx := context.Background()
	for step := 0; step < steps; step++ {
		// The batch: two contiguous ranges; the halo: random ids outside them.
		a := r.IntN(n - 60)
		b := a + 20 + r.IntN(20)
		ranges := []Range{{int64(a), 10}, {int64(b), int64(5 + r.IntN(10))}}
		in := func(id int) bool {
			for _, rg := range ranges {
				if int64(id) >= rg.Offset && int64(id) < rg.Offset+rg.Count {
					return true
				}
			}
			return false
		}
		var halo []int32
		for len(halo) < 50 {
			if id := r.IntN(n); !in(id) {
				halo = append(halo, int32(id))
			}
		}
		batch := 0
		for _, rg := range ranges {
			batch += int(rg.Count)
		}
		pulls := make([]*PullHandle, layers)
		for l := range pulls {
			pulls[l] = pool.Pull(tables[l], nil, halo)
		}
		for l := 0; l < layers; l++ {
			got, err := pulls[l].Wait(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i, id := range halo {
				for j := 0; j < dim; j++ {
					if got.At(i, j) != refs[l].At(int(id), j) {
						t.Fatalf("step %d layer %d: halo row %d (id %d) = %v, want %v (a push of an earlier step was not visible)",
							step, l, i, id, got.At(i, j), refs[l].At(int(id), j))
					}
				}
			}
			// Fresh in-batch rows: a function of the halo values and the step.
			fresh := tensor.New(batch, dim)
			var s float32
			for _, v := range got.Data[:got.Rows*got.Cols] {
				s += v
			}
			for i := range fresh.Data {
				fresh.Data[i] = s*0.001 + float32(step*layers+l) + float32(i)*0.5
			}
			pulls[l].Release()
			pool.Push(tables[l], fresh, ranges)
			at := 0
			for _, rg := range ranges {
				refs[l].RowView(int(rg.Offset), int(rg.Offset+rg.Count)).Copy(fresh.RowView(at, at+int(rg.Count)))
				at += int(rg.Count)
			}
			outs = append(outs, fresh)
		}
		if err := pool.Fence(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for l := range tables {
		all := tensor.New(n, dim)
		h := pool.Pull(tables[l], []Range{{0, n}}, nil)
		got, err := h.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all.Copy(got)
		h.Release()
		if d := tensor.MaxAbsDiff(all, refs[l]); d != 0 {
			t.Fatalf("layer %d table differs from reference by %v", l, d)
		}
		outs = append(outs, all)
	}
	return outs
}

func TestAsyncEqualsSync(t *testing.T) {
	for _, file := range []bool{false, true} {
		name := map[bool]string{false: "mem", true: "file"}[file]
		t.Run(name, func(t *testing.T) {
			seed := rand.Uint64()
			t.Logf("seed %d", seed)
			syncOut := gasRun(t, true, seed, file)
			asyncOut := gasRun(t, false, seed, file)
			if len(syncOut) != len(asyncOut) {
				t.Fatalf("%d outputs vs %d", len(syncOut), len(asyncOut))
			}
			for i := range syncOut {
				if d := tensor.MaxAbsDiff(syncOut[i], asyncOut[i]); d != 0 {
					t.Fatalf("output %d: async differs from sync by %v", i, d)
				}
			}
		})
	}
}

// TestPullWaitsForEarlierPushes checks the ordering rule without an explicit
// Fence: a pull submitted after a push sees the pushed rows, even when the
// push is slow.
func TestPullWaitsForEarlierPushes(t *testing.T) {
	pool, err := NewPool(Options{PoolSize: 1, BufferSize: 8, Dim: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	slow := &slowTable{MemTable: NewMemTable(8, 2), delay: 20 * time.Millisecond}
	src := tensor.FromSlice(2, 2, []float32{1, 2, 3, 4})
	pool.Push(slow, src, []Range{{3, 2}})
	h := pool.Pull(slow, nil, []int32{4, 3})
	got, err := h.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != "[3 4; 1 2]" {
		t.Fatalf("pull after push = %v", got)
	}
	h.Release()
}

type slowTable struct {
	*MemTable
	delay time.Duration
}

func (s *slowTable) WriteRange(off int64, src *tensor.Dense) error {
	time.Sleep(s.delay)
	return s.MemTable.WriteRange(off, src)
}

func TestPoolErrors(t *testing.T) {
	ctx := context.Background()
	for _, sync := range []bool{false, true} {
		pool, err := NewPool(Options{PoolSize: 2, BufferSize: 4, Dim: 3, Sync: sync})
		if err != nil {
			t.Fatal(err)
		}
		tab := NewMemTable(10, 3)
		_, err = pool.Pull(tab, []Range{{0, 3}}, []int32{1, 2}).Wait(ctx)
		if err == nil || !strings.Contains(err.Error(), "exceeds buffer_size 4") {
			t.Errorf("sync=%v: oversized pull: %v", sync, err)
		}
		_, err = pool.Pull(NewMemTable(10, 2), nil, []int32{1}).Wait(ctx)
		if !errors.Is(err, ErrShape) {
			t.Errorf("sync=%v: wrong dim: %v", sync, err)
		}
		h := pool.Pull(tab, nil, []int32{11})
		if _, err = h.Wait(ctx); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("sync=%v: bad id: %v", sync, err)
		}
		h.Release()
		if err := pool.Push(tab, tensor.New(2, 3), []Range{{9, 2}}).Wait(ctx); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("sync=%v: push past end: %v", sync, err)
		}
		if err := pool.Push(tab, tensor.New(3, 3), []Range{{0, 2}}).Wait(ctx); !errors.Is(err, ErrShape) {
			t.Errorf("sync=%v: push count mismatch: %v", sync, err)
		}
		// The failed pull released its buffer, so two pulls still fit.
		a, b := pool.Pull(tab, nil, []int32{1}), pool.Pull(tab, nil, []int32{2})
		for _, h := range []*PullHandle{a, b} {
			if _, err := h.Wait(ctx); err != nil {
				t.Errorf("sync=%v: %v", sync, err)
			}
			h.Release()
		}
		if err := pool.Close(); err != nil {
			t.Errorf("sync=%v: close: %v", sync, err)
		}
		if _, err := pool.Pull(tab, nil, []int32{1}).Wait(ctx); !errors.Is(err, ErrClosed) {
			t.Errorf("sync=%v: pull after close: %v", sync, err)
		}
	}
	if _, err := NewPool(Options{BufferSize: 0, Dim: -1, PoolSize: -1}); err == nil ||
		!strings.Contains(err.Error(), "buffer_size 0") || !strings.Contains(err.Error(), "dim -1") || !strings.Contains(err.Error(), "pool_size -1") {
		t.Errorf("Validate did not report every field: %v", err)
	}
}

type failingTable struct {
	*MemTable
	err error
}

func (f *failingTable) WriteRange(int64, *tensor.Dense) error { return f.err }

// TestFenceReportsCompletedFailures: a push that failed and left the queue
// before Fence was called is still reported by that Fence, exactly once.
func TestFenceReportsCompletedFailures(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("disk on fire")
	pool, err := NewPool(Options{PoolSize: 1, BufferSize: 4, Dim: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	tab := &failingTable{MemTable: NewMemTable(10, 3), err: boom}
	if err := pool.Push(tab, tensor.New(2, 3), []Range{{0, 2}}).Wait(ctx); !errors.Is(err, boom) {
		t.Fatalf("push: %v, want %v", err, boom)
	}
	if err := pool.Fence(ctx); !errors.Is(err, boom) {
		t.Fatalf("first fence: %v, want %v", err, boom)
	}
	if err := pool.Fence(ctx); err != nil {
		t.Fatalf("second fence reported an old failure again: %v", err)
	}
	tab.err = nil
	if err := pool.Push(tab, tensor.New(2, 3), []Range{{0, 2}}).Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pool.Fence(ctx); err != nil {
		t.Fatalf("fence after a good push: %v", err)
	}
}

func TestFIFOAndBoundedInFlight(t *testing.T) {
	ctx := context.Background()
	pool, err := NewPool(Options{PoolSize: 2, BufferSize: 1, Dim: 1, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	tab := NewMemTable(100, 1)
	for i := 0; i < 100; i++ {
		tab.Data().Set(i, 0, float32(i))
	}
	hs := make([]*PullHandle, 50)
	for i := range hs {
		hs[i] = pool.Pull(tab, nil, []int32{int32(i)})
	}
	// Only two buffers: the third pull cannot have finished before a release.
	select {
	case <-hs[2].done:
		t.Fatal("third pull finished with only two buffers and none released")
	case <-time.After(20 * time.Millisecond):
	}
	for i, h := range hs {
		got, err := h.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.At(0, 0) != float32(i) {
			t.Fatalf("pull %d got row %v", i, got.At(0, 0))
		}
		h.Release()
	}
}

func TestCloseFailsQueuedPulls(t *testing.T) {
	pool, err := NewPool(Options{PoolSize: 1, BufferSize: 1, Dim: 1})
	if err != nil {
		t.Fatal(err)
	}
	tab := NewMemTable(4, 1)
	held := pool.Pull(tab, nil, []int32{0})
	if _, err := held.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	queued := pool.Pull(tab, nil, []int32{1}) // waits for the held buffer
	if err := pool.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := queued.Wait(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("queued pull after Close: %v", err)
	}
	held.Release() // frees the buffer the caller still held
}
