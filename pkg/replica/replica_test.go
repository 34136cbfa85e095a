package replica

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	raftboltdb "github.com/hashicorp/raft-boltdb/v2"

	"github.com/gnnscale/gnnscale/pkg/rpc/rpctest"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/store/storetest"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

var keyX = store.Key{Group: "paper", Name: "x"}

// TestConformance runs the store conformance suite through the leader of
// a 3-member group.
func TestConformance(t *testing.T) {
	storetest.RunFeatures(t, func(t *testing.T) storetest.FeatureStore {
		c := newCluster(t, 3, testOptions())
		return c.nodes[c.leader()].rep.Features()
	})
}

// stamped is a 1 x cols row whose every value is v.
func stamped(cols int, v float32) *tensor.Dense {
	m := tensor.New(1, cols)
	m.Fill(v)
	return m
}

func TestFollowerWriteNamesLeader(t *testing.T) {
	c := newCluster(t, 3, testOptions())
	ctx := t.Context()
	li := c.leader()
	lead := c.nodes[li].rep.Features()
	if err := lead.Create(ctx, store.AttrInfo{Key: keyX, Rows: 10, Cols: 2}); err != nil {
		t.Fatal(err)
	}
	c.sync()
	f := c.nodes[(li+1)%3].rep.Features()
	err := f.Put(ctx, keyX, []int64{1}, stamped(2, 1))
	var le *store.LeaderError
	if !errors.Is(err, store.ErrNotLeader) || !errors.As(err, &le) || le.Leader != "svc-"+c.nodes[li].id {
		t.Fatalf("put on a follower: %v; want a LeaderError naming svc-%s", err, c.nodes[li].id)
	}
	// The follower still validates first: bad input is not a leader matter.
	if err := f.Put(ctx, keyX, []int64{10}, stamped(2, 1)); !errors.Is(err, store.ErrOutOfRange) {
		t.Fatalf("out-of-range put on a follower: %v", err)
	}
	// Reads are served by the follower.
	if err := lead.Put(ctx, keyX, []int64{1}, stamped(2, 7)); err != nil {
		t.Fatal(err)
	}
	if err := c.nodes[(li+1)%3].rep.WaitApplied(ctx, c.nodes[li].rep.AppliedIndex()); err != nil {
		t.Fatal(err)
	}
	dst := tensor.New(1, 2)
	if err := f.Get(ctx, keyX, []int64{1}, dst); err != nil || dst.Row(0)[0] != 7 {
		t.Fatalf("follower read: %v %v", dst.Row(0), err)
	}
}

func TestApplyErrorsReachTheWriter(t *testing.T) {
	c := newCluster(t, 3, testOptions())
	ctx := t.Context()
	lead := c.nodes[c.leader()].rep
	fs := lead.Features()
	if err := fs.Create(ctx, store.AttrInfo{Key: keyX, Rows: 4, Cols: 2}); err != nil {
		t.Fatal(err)
	}
	before := lead.AppliedIndex()
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"create existing", fs.Create(ctx, store.AttrInfo{Key: keyX, Rows: 4, Cols: 2}), store.ErrExists},
		{"drop missing", fs.Drop(ctx, store.Key{Name: "nope"}), store.ErrNotFound},
		{"put out of range", fs.Put(ctx, keyX, []int64{4}, stamped(2, 1)), store.ErrOutOfRange},
		{"put wrong shape", fs.Put(ctx, keyX, []int64{1}, stamped(3, 1)), store.ErrShape},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if got := lead.AppliedIndex(); got != before {
		t.Errorf("rejected writes entered the log: applied %d -> %d", before, got)
	}
	// A command that fails at apply time (the attribute is dropped by an
	// entry ahead of it) fails alike everywhere and the writer hears it.
	put := &command{op: opPut, key: keyX, ids: []int64{1}, src: stamped(2, 1)}
	if err := fs.Drop(ctx, keyX); err != nil {
		t.Fatal(err)
	}
	if _, err := lead.write(ctx, put); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("apply of a put to a dropped attribute: %v", err)
	}
	c.sameState()
}

// writer puts row i = i into keyX through whichever member leads, and
// records which writes were acknowledged.
type writer struct {
	c         *cluster
	mu        sync.Mutex
	acked     []int64
	uncertain int
}

func (w *writer) run(ctx context.Context, cols int) {
	for i := int64(0); ctx.Err() == nil; i++ {
		for ctx.Err() == nil {
			w.c.mu().Lock()
			var fs *store.Features
			for _, n := range w.c.nodes {
				if n.rep != nil && n.rep.IsLeader() {
					fs = n.rep.Features()
				}
			}
			var err error
			if fs != nil {
				err = fs.Put(ctx, keyX, []int64{i}, stamped(cols, float32(i)))
			}
			w.c.mu().Unlock()
			if fs != nil && err == nil {
				w.mu.Lock()
				w.acked = append(w.acked, i)
				w.mu.Unlock()
				break
			}
			if errors.Is(err, ErrUncertain) {
				w.mu.Lock()
				w.uncertain++
				w.mu.Unlock()
				break // not acknowledged; never retried blindly
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func (w *writer) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.acked)
}

func (w *writer) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for w.count() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d writes acknowledged within 20s", w.count(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestKillLeaderDuringWrites(t *testing.T) {
	c := newCluster(t, 3, testOptions())
	const rows, cols = 100000, 4
	if err := c.nodes[c.leader()].rep.Features().Create(t.Context(), store.AttrInfo{Key: keyX, Rows: rows, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	w := &writer{c: c}
	done := make(chan struct{})
	go func() { defer close(done); w.run(ctx, cols) }()

	w.waitFor(t, 50)
	killed := c.leader()
	c.mu().Lock()
	c.stop(killed)
	c.mu().Unlock()
	n := w.count()
	w.waitFor(t, n+50) // writes continue after the re-election
	cancel()
	<-done
	if c.leader() == killed {
		t.Fatal("killed member leads")
	}
	c.sync()
	for i, nd := range c.nodes {
		if i == killed {
			continue
		}
		checkAcked(t, nd, w.acked, cols)
	}
	t.Logf("%d writes acknowledged, %d uncertain; leader %s killed", len(w.acked), w.uncertain, c.nodes[killed].id)

	c.start(killed) // it catches up from the log
	c.sameState()
	checkAcked(t, c.nodes[killed], w.acked, cols)
}

// checkAcked fails unless every acknowledged row is on n with its value.
func checkAcked(t *testing.T, n *node, acked []int64, cols int) {
	t.Helper()
	dst := tensor.New(len(acked), cols)
	if err := n.st.Get(context.Background(), keyX, acked, dst); err != nil {
		t.Fatalf("%s: acknowledged rows: %v", n.id, err)
	}
	for i, id := range acked {
		if dst.Row(i)[0] != float32(id) {
			t.Fatalf("%s: row %d = %v", n.id, id, dst.Row(i))
		}
	}
}

// history writes a sequence that is unsafe to replay twice onto its own
// result (create, fill, drop and re-create the same name).
func history(t *testing.T, fs store.FeatureStore, round int) {
	t.Helper()
	ctx := t.Context()
	k := store.Key{Name: "h"}
	_ = fs.Drop(ctx, k)
	must(t, fs.Create(ctx, store.AttrInfo{Key: k, Rows: 8, Cols: 2}))
	must(t, fs.Put(ctx, k, []int64{1, 2, 3}, tensor.FromSlice(3, 2, []float32{1, 1, 2, 2, 3, 3})))
	must(t, fs.Drop(ctx, k))
	must(t, fs.Create(ctx, store.AttrInfo{Key: k, Rows: 8, Cols: 2}))
	must(t, fs.Put(ctx, k, []int64{5}, stamped(2, float32(round))))
	must(t, store.PutRange(ctx, fs, keyX, int64(round), tensor.FromSlice(2, 2, []float32{9, 9, 8, 8})))
	must(t, fs.Remove(ctx, keyX, []int64{int64(round) + 1}))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestRestartCatchesUpFromLog(t *testing.T) {
	c := newCluster(t, 3, testOptions())
	fs := func() store.FeatureStore { return c.nodes[c.leader()].rep.Features() }
	must(t, fs().Create(t.Context(), store.AttrInfo{Key: keyX, Rows: 50, Cols: 2}))
	history(t, fs(), 0)
	c.sync()
	f := (c.leader() + 1) % 3
	c.stop(f)
	history(t, fs(), 1)
	c.start(f) // misses entries: catches up from the log
	c.sameState()

	// A restart replays the whole log (no snapshot yet) onto a store
	// that holds it: entries up to the recorded index are skipped.
	c.stop(f)
	c.start(f)
	c.sameState()

	// A crash between applying the last entry and recording its index
	// replays that entry once more, which is harmless.
	c.stop(f)
	setApplied(t, c.nodes[f], -1)
	c.start(f)
	c.sameState()
	if r := c.nodes[f].rep.fsm.restores.Load(); r != 0 {
		t.Fatalf("%d snapshot restores, want a catch-up from the log", r)
	}
}

// setApplied moves a stopped member's recorded applied index by delta.
func setApplied(t *testing.T, n *node, delta int64) {
	t.Helper()
	b, err := raftboltdb.New(raftboltdb.Options{Path: filepath.Join(n.dir, "raft", "raft.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	v, err := b.GetUint64(keyApplied)
	must(t, err)
	must(t, b.SetUint64(keyApplied, uint64(int64(v)+delta)))
}

func TestRestartCatchesUpFromSnapshot(t *testing.T) {
	for _, checkpoint := range []bool{false, true} {
		name := map[bool]string{false: "FromTheStore", true: "FromACheckpoint"}[checkpoint]
		t.Run(name, func(t *testing.T) { testCatchUpFromSnapshot(t, checkpoint) })
	}
}

func testCatchUpFromSnapshot(t *testing.T, checkpoint bool) {
	o := testOptions()
	o.SnapshotThreshold, o.TrailingLogs, o.SnapshotInterval = 16, 4, 20*time.Millisecond
	c := newClusterAt(t, 3, o, clusterConfig{checkpoint: checkpoint})
	fs := func() store.FeatureStore { return c.nodes[c.leader()].rep.Features() }
	must(t, fs().Create(t.Context(), store.AttrInfo{Key: keyX, Rows: 3000, Cols: 2}))
	history(t, fs(), 0)
	c.sync()
	f := (c.leader() + 1) % 3
	c.stop(f)
	for i := range 40 { // far more than TrailingLogs
		history(t, fs(), 10+i)
	}
	// A large run and a sparse tail exercise both snapshot row paths.
	big := tensor.New(2500, 2)
	big.Fill(4)
	must(t, store.PutRange(t.Context(), fs(), keyX, 100, big))
	must(t, fs().Remove(t.Context(), keyX, []int64{101, 2000, 2599}))
	lead := c.nodes[c.leader()].rep
	must(t, lead.Snapshot())
	c.start(f)
	c.sameState()
	if r := c.nodes[f].rep.fsm.restores.Load(); r == 0 {
		t.Fatal("the restarted member did not install a snapshot")
	}

	// After the install, it restarts from its own state again.
	history(t, fs(), 99)
	c.stop(f)
	c.start(f)
	c.sameState()
	// A stopped member has released every snapshot, so no checkpoint is
	// left (while running, one may be in progress).
	for i, n := range c.nodes {
		c.stop(i)
		left, _ := os.ReadDir(filepath.Join(n.dir, "raft", "checkpoints"))
		if len(left) > 0 {
			t.Fatalf("%s: checkpoints left behind: %v", n.id, left)
		}
	}
}

func TestWaitAppliedHonoursContext(t *testing.T) {
	c := newCluster(t, 1, testOptions())
	rep := c.nodes[0].rep
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := rep.WaitApplied(ctx, rep.AppliedIndex()+100); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitApplied beyond the log: %v", err)
	}
	must(t, rep.WaitApplied(t.Context(), rep.AppliedIndex()))
}

// TestRefusesFilledStoreWithoutRaftState: a store with data and no raft
// state would have the log replayed onto it; Open refuses.
func TestRefusesFilledStoreWithoutRaftState(t *testing.T) {
	local := memstore.Open()
	must(t, local.Create(t.Context(), store.AttrInfo{Key: keyX, Rows: 1, Cols: 1}))
	o := testOptions()
	o.ID, o.Bind, o.Dir = "r0", rpctest.FreeAddrs(t, 1)[0], t.TempDir()
	o.Peers = []Peer{{ID: "r0", Addr: o.Bind}}
	rep, err := Open(local, o)
	if err == nil {
		rep.Close()
		t.Fatal("Open accepted a filled store without raft state")
	}
	if !strings.Contains(err.Error(), "holds 1 attributes") {
		t.Fatalf("error %q does not say what is wrong", err)
	}
}
