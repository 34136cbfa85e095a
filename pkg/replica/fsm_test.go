package replica

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/hashicorp/raft"

	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// failingStore fails every Put with an error that is not a store input
// error, as a broken disk would.
type failingStore struct {
	store.FeatureStore
}

var errDisk = errors.New("disk on fire")

func (failingStore) Put(context.Context, store.Key, []int64, *tensor.Dense) error { return errDisk }

func logEntry(index uint64, c *command) *raft.Log {
	return &raft.Log{Index: index, Type: raft.LogCommand, Data: c.encode(nil)}
}

func TestFSMStopsOnNonDeterministicError(t *testing.T) {
	stable := raft.NewInmemStore()
	local := memstore.Open()
	f, err := newFSM(failingStore{local}, stable, testLogger())
	must(t, err)
	create := &command{op: opCreate, key: keyX, rows: 4, cols: 1}
	if res := f.Apply(logEntry(1, create)); res != nil {
		t.Fatalf("create: %v", res)
	}
	// An input error is deterministic: returned, recorded, applying goes on.
	if res := f.Apply(logEntry(2, create)); !errors.Is(res.(error), store.ErrExists) {
		t.Fatalf("second create: %v", res)
	}
	put := &command{op: opPut, key: keyX, ids: []int64{1}, src: stamped(1, 3)}
	res := f.Apply(logEntry(3, put))
	if err, _ := res.(error); !errors.Is(err, errFailed) || !errors.Is(err, errDisk) {
		t.Fatalf("failed put: %v", res)
	}
	if v, _ := stable.GetUint64(keyApplied); v != 2 {
		t.Fatalf("recorded applied index %d after a failed entry 3, want 2", v)
	}
	if res := f.Apply(logEntry(4, &command{op: opDrop, key: keyX})); res == nil {
		t.Fatal("a failed replica applied a later entry")
	}
	if f.stateErr() == nil {
		t.Fatal("a failed replica still serves reads")
	}
	// A restart resumes from the failed entry.
	g, err := newFSM(local, stable, testLogger())
	must(t, err)
	if g.skip != 2 {
		t.Fatalf("restart skips up to %d, want 2", g.skip)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	ctx := t.Context()
	src := memstore.Open()
	must(t, src.Create(ctx, store.AttrInfo{Key: keyX, Rows: 5000, Cols: 3}))
	must(t, src.Create(ctx, store.AttrInfo{Key: store.Key{Name: "empty"}, Rows: 10, Cols: 1}))
	m := tensor.New(4000, 3)
	for i := range m.Data {
		m.Data[i] = float32(i)
	}
	must(t, store.PutRange(ctx, src, keyX, 500, m))
	must(t, src.Remove(ctx, keyX, []int64{500, 501, 2000, 4499}))
	members := encodeMembers(map[string]string{"a": "h1:1", "b": "h2:2"})
	var buf bytes.Buffer
	must(t, writeSnapshot(ctx, src, 42, members, &buf))

	dst := memstore.Open()
	must(t, dst.Create(ctx, store.AttrInfo{Key: store.Key{Name: "junk"}, Rows: 1, Cols: 1}))
	index, got, err := restoreSnapshot(ctx, dst, bytes.NewReader(buf.Bytes()))
	must(t, err)
	if index != 42 || got["b"] != "h2:2" || len(got) != 2 {
		t.Fatalf("index %d, members %v", index, got)
	}
	want, have := dump(t, src), dump(t, dst)
	if len(want) != len(have) {
		t.Fatalf("restored attributes %v, want %v", len(have), len(want))
	}
	for a, rows := range want {
		for id := range rows {
			if !slices.Equal(rows[id], have[a][id]) || (rows[id] == nil) != (have[a][id] == nil) {
				t.Fatalf("%s row %d: %v, want %v", a.Key, id, have[a][id], rows[id])
			}
		}
	}
	for _, cut := range []int{0, 10, buf.Len() / 2, buf.Len() - 1} {
		_, _, err := restoreSnapshot(ctx, memstore.Open(), bytes.NewReader(buf.Bytes()[:cut]))
		if !errors.Is(err, errBadSnapshot) {
			t.Errorf("snapshot cut at %d of %d: %v", cut, buf.Len(), err)
		}
	}
}
