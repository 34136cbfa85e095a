package storetest

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// RunFeatures runs every feature-store check on stores made by newStore.
func RunFeatures(t *testing.T, newStore func(t *testing.T) FeatureStore) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s FeatureStore)
	}{
		{"CreateInfoAttrs", testCreateInfoAttrs},
		{"CreateInvalid", testCreateInvalid},
		{"PutGetOrderDuplicates", testPutGetOrder},
		{"StridedDestination", testStrided},
		{"AbsentRows", testAbsentRows},
		{"Remove", testRemove},
		{"PutLastDuplicateWins", testPutDuplicates},
		{"OutOfRangeChangesNothing", testOutOfRange},
		{"ShapeChangesNothing", testShape},
		{"UnknownAttribute", testUnknownAttr},
		{"DropAndRecreate", testDropRecreate},
		{"NotRetainedNotAliased", testNotRetained},
		{"RangeFastPathMatchesSlowPath", testRanges},
		{"LargeBatch", testLargeBatch},
		{"Cancellation", testFeatureCancel},
		{"ConcurrentReadersDuringWrites", testFeatureConcurrency},
		{"Closed", testFeaturesClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

var (
	keyX = store.Key{Group: "paper", Name: "x"}
	keyY = store.Key{Group: "paper", Name: "y"}
	keyH = store.Key{Name: "h"}
)

// create makes an attribute and returns its reference model.
func create(t *testing.T, s store.FeatureStore, key store.Key, rows int64, cols int) *refTable {
	t.Helper()
	info := store.AttrInfo{Key: key, Rows: rows, Cols: cols}
	noErr(t, "create "+key.String(), s.Create(ctx(t), info))
	return newRef(info)
}

// fill puts random values in a random subset (about frac) of the rows.
func fill(t *testing.T, r *rand.Rand, s store.FeatureStore, ref *refTable, frac float64) {
	t.Helper()
	var ids []int64
	for id := int64(0); id < ref.info.Rows; id++ {
		if r.Float64() < frac {
			ids = append(ids, id)
		}
	}
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	src := randRows(r, len(ids), ref.info.Cols)
	noErr(t, "put", s.Put(ctx(t), ref.info.Key, ids, src))
	ref.put(ids, src)
}

// verify reads every present row in a random order (with duplicates) and
// checks each absent row reports ErrNotFound naming it.
func verify(t *testing.T, r *rand.Rand, s store.FeatureReader, ref *refTable) {
	t.Helper()
	var ids []int64
	for id := range ref.rows {
		ids = append(ids, id)
		if r.IntN(4) == 0 {
			ids = append(ids, id)
		}
	}
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	dst := tensor.New(len(ids), ref.info.Cols)
	noErr(t, "get present rows", s.Get(ctx(t), ref.info.Key, ids, dst))
	for i, id := range ids {
		if !rowsEqual(dst.Row(i), ref.rows[id]) {
			t.Fatalf("get: dst row %d (id %d) = %v, want %v", i, id, dst.Row(i), ref.rows[id])
		}
	}
	checked := 0
	for id := int64(0); id < ref.info.Rows && checked < 20; id++ {
		if _, ok := ref.rows[id]; ok {
			continue
		}
		checked++
		err := s.Get(ctx(t), ref.info.Key, []int64{id}, tensor.New(1, ref.info.Cols))
		wantErr(t, "get absent row", err, store.ErrNotFound, id)
	}
}

func testCreateInfoAttrs(t *testing.T, s FeatureStore) {
	want := []store.AttrInfo{
		{Key: keyH, Rows: 10, Cols: 1},
		{Key: keyX, Rows: 100, Cols: 7},
		{Key: keyY, Rows: 0, Cols: 3},
	}
	for _, i := range []int{2, 0, 1} {
		noErr(t, "create", s.Create(ctx(t), want[i]))
	}
	for _, w := range want {
		got, err := s.Info(ctx(t), w.Key)
		noErr(t, "info", err)
		if got != w {
			t.Fatalf("Info(%v) = %+v, want %+v", w.Key, got, w)
		}
	}
	got, err := s.Attrs(ctx(t))
	noErr(t, "attrs", err)
	if len(got) != len(want) {
		t.Fatalf("Attrs = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Attrs[%d] = %+v, want %+v (sorted by key)", i, got[i], want[i])
		}
	}
	for _, dup := range []store.AttrInfo{want[1], {Key: keyX, Rows: 5, Cols: 2}} {
		wantErr(t, "create existing", s.Create(ctx(t), dup), store.ErrExists, store.NoRow)
	}
	if got, _ := s.Info(ctx(t), keyX); got != want[1] {
		t.Fatalf("failed create changed the attribute: %+v", got)
	}
}

func testCreateInvalid(t *testing.T, s FeatureStore) {
	tests := []struct {
		name string
		info store.AttrInfo
	}{
		{"empty name", store.AttrInfo{Key: store.Key{Group: "g"}, Rows: 1, Cols: 1}},
		{"slash", store.AttrInfo{Key: store.Key{Group: "a/b", Name: "x"}, Rows: 1, Cols: 1}},
		{"control", store.AttrInfo{Key: store.Key{Name: "x\n"}, Rows: 1, Cols: 1}},
		{"negative rows", store.AttrInfo{Key: keyX, Rows: -1, Cols: 1}},
		{"zero cols", store.AttrInfo{Key: keyX, Rows: 1, Cols: 0}},
		{"huge cols", store.AttrInfo{Key: keyX, Rows: 1, Cols: store.MaxCols + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "create", s.Create(ctx(t), tt.info), store.ErrInvalid, store.NoRow)
		})
	}
	as, err := s.Attrs(ctx(t))
	noErr(t, "attrs", err)
	if len(as) != 0 {
		t.Fatalf("invalid creates left attributes: %+v", as)
	}
}

func testPutGetOrder(t *testing.T, s FeatureStore) {
	r := newRand(t)
	for _, shape := range []struct {
		rows int64
		cols int
	}{{1, 1}, {37, 3}, {1500, 16}, {300, 129}} {
		key := store.Key{Group: "g", Name: "x" + strconv.Itoa(int(shape.rows)) + "_" + strconv.Itoa(shape.cols)}
		ref := create(t, s, key, shape.rows, shape.cols)
		fill(t, r, s, ref, 0.7)
		verify(t, r, s, ref)
		fill(t, r, s, ref, 0.3) // overwrite some
		verify(t, r, s, ref)
	}
}

func testStrided(t *testing.T, s FeatureStore) {
	r := newRand(t)
	ref := create(t, s, keyX, 200, 5)
	fill(t, r, s, ref, 1)
	ids := []int64{199, 0, 7, 7, 100, 3}
	dst := strided(len(ids), 5, 3, -7)
	noErr(t, "get strided", s.Get(ctx(t), keyX, ids, dst))
	checkGuard(t, dst, -7)
	for i, id := range ids {
		if !rowsEqual(dst.Row(i), ref.rows[id]) {
			t.Fatalf("strided dst row %d = %v, want %v", i, dst.Row(i), ref.rows[id])
		}
	}
	// A strided source writes the rows, not the padding.
	src := strided(2, 5, 2, 99)
	for i := 0; i < 2; i++ {
		copy(src.Row(i), []float32{1, 2, 3, 4, float32(i)})
	}
	noErr(t, "put strided", s.Put(ctx(t), keyX, []int64{10, 11}, src))
	ref.put([]int64{10, 11}, src)
	verify(t, r, s, ref)
}

func testAbsentRows(t *testing.T, s FeatureStore) {
	r := newRand(t)
	ref := create(t, s, keyX, 64, 4)
	err := s.Get(ctx(t), keyX, []int64{3}, tensor.New(1, 4))
	wantErr(t, "get from empty attribute", err, store.ErrNotFound, 3)
	noErr(t, "put", s.Put(ctx(t), keyX, []int64{5}, randRows(r, 1, 4)))
	err = s.Get(ctx(t), keyX, []int64{5, 6}, tensor.New(2, 4))
	wantErr(t, "get one present, one absent", err, store.ErrNotFound, 6)
	_ = ref
}

func testRemove(t *testing.T, s FeatureStore) {
	r := newRand(t)
	ref := create(t, s, keyX, 300, 3)
	fill(t, r, s, ref, 1)
	rm := []int64{0, 5, 5, 299, 150}
	noErr(t, "remove", s.Remove(ctx(t), keyX, rm))
	for _, id := range rm {
		delete(ref.rows, id)
	}
	verify(t, r, s, ref)
	noErr(t, "remove absent rows again", s.Remove(ctx(t), keyX, rm))
	// Remove a whole block of rows, then bring one back.
	var all []int64
	for id := int64(0); id < 300; id++ {
		all = append(all, id)
		delete(ref.rows, id)
	}
	noErr(t, "remove all", s.Remove(ctx(t), keyX, all[:200]))
	noErr(t, "remove rest", s.Remove(ctx(t), keyX, all[200:]))
	src := randRows(r, 1, 3)
	noErr(t, "put back", s.Put(ctx(t), keyX, []int64{150}, src))
	ref.put([]int64{150}, src)
	verify(t, r, s, ref)
}

func testPutDuplicates(t *testing.T, s FeatureStore) {
	create(t, s, keyX, 10, 2)
	src := tensor.FromSlice(3, 2, []float32{1, 1, 2, 2, 3, 3})
	noErr(t, "put", s.Put(ctx(t), keyX, []int64{4, 4, 4}, src))
	dst := tensor.New(1, 2)
	noErr(t, "get", s.Get(ctx(t), keyX, []int64{4}, dst))
	if dst.At(0, 0) != 3 {
		t.Fatalf("row written three times in one Put = %v, want the last (3 3)", dst.Row(0))
	}
}

func testOutOfRange(t *testing.T, s FeatureStore) {
	r := newRand(t)
	ref := create(t, s, keyX, 50, 4)
	fill(t, r, s, ref, 0.5)
	for _, bad := range []int64{-1, 50, 51, 1 << 40, -1 << 62} {
		ids := []int64{1, 2, bad, 3}
		dst := strided(4, 4, 1, 42)
		wantErr(t, "get", s.Get(ctx(t), keyX, ids, dst), store.ErrOutOfRange, bad)
		for _, v := range dst.Data {
			if v != 42 {
				t.Fatalf("get with bad id %d wrote dst", bad)
			}
		}
		wantErr(t, "put", s.Put(ctx(t), keyX, ids, randRows(r, 4, 4)), store.ErrOutOfRange, bad)
		wantErr(t, "remove", s.Remove(ctx(t), keyX, ids), store.ErrOutOfRange, bad)
		verify(t, r, s, ref) // nothing changed
	}
	if _, ok := s.(store.RangeGetter); ok {
		wantErr(t, "get range past end", store.GetRange(ctx(t), s, keyX, 48, tensor.New(3, 4)), store.ErrOutOfRange, 50)
		wantErr(t, "get range negative", store.GetRange(ctx(t), s, keyX, -2, tensor.New(3, 4)), store.ErrOutOfRange, -2)
	}
	wantErr(t, "put range past end", store.PutRange(ctx(t), s, keyX, 49, randRows(r, 2, 4)), store.ErrOutOfRange, 50)
	verify(t, r, s, ref)
	create(t, s, keyY, 0, 1)
	wantErr(t, "get from zero-row attribute", s.Get(ctx(t), keyY, []int64{0}, tensor.New(1, 1)), store.ErrOutOfRange, 0)
}

func testShape(t *testing.T, s FeatureStore) {
	r := newRand(t)
	ref := create(t, s, keyX, 20, 4)
	fill(t, r, s, ref, 1)
	ids := []int64{1, 2}
	bad := []struct {
		name string
		m    *tensor.Dense
	}{
		{"nil", nil},
		{"too few rows", tensor.New(1, 4)},
		{"too many rows", tensor.New(3, 4)},
		{"wrong cols", tensor.New(2, 5)},
		{"short data", &tensor.Dense{Rows: 2, Cols: 4, Stride: 4, Data: make([]float32, 7)}},
		{"stride < cols", &tensor.Dense{Rows: 2, Cols: 4, Stride: 3, Data: make([]float32, 8)}},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			wantErr(t, "get", s.Get(ctx(t), keyX, ids, b.m), store.ErrShape, store.NoRow)
			wantErr(t, "put", s.Put(ctx(t), keyX, ids, b.m), store.ErrShape, store.NoRow)
		})
	}
	verify(t, r, s, ref)
}

func testUnknownAttr(t *testing.T, s FeatureStore) {
	create(t, s, keyX, 10, 2)
	unknown := []store.Key{keyY, {Group: "paper", Name: "X"}, {Name: "x"}, {Group: "", Name: ""}}
	for _, k := range unknown {
		wantErr(t, "get", s.Get(ctx(t), k, []int64{0}, tensor.New(1, 2)), store.ErrNotFound, store.NoRow)
		wantErr(t, "get empty", s.Get(ctx(t), k, nil, tensor.New(0, 2)), store.ErrNotFound, store.NoRow)
		wantErr(t, "put", s.Put(ctx(t), k, []int64{0}, tensor.New(1, 2)), store.ErrNotFound, store.NoRow)
		wantErr(t, "remove", s.Remove(ctx(t), k, []int64{0}), store.ErrNotFound, store.NoRow)
		_, err := s.Info(ctx(t), k)
		wantErr(t, "info", err, store.ErrNotFound, store.NoRow)
		wantErr(t, "drop", s.Drop(ctx(t), k), store.ErrNotFound, store.NoRow)
	}
	var se *store.Error
	err := s.Get(ctx(t), keyY, []int64{0}, tensor.New(1, 2))
	if !errors.As(err, &se) || se.Key != keyY.String() || se.Op != "get" {
		t.Fatalf("error %v does not name op get and key %v", err, keyY)
	}
}

func testDropRecreate(t *testing.T, s FeatureStore) {
	r := newRand(t)
	ref := create(t, s, keyX, 100, 4)
	fill(t, r, s, ref, 1)
	other := create(t, s, keyY, 100, 4)
	fill(t, r, s, other, 1)
	noErr(t, "drop", s.Drop(ctx(t), keyX))
	_, err := s.Info(ctx(t), keyX)
	wantErr(t, "info after drop", err, store.ErrNotFound, store.NoRow)
	wantErr(t, "get after drop", s.Get(ctx(t), keyX, []int64{1}, tensor.New(1, 4)), store.ErrNotFound, store.NoRow)
	wantErr(t, "drop twice", s.Drop(ctx(t), keyX), store.ErrNotFound, store.NoRow)
	verify(t, r, s, other) // a sibling survives
	// Re-create with another shape: no row of the old attribute remains.
	ref = create(t, s, keyX, 50, 2)
	err = s.Get(ctx(t), keyX, []int64{1}, tensor.New(1, 2))
	wantErr(t, "get old row after re-create", err, store.ErrNotFound, 1)
	fill(t, r, s, ref, 0.5)
	verify(t, r, s, ref)
}

func testNotRetained(t *testing.T, s FeatureStore) {
	r := newRand(t)
	ref := create(t, s, keyX, 40, 3)
	ids := []int64{3, 1, 4}
	src := randRows(r, 3, 3)
	noErr(t, "put", s.Put(ctx(t), keyX, ids, src))
	ref.put(ids, src)
	for i := range src.Data { // modifying src after Put must not matter
		src.Data[i] = -1
	}
	ids[0] = 9 // nor modifying ids
	verify(t, r, s, ref)
	dst := tensor.New(2, 3)
	noErr(t, "get", s.Get(ctx(t), keyX, []int64{1, 4}, dst))
	for i := range dst.Data { // modifying dst after Get must not matter
		dst.Data[i] = 1e9
	}
	verify(t, r, s, ref)
	as, err := s.Attrs(ctx(t))
	noErr(t, "attrs", err)
	as[0].Rows = 1
	as, _ = s.Attrs(ctx(t))
	if as[0].Rows != 40 {
		t.Fatalf("Attrs result aliases the store: %+v", as)
	}
}

func testRanges(t *testing.T, s FeatureStore) {
	r := newRand(t)
	_, fastGet := s.(store.RangeGetter)
	_, fastPut := s.(store.RangePutter)
	if !fastGet && !fastPut {
		t.Skip("store has neither RangeGetter nor RangePutter")
	}
	const rows, cols = 3000, 6
	a := create(t, s, keyX, rows, cols) // written with PutRange
	b := create(t, s, keyY, rows, cols) // written with Put
	for _, seg := range [][2]int64{{0, 1}, {1, 700}, {700, 1024}, {1024, 3000}, {5, 9}} {
		src := randRows(r, int(seg[1]-seg[0]), cols)
		noErr(t, "put range", store.PutRange(ctx(t), s, keyX, seg[0], src))
		ids := make([]int64, src.Rows)
		for i := range ids {
			ids[i] = seg[0] + int64(i)
		}
		noErr(t, "put", s.Put(ctx(t), keyY, ids, src))
		a.put(ids, src)
		b.put(ids, src)
	}
	verify(t, r, s, a)
	verify(t, r, s, b)
	for _, seg := range [][2]int64{{0, 1}, {0, 1024}, {100, 2000}, {1030, 3000}, {2999, 3000}, {10, 10}} {
		n := int(seg[1] - seg[0])
		fast := strided(n, cols, 1, 5)
		noErr(t, "get range", store.GetRange(ctx(t), s, keyX, seg[0], fast))
		checkGuard(t, fast, 5)
		slow := tensor.New(n, cols)
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = seg[0] + int64(i)
		}
		noErr(t, "get", s.Get(ctx(t), keyY, ids, slow))
		for i := 0; i < n; i++ {
			if !rowsEqual(fast.Row(i), slow.Row(i)) {
				t.Fatalf("range [%d,%d): row %d: fast %v, slow %v", seg[0], seg[1], i, fast.Row(i), slow.Row(i))
			}
		}
	}
	// A range over an absent row fails and names it.
	noErr(t, "remove", s.Remove(ctx(t), keyX, []int64{1500}))
	err := store.GetRange(ctx(t), s, keyX, 1400, tensor.New(200, cols))
	wantErr(t, "get range over an absent row", err, store.ErrNotFound, 1500)
}

func testLargeBatch(t *testing.T, s FeatureStore) {
	r := newRand(t)
	n := int64(20000)
	if testing.Short() {
		n = 5000
	}
	ref := create(t, s, keyX, n, 8)
	fill(t, r, s, ref, 1)
	ids := make([]int64, 3*n)
	for i := range ids {
		ids[i] = r.Int64N(n)
	}
	dst := tensor.New(len(ids), 8)
	noErr(t, "get", s.Get(ctx(t), keyX, ids, dst))
	for i, id := range ids {
		if !rowsEqual(dst.Row(i), ref.rows[id]) {
			t.Fatalf("row %d (id %d) = %v, want %v", i, id, dst.Row(i), ref.rows[id])
		}
	}
}

func testFeatureCancel(t *testing.T, s FeatureStore) {
	r := newRand(t)
	ref := create(t, s, keyX, 30, 2)
	fill(t, r, s, ref, 0.5)
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	ids := []int64{1, 2, 3}
	wantErr(t, "get", s.Get(c, keyX, ids, tensor.New(3, 2)), context.Canceled, store.NoRow)
	wantErr(t, "put", s.Put(c, keyX, ids, randRows(r, 3, 2)), context.Canceled, store.NoRow)
	wantErr(t, "remove", s.Remove(c, keyX, ids), context.Canceled, store.NoRow)
	wantErr(t, "create", s.Create(c, store.AttrInfo{Key: keyY, Rows: 1, Cols: 1}), context.Canceled, store.NoRow)
	wantErr(t, "drop", s.Drop(c, keyX), context.Canceled, store.NoRow)
	if _, err := s.Attrs(c); !errors.Is(err, context.Canceled) {
		t.Fatalf("attrs with cancelled context: %v", err)
	}
	verify(t, r, s, ref)
	if _, err := s.Info(ctx(t), keyY); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("cancelled create made the attribute: %v", err)
	}
}

func testFeaturesClosed(t *testing.T, s FeatureStore) {
	create(t, s, keyX, 10, 2)
	noErr(t, "close", s.Close())
	c := ctx(t)
	wantErr(t, "get", s.Get(c, keyX, []int64{1}, tensor.New(1, 2)), store.ErrClosed, store.NoRow)
	wantErr(t, "put", s.Put(c, keyX, []int64{1}, tensor.New(1, 2)), store.ErrClosed, store.NoRow)
	wantErr(t, "remove", s.Remove(c, keyX, []int64{1}), store.ErrClosed, store.NoRow)
	wantErr(t, "create", s.Create(c, store.AttrInfo{Key: keyY, Rows: 1, Cols: 1}), store.ErrClosed, store.NoRow)
	wantErr(t, "drop", s.Drop(c, keyX), store.ErrClosed, store.NoRow)
	_, err := s.Info(c, keyX)
	wantErr(t, "info", err, store.ErrClosed, store.NoRow)
	_, err = s.Attrs(c)
	wantErr(t, "attrs", err, store.ErrClosed, store.NoRow)
}
