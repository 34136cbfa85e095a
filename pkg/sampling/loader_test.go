package sampling

import (
	"context"
	"errors"
	"hash/fnv"
	"slices"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

func hashSlice[T any](h interface{ Write([]byte) (int, error) }, s []T) {
	if len(s) == 0 {
		return
	}
	var z T
	h.Write(unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(z))))
}

// epochDigest runs one epoch and returns a digest per batch.
func epochDigest[T any](t *testing.T, l *Loader[T], epoch int, digest func(*T) uint64) []uint64 {
	t.Helper()
	ctx := context.Background()
	it := l.Epoch(ctx, epoch)
	defer it.Close()
	var out []uint64
	for it.Next(ctx) {
		if it.Index() != len(out) {
			t.Fatalf("batch index %d, want %d", it.Index(), len(out))
		}
		out = append(out, digest(it.Batch()))
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func nodeDigest(b *NodeBatch) uint64 {
	h := fnv.New64a()
	hashSlice(h, b.NID)
	hashSlice(h, b.EID)
	hashSlice(h, b.Row)
	hashSlice(h, b.Col)
	hashSlice(h, b.InputID)
	return h.Sum64()
}

func TestNeighborLoaderDeterministicAcrossWorkers(t *testing.T) {
	seed := testSeed(t, 61)
	g := newTestGraph(t, seed, 500, 4000)
	var ref [][]uint64
	for _, workers := range []int{1, 2, 4} {
		l, err := NewNeighborLoader(g.src, NeighborLoaderOptions{
			Sampler:   NeighborOptions{Fanouts: []int{5, 3}},
			BatchSize: 37, Shuffle: true, Seed: seed,
			Loader: LoaderOptions{Workers: workers, Prefetch: 1},
		})
		if err != nil {
			t.Fatal(err)
		}
		var got [][]uint64
		for epoch := range 3 {
			got = append(got, epochDigest(t, l, epoch, nodeDigest))
		}
		if len(got[0]) != 14 { // ceil(500/37)
			t.Fatalf("%d batches, want 14", len(got[0]))
		}
		if slices.Equal(got[0], got[1]) {
			t.Fatal("two epochs gave the same batches: no shuffle")
		}
		if ref == nil {
			ref = got
		} else if !slices.EqualFunc(ref, got, slices.Equal) {
			t.Fatalf("%d workers gave different batches than 1 worker", workers)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNeighborLoaderCoversInputOnce(t *testing.T) {
	g := newTestGraph(t, 2, 100, 500)
	input := []int32{3, 9, 27, 81, 42, 7, 99, 0, 1, 2}
	for _, dropLast := range []bool{false, true} {
		l, err := NewNeighborLoader(g.src, NeighborLoaderOptions{
			Sampler: NeighborOptions{Fanouts: []int{2}}, Input: input, BatchSize: 4,
			Shuffle: true, DropLast: dropLast, Loader: LoaderOptions{Workers: 2},
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		it := l.Epoch(ctx, 0)
		var seen []int32
		for it.Next(ctx) {
			b := it.Batch()
			for i, id := range b.InputID {
				if b.NID[i] != input[id] {
					t.Fatalf("seed %d is node %d, input %d is %d", i, b.NID[i], id, input[id])
				}
			}
			seen = append(seen, b.NID[:b.BatchSize]...)
		}
		if err := it.Close(); err != nil {
			t.Fatal(err)
		}
		want := len(input)
		if dropLast {
			want = 8
		}
		if len(seen) != want {
			t.Fatalf("dropLast=%v: %d seeds seen, want %d", dropLast, len(seen), want)
		}
		slices.Sort(seen)
		if len(slices.Compact(seen)) != want {
			t.Fatal("an input node was visited twice")
		}
	}
}

func TestLinkAndGASLoaders(t *testing.T) {
	g := newTestGraph(t, 3, 200, 1500)
	link, err := NewLinkNeighborLoader(g.src, LinkLoaderOptions{
		Sampler: LinkOptions{NeighborOptions: NeighborOptions{Fanouts: []int{3}}, Negative: BinaryNegatives, Amount: 1},
		Src:     g.coo.Src[:100], Dst: g.coo.Dst[:100], Label: make([]int64, 100), // zeros: shifted to 1
		BatchSize: 32, Shuffle: true, Loader: LoaderOptions{Workers: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	it := link.Epoch(ctx, 0)
	n := 0
	for it.Next(ctx) {
		b := it.Batch()
		for j, id := range b.InputID {
			if b.Label[j] != 1 || b.NID[b.Src[j]] != g.coo.Src[id] || b.NID[b.Dst[j]] != g.coo.Dst[id] {
				t.Fatalf("batch %d edge %d: label %d, %d->%d, want input edge %d", it.Index(), j, b.Label[j], b.NID[b.Src[j]], b.NID[b.Dst[j]], id)
			}
		}
		n += len(b.InputID)
	}
	if err := it.Close(); err != nil || n != 100 {
		t.Fatalf("link epoch: %v, %d edges", err, n)
	}

	ptr := []int64{0, 30, 60, 100, 150, 200}
	gopts := GASOptions{SelfLoops: true, Normalize: true}
	gas, err := NewGASLoader(g.src, ptr, GASLoaderOptions{GAS: gopts, PartsPerBatch: 2, Shuffle: true, Seed: 5, Loader: LoaderOptions{Workers: 2}})
	if err != nil {
		t.Fatal(err)
	}
	it2 := gas.Epoch(ctx, 1)
	total := 0
	groups := GASGroups(5, 2, true, 5, 1)
	for it2.Next(ctx) {
		b := it2.Batch()
		checkGAS(t, g, ptr, groups[it2.Index()], gopts, b)
		total += b.BatchSize
	}
	if err := it2.Close(); err != nil || total != 200 {
		t.Fatalf("gas epoch: %v, %d in-batch nodes", err, total)
	}
}

// fakeBuilder builds int batches, failing at one index and tracking how
// many builds run ahead of the consumer.
type fakeBuilder struct {
	n        int
	failAt   int
	delay    time.Duration
	building atomic.Int32
	maxAhead atomic.Int32
	consumed atomic.Int32
	built    atomic.Int32
}

var errFake = errors.New("fake failure")

func (f *fakeBuilder) Plan(int) (int, error)           { return f.n, nil }
func (f *fakeBuilder) NewWorker() (Worker[int], error) { return f, nil }
func (f *fakeBuilder) Build(ctx context.Context, e, b int, dst *int) error {
	if b == f.failAt {
		return errFake
	}
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	*dst = 1000*e + b
	if ahead := f.built.Add(1) - f.consumed.Load(); ahead > f.maxAhead.Load() {
		f.maxAhead.Store(ahead)
	}
	return nil
}

func TestLoaderOrderPrefetchAndErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("order and bounded prefetch", func(t *testing.T) {
		f := &fakeBuilder{n: 40, failAt: -1, delay: 100 * time.Microsecond}
		l, _ := NewLoader[int](f, LoaderOptions{Workers: 3, Prefetch: 2})
		it := l.Epoch(ctx, 2)
		i := 0
		for it.Next(ctx) {
			if *it.Batch() != 2000+i {
				t.Fatalf("batch %d holds %d", i, *it.Batch())
			}
			time.Sleep(200 * time.Microsecond) // slow consumer
			f.consumed.Add(1)
			i++
		}
		if err := it.Close(); err != nil || i != 40 {
			t.Fatalf("%v after %d batches", err, i)
		}
		// Prefetch+1 buffers: at most 3 batches built and not yet consumed
		if m := f.maxAhead.Load(); m > 3 {
			t.Fatalf("%d batches built ahead, bound is 3", m)
		}
	})
	t.Run("error surfaces at its batch", func(t *testing.T) {
		for _, workers := range []int{1, 3} {
			f := &fakeBuilder{n: 20, failAt: 7}
			l, _ := NewLoader[int](f, LoaderOptions{Workers: workers})
			it := l.Epoch(ctx, 0)
			i := 0
			for it.Next(ctx) {
				i++
			}
			if err := it.Close(); !errors.Is(err, errFake) || i != 7 {
				t.Fatalf("%d workers: got %v after %d batches, want errFake after 7", workers, err, i)
			}
		}
	})
	t.Run("cancellation", func(t *testing.T) {
		f := &fakeBuilder{n: 1000, failAt: -1, delay: time.Millisecond}
		l, _ := NewLoader[int](f, LoaderOptions{Workers: 2})
		cctx, cancel := context.WithCancel(ctx)
		it := l.Epoch(cctx, 0)
		it.Next(cctx)
		cancel()
		for it.Next(cctx) {
		}
		if err := it.Close(); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
	t.Run("early close and reuse", func(t *testing.T) {
		f := &fakeBuilder{n: 100, failAt: -1, delay: time.Millisecond}
		l, _ := NewLoader[int](f, LoaderOptions{Workers: 2})
		it := l.Epoch(ctx, 0)
		it.Next(ctx)
		if it2 := l.Epoch(ctx, 1); !errors.Is(it2.Err(), ErrOptions) {
			t.Fatalf("second concurrent epoch: %v", it2.Err())
		}
		if err := l.Close(); err == nil {
			t.Fatal("Close with an epoch running succeeded")
		}
		it.Close()
		it = l.Epoch(ctx, 1)
		if !it.Next(ctx) || *it.Batch() != 1000 {
			t.Fatal("epoch after an early close")
		}
		it.Close()
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if it := l.Epoch(ctx, 2); !errors.Is(it.Err(), ErrClosed) {
			t.Fatalf("epoch after Close: %v", it.Err())
		}
	})
}

func TestLoaderOptionErrors(t *testing.T) {
	g := newTestGraph(t, 1, 10, 30)
	for name, o := range map[string]NeighborLoaderOptions{
		"batch size":     {Sampler: NeighborOptions{Fanouts: []int{1}}},
		"fanouts":        {BatchSize: 2},
		"bad input":      {Sampler: NeighborOptions{Fanouts: []int{1}}, BatchSize: 2, Input: []int32{11}},
		"temporal times": {Sampler: NeighborOptions{Fanouts: []int{1}, Temporal: TemporalUniform}, BatchSize: 2},
		"workers":        {Sampler: NeighborOptions{Fanouts: []int{1}}, BatchSize: 2, Loader: LoaderOptions{Workers: -1}},
	} {
		if _, err := NewNeighborLoader(g.src, o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := NewGASLoader(g.src, []int64{0, 10}, GASLoaderOptions{}); !errors.Is(err, ErrOptions) {
		t.Errorf("gas PartsPerBatch 0: %v", err)
	}
	if _, err := NewLinkNeighborLoader(g.src, LinkLoaderOptions{BatchSize: 1, Src: []int32{1}}); !errors.Is(err, ErrOptions) {
		t.Errorf("link Src/Dst mismatch: %v", err)
	}
}
