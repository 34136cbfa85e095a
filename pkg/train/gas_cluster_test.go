package train

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/cluster"
	"github.com/gnnscale/gnnscale/pkg/cluster/clustertest"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpctest"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
)

// syncBuffer is a bytes.Buffer safe for a logger and a test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitLog waits up to 10 s for the log to hold a line with every one of
// want.
func waitLog(t *testing.T, logs *syncBuffer, want ...string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		for _, line := range strings.Split(logs.String(), "\n") {
			found := true
			for _, w := range want {
				found = found && strings.Contains(line, w)
			}
			if found {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q:\n%s", want, logs.String())
		}
	}
}

// TestClusterDiscovery: with cluster.etcd and no server addresses, the
// trainer finds the servers among the members in etcd (two feature
// replicas; graph shard 0 on one server, shard 1 on two), records the
// partition map, and trains to the same result as from memory. A replica
// that deregisters is skipped at once (no read fails on it), and one that
// comes back is used again.
func TestClusterDiscovery(t *testing.T) {
	ctx := context.Background()
	cfg, _, want := agreeReference(t)
	ep := clustertest.StartEtcd(t)
	c, err := cluster.Open(ctx, cluster.Options{Endpoints: []string{ep}, Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	type server struct {
		reg  *cluster.Registration
		m    cluster.Member
		stop func()
	}
	serve := func(m cluster.Member, fs store.FeatureStore, gs store.GraphStore) *server {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		m.Addr, m.StartedAt = lis.Addr().String(), time.Now()
		s := &server{m: m}
		var once sync.Once
		stop := rpctest.ServeOn(lis, fs, gs)
		s.stop = func() { once.Do(stop) }
		t.Cleanup(s.stop)
		if s.reg, err = c.Register(ctx, m, time.Second); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.reg.Close(ctx) })
		return s
	}
	var srv []*server
	for i, m := range []cluster.Member{
		{ID: "f0", Role: cluster.RoleFeatures, Shard: -1},
		{ID: "f1", Role: cluster.RoleFeatures, Shard: -1},
		{ID: "g0", Role: cluster.RoleGraph, Shard: 0},
		{ID: "g1a", Role: cluster.RoleGraph, Shard: 1},
		{ID: "g1b", Role: cluster.RoleGraph, Shard: 1},
	} {
		if i < 2 {
			f := store.NewFeatures(memstore.New())
			t.Cleanup(func() { f.Close() })
			srv = append(srv, serve(m, f, nil))
		} else {
			g := store.NewGraph(memstore.New())
			t.Cleanup(func() { g.Close() })
			srv = append(srv, serve(m, nil, g))
		}
	}

	dc := *cfg
	dc.GAS.Store = filepath.Join(t.TempDir(), "gasdata")
	dc.Cluster = ClusterConfig{Etcd: ep, Name: "test"}
	dc.GAS.ServerWait = 10
	if err := dc.Validate(); err != nil {
		t.Fatal(err)
	}
	book, err := PrepareGASStore(ctx, &dc, discard())
	if err != nil {
		t.Fatal(err)
	}
	pm, err := c.PartitionMap(ctx, book.Name)
	if err != nil || pm == nil {
		t.Fatalf("partition map %s: %v, %v", book.Name, pm, err)
	}
	if len(pm.Features) != 2 || pm.Features[1] != (cluster.Replica{ID: "f1", Addr: srv[1].m.Addr}) ||
		len(pm.Graph) != 2 || len(pm.Graph[1]) != 2 || pm.Graph[1][1].ID != "g1b" || len(pm.ShardBounds) != 3 {
		t.Fatalf("partition map %+v", pm)
	}

	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	d, err := LoadGAS(ctx, &dc, log)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	waitLog(t, logs, "servers from etcd", srv[0].m.Addr+"|"+srv[1].m.Addr, srv[2].m.Addr+","+srv[3].m.Addr+"|"+srv[4].m.Addr)

	// f0 leaves gracefully and its server stops; g1b leaves but serves on.
	for _, s := range []*server{srv[0], srv[4]} {
		if err := s.reg.Close(ctx); err != nil {
			t.Fatal(err)
		}
		waitLog(t, logs, "left the cluster", s.m.Addr)
	}
	srv[0].stop()
	sameEpochs(t, "servers from etcd, f0 gone", losses(t, &dc, d), want)
	if strings.Contains(logs.String(), "replica unavailable") {
		t.Fatalf("a read went to the replica that left:\n%s", logs.String())
	}
	again, err := c.Register(ctx, srv[4].m, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	waitLog(t, logs, "back in the cluster", srv[4].m.Addr)
}

// TestClusterDiscoveryErrors: missing servers are named, after at most
// gas.server_wait.
func TestClusterDiscoveryErrors(t *testing.T) {
	ctx := context.Background()
	ep := clustertest.StartEtcd(t)
	c, err := cluster.Open(ctx, cluster.Options{Endpoints: []string{ep}, Name: "gap"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, m := range []cluster.Member{
		{ID: "g1", Role: cluster.RoleGraph, Shard: 1, Addr: "127.0.0.1:1"},
	} {
		r, err := c.Register(ctx, m, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close(ctx)
	}
	cfg := gasConfig(t, "gcn", "gas.partitioner=range")
	cfg.GAS.Store = filepath.Join(t.TempDir(), "gasdata")
	cfg.Cluster = ClusterConfig{Etcd: ep, Name: "gap"}
	cfg.GAS.ServerWait = -1
	_, err = PrepareGASStore(ctx, cfg, discard())
	for _, want := range []string{"no feature server", "shard 0 (of 2)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("prepare = %v, want an error naming %q", err, want)
		}
	}
	for _, tt := range []struct{ sets, want string }{
		{"cluster.name=x", "needs cluster.etcd"},
		{"cluster.etcd=h:2379", "needs gas.store"},
		{"cluster.etcd=h:2379,gas.store=/tmp/x,cluster.name=a/b", "cluster.name"},
		{"cluster.etcd=h:2379,gas.store=/tmp/x,cluster.feature_servers=-1", "cluster.feature_servers"},
		{"cluster.etcd=h:2379,gas.store=/tmp/x,cluster.graph_shards=-2", "cluster.graph_shards"},
	} {
		c, err := Parse([]byte("dataset: {name: x, generator: sbm}\nmodel: {name: gcn}\n"), strings.Split(tt.sets, ","))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate = %v, want an error naming %q", tt.sets, err, tt.want)
		}
	}
}

func TestPickMembers(t *testing.T) {
	f := func(id string) cluster.Member {
		return cluster.Member{ID: id, Role: cluster.RoleFeatures, Addr: id + ":7070"}
	}
	g := func(id string, shard int) cluster.Member {
		return cluster.Member{ID: id, Role: cluster.RoleGraph, Shard: shard, Addr: id + ":7071"}
	}
	for _, tt := range []struct {
		name        string
		ms          []cluster.Member
		shards, min int
		features    int   // feature replicas picked
		graph       []int // replicas per shard picked
		err         string
	}{
		{name: "one of each", ms: []cluster.Member{f("f0"), g("g0", 0)}, min: 1, features: 1, graph: []int{1}},
		{name: "shards from members", ms: []cluster.Member{f("f0"), g("g1", 1), g("g0", 0), g("g0b", 0)}, features: 1, graph: []int{2, 1}},
		{name: "too few feature servers", ms: []cluster.Member{f("f0"), g("g0", 0)}, min: 2, err: "1 feature servers registered, cluster.feature_servers wants 2"},
		{name: "enough feature servers", ms: []cluster.Member{f("f0"), f("f1"), g("g0", 0)}, min: 2, features: 2, graph: []int{1}},
		{name: "no feature server", ms: []cluster.Member{g("g0", 0)}, min: 2, err: "no feature server registered"},
		{name: "missing shard", ms: []cluster.Member{f("f0"), g("g0", 0)}, shards: 2, err: "no graph server registered for shard 1 (of 2)"},
		{name: "shard beyond the data", ms: []cluster.Member{f("f0"), g("g0", 0), g("g1", 1)}, shards: 1, err: "serves shard 1, but the data has 1 graph shards"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			features, graph, err := pickMembers(tt.ms, true, true, tt.shards, tt.min)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(features) != tt.features || len(graph) != len(tt.graph) {
				t.Fatalf("picked %d feature servers and %d shards, want %d and %d", len(features), len(graph), tt.features, len(tt.graph))
			}
			for i, n := range tt.graph {
				if len(graph[i]) != n {
					t.Errorf("shard %d: %d replicas, want %d", i, len(graph[i]), n)
				}
			}
		})
	}
}
