package replica

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gnnscale/gnnscale/pkg/rpc/rpctest"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// node is one member of a test group: a Pebble store and a Replica over
// it, in directories that survive stop and start.
type node struct {
	id, raftAddr, dir string
	st                *store.Store
	rep               *Replica
}

// cluster is a raft group of real members in one process: TCP transports
// on loopback, raft-boltdb and Pebble under t.TempDir().
type cluster struct {
	t     testing.TB
	nodes []*node
	opts  Options // template: timeouts, snapshot settings
	clusterConfig
	lock sync.Mutex
}

// mu guards stopping members against a concurrent writer.
func (c *cluster) mu() *sync.Mutex { return &c.lock }

// testOptions are short timeouts for loopback, long enough that fsync
// stalls on a loaded 2-core machine do not depose a healthy leader.
func testOptions() Options {
	return Options{
		HeartbeatTimeout: 300 * time.Millisecond, ElectionTimeout: 300 * time.Millisecond,
		LeaderWait: 3 * time.Second, SnapshotInterval: time.Hour,
		Logger: testLogger(),
	}
}

// testLogger shows raft's lines with GNNSCALE_REPLICA_LOG=1.
func testLogger() *slog.Logger {
	if os.Getenv("GNNSCALE_REPLICA_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// newCluster starts n members that bootstrap one group and waits for a
// leader.
func newCluster(t testing.TB, n int, opts Options) *cluster {
	t.Helper()
	return newClusterAt(t, n, opts, clusterConfig{})
}

// clusterConfig is what newClusterAt may change.
type clusterConfig struct {
	svc        []string             // members' service addresses; default "svc-<id>"
	pebble     *pebblestore.Options // default: small caches and memtables
	checkpoint bool                 // snapshots from Pebble checkpoints (Options.Checkpoint)
}

// newClusterAt is newCluster with a configuration.
func newClusterAt(t testing.TB, n int, opts Options, cfg clusterConfig) *cluster {
	t.Helper()
	if cfg.pebble == nil {
		cfg.pebble = &pebblestore.Options{BlockCacheBytes: 1 << 20, MemTableBytes: 1 << 20, RowCacheBytes: 1 << 20, Logger: testLogger()}
	}
	c := &cluster{t: t, opts: opts, clusterConfig: cfg}
	base := t.TempDir()
	for i, addr := range rpctest.FreeAddrs(t, n) {
		c.nodes = append(c.nodes, &node{id: fmt.Sprintf("r%d", i), raftAddr: addr, dir: filepath.Join(base, fmt.Sprintf("r%d", i))})
	}
	t.Cleanup(func() {
		for i := range c.nodes {
			c.stop(i)
		}
	})
	for i := range c.nodes {
		c.start(i)
	}
	c.leader()
	return c
}

func (c *cluster) peers() []Peer {
	var ps []Peer
	for _, n := range c.nodes {
		ps = append(ps, Peer{ID: n.id, Addr: n.raftAddr})
	}
	return ps
}

// start opens node i's store and replica (again, after stop).
func (c *cluster) start(i int) {
	c.t.Helper()
	n := c.nodes[i]
	st, err := pebblestore.Open(filepath.Join(n.dir, "store"), c.pebble)
	if err != nil {
		c.t.Fatal(err)
	}
	o := c.opts
	o.ID, o.Bind, o.Dir, o.Peers = n.id, n.raftAddr, filepath.Join(n.dir, "raft"), c.peers()
	o.ServiceAddr = "svc-" + n.id
	if c.svc != nil {
		o.ServiceAddr = c.svc[i]
	}
	if c.checkpoint {
		o.Checkpoint = pebbleCheckpoint(st)
	}
	rep, err := Open(st, o)
	if err != nil {
		st.Close()
		c.t.Fatal(err)
	}
	n.st, n.rep = st, rep
}

// stop closes node i's replica and store, as a crash would leave them:
// nothing is flushed that a write did not already make durable.
func (c *cluster) stop(i int) {
	n := c.nodes[i]
	if n.rep == nil {
		return
	}
	if err := n.rep.Close(); err != nil {
		c.t.Errorf("close %s: %v", n.id, err)
	}
	if err := n.st.Close(); err != nil {
		c.t.Errorf("close store %s: %v", n.id, err)
	}
	n.rep, n.st = nil, nil
}

// leader waits for a running member to lead and returns its index.
func (c *cluster) leader() int {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for i, n := range c.nodes {
			if n.rep != nil && n.rep.IsLeader() {
				return i
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.t.Fatal("no leader within 10s")
	return -1
}

// sync waits until every running member has applied what the leader has.
func (c *cluster) sync() {
	c.t.Helper()
	want := c.nodes[c.leader()].rep.AppliedIndex()
	// Generous: a leader retries a member that was down with raft's
	// exponential backoff (up to about 40 s), and CI runs the race-enabled
	// packages side by side on 2 cores (a 10 s wait once timed out there
	// with the restarted member still at its old index).
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, n := range c.nodes {
		if n.rep == nil {
			continue
		}
		if err := n.rep.WaitApplied(ctx, want); err != nil {
			c.t.Fatalf("%s: %v", n.id, err)
		}
	}
}

// dump returns every attribute and every row of a store, absent rows as
// nil, for comparing replicas row by row.
func dump(t testing.TB, s store.FeatureStore) map[store.AttrInfo][][]float32 {
	t.Helper()
	ctx := context.Background()
	attrs, err := s.Attrs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[store.AttrInfo][][]float32{}
	for _, a := range attrs {
		rows := make([][]float32, a.Rows)
		for id := range rows {
			dst := tensor.New(1, a.Cols)
			err := s.Get(ctx, a.Key, []int64{int64(id)}, dst)
			switch {
			case err == nil:
				rows[id] = slices.Clone(dst.Row(0))
			case !errors.Is(err, store.ErrNotFound):
				t.Fatalf("dump %s row %d: %v", a.Key, id, err)
			}
		}
		out[a] = rows
	}
	return out
}

// sameState fails unless every running member's store equals the
// leader's row by row.
func (c *cluster) sameState() {
	c.t.Helper()
	c.sync()
	li := c.leader()
	want := dump(c.t, c.nodes[li].st)
	for _, n := range c.nodes {
		if n.rep == nil || n == c.nodes[li] {
			continue
		}
		got := dump(c.t, n.st)
		if len(got) != len(want) {
			c.t.Fatalf("%s has %d attributes, leader %s has %d", n.id, len(got), c.nodes[li].id, len(want))
		}
		for a, rows := range want {
			grows, ok := got[a]
			if !ok {
				c.t.Fatalf("%s lacks attribute %+v", n.id, a)
			}
			for id := range rows {
				if !slices.Equal(rows[id], grows[id]) {
					c.t.Fatalf("%s %s row %d = %v, leader has %v", n.id, a.Key, id, grows[id], rows[id])
				}
			}
		}
	}
}

// pebbleCheckpoint is Options.Checkpoint for a Pebble store, as the
// feature server sets it.
func pebbleCheckpoint(st *store.Store) func(dir string) (Checkpoint, error) {
	return func(dir string) (Checkpoint, error) {
		if err := st.Backend().(*pebblestore.Backend).Checkpoint(dir); err != nil {
			return nil, err
		}
		return pebblestore.Open(dir, &pebblestore.Options{ReadOnly: true, RowCacheBytes: -1, Logger: testLogger()})
	}
}
