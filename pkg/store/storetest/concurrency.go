package storetest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// errs collects failures from goroutines (t.Fatal must not be called
// there).
type errs struct {
	mu   sync.Mutex
	list []string
}

func (e *errs) add(format string, a ...any) {
	e.mu.Lock()
	if len(e.list) < 10 {
		e.list = append(e.list, fmt.Sprintf(format, a...))
	}
	e.mu.Unlock()
}

func (e *errs) check(t *testing.T) {
	t.Helper()
	for _, m := range e.list {
		t.Error(m)
	}
	if len(e.list) > 0 {
		t.FailNow()
	}
}

// testFeatureConcurrency runs writers, readers and schema changes at once.
// Writer w owns the rows with id % writers == w and stamps every value of a
// row with (w, sequence number); readers check that no row is torn (all
// values equal), that a stamp belongs to the row's owner, and that stamps
// seen by one reader never go back in time.
func testFeatureConcurrency(t *testing.T, s FeatureStore) {
	const (
		rows, cols = 512, 16
		writers    = 2
		readers    = 3
	)
	puts := 60
	if testing.Short() {
		puts = 20
	}
	seed := seed(t)
	noErr(t, "create", s.Create(ctx(t), store.AttrInfo{Key: keyX, Rows: rows, Cols: cols}))
	stamp := func(w, seq int) float32 { return float32(w*100000 + seq) }
	all := make([]int64, rows)
	init := tensor.New(rows, cols)
	for id := range all {
		all[id] = int64(id)
		for j := range init.Row(id) {
			init.Row(id)[j] = stamp(id%writers, 0)
		}
	}
	noErr(t, "initial put", s.Put(ctx(t), keyX, all, init))

	var e errs
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			for seq := 1; seq <= puts; seq++ {
				var ids []int64
				for id := w; id < rows; id += writers {
					if r.IntN(3) == 0 {
						ids = append(ids, int64(id))
					}
				}
				src := tensor.New(len(ids), cols)
				src.Fill(stamp(w, seq))
				var err error
				if seq%5 == 0 && len(ids) > 0 { // exercise the range path too: one row
					err = store.PutRange(ctx(t), s, keyX, ids[0], src.RowView(0, 1))
				} else {
					err = s.Put(ctx(t), keyX, ids, src)
				}
				if err != nil {
					e.add("writer %d put %d: %v", w, seq, err)
					return
				}
			}
		}(w)
	}
	var rg sync.WaitGroup
	for rd := 0; rd < readers; rd++ {
		rg.Add(1)
		go func(rd int) {
			defer rg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(100+rd)))
			last := make([]float32, rows)
			dst := tensor.New(64, cols)
			ids := make([]int64, 64)
			for iter := 0; ; iter++ {
				select {
				case <-done:
					return
				default:
				}
				for i := range ids {
					ids[i] = r.Int64N(rows)
				}
				var err error
				if iter%4 == 3 {
					lo := r.Int64N(rows - 64)
					for i := range ids {
						ids[i] = lo + int64(i)
					}
					err = store.GetRange(ctx(t), s, keyX, lo, dst)
				} else {
					err = s.Get(ctx(t), keyX, ids, dst)
				}
				if err != nil {
					e.add("reader %d: %v", rd, err)
					return
				}
				for i, id := range ids {
					row := dst.Row(i)
					v := row[0]
					for _, x := range row {
						if x != v {
							e.add("reader %d: torn row %d: %v", rd, id, row)
							return
						}
					}
					if int(v)/100000 != int(id)%writers {
						e.add("reader %d: row %d has stamp %v of another writer", rd, id, v)
						return
					}
					if v < last[id] {
						e.add("reader %d: row %d went back from %v to %v", rd, id, last[id], v)
						return
					}
					last[id] = v
				}
			}
		}(rd)
	}
	// Schema changes beside the data traffic.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 10; i++ {
			k := store.Key{Group: "tmp", Name: "a" + strconv.Itoa(i)}
			if err := s.Create(ctx(t), store.AttrInfo{Key: k, Rows: 10, Cols: 2}); err != nil {
				e.add("create %v: %v", k, err)
				return
			}
			if _, err := s.Attrs(ctx(t)); err != nil {
				e.add("attrs: %v", err)
				return
			}
			if err := s.Drop(ctx(t), k); err != nil {
				e.add("drop %v: %v", k, err)
				return
			}
		}
	}()
	wg.Wait()
	close(done)
	rg.Wait()
	e.check(t)
}

// testGraphConcurrency replaces an edge type back and forth between two
// versions while readers query it: every answer must be entirely one
// version.
func testGraphConcurrency(t *testing.T, s GraphStore) {
	seed := seed(t)
	r := rand.New(rand.NewPCG(seed, 1))
	const n = 300
	a := randomEdges(r, n, 2000, true, false)
	b := randomEdges(r, n, 1500, true, false)
	for i := range b.COO.Weight {
		b.COO.Weight[i] = -1 - b.COO.Weight[i] // version b: negative weights
	}
	et := store.DefaultEdgeType
	noErr(t, "put a", s.PutEdges(ctx(t), et, a))
	refA, refB := bruteIn(a), bruteIn(b)
	var e errs
	var wg sync.WaitGroup
	done := make(chan struct{})
	for rd := 0; rd < 3; rd++ {
		wg.Add(1)
		go func(rd int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(10+rd)))
			var adj graph.Adjacency
			nodes := make([]int32, 50)
			for {
				select {
				case <-done:
					return
				default:
				}
				for i := range nodes {
					nodes[i] = int32(r.IntN(n))
				}
				if err := s.Neighbors(ctx(t), et, nodes, &adj); err != nil {
					e.add("reader %d: %v", rd, err)
					return
				}
				if msg := compareAdj(nodes, &adj, refA); msg != "" {
					if msgB := compareAdj(nodes, &adj, refB); msgB != "" {
						e.add("reader %d: answer matches neither version: %s; %s", rd, msg, msgB)
						return
					}
				}
			}
		}(rd)
	}
	for i := 0; i < 8; i++ {
		v := a
		if i%2 == 0 {
			v = b
		}
		noErr(t, "replace", s.PutEdges(ctx(t), et, v))
	}
	close(done)
	wg.Wait()
	e.check(t)
}
