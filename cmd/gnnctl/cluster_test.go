package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/cluster"
	"github.com/gnnscale/gnnscale/pkg/cluster/clustertest"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpctest"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
)

// TestStatusEtcd: status --etcd lists the members and partition maps,
// checks the members' servers, and fails while a graph shard below the
// highest has no member.
func TestStatusEtcd(t *testing.T) {
	ctx := context.Background()
	st := memstore.Open()
	defer st.Close()
	coo := graph.COO{NumNodes: 3, Src: []int32{0, 1}, Dst: []int32{1, 2}}
	if err := st.PutEdges(ctx, store.DefaultEdgeType, store.FromCOO(coo)); err != nil {
		t.Fatal(err)
	}
	live := rpctest.Serve(t, st, st)
	ep := clustertest.StartEtcd(t)
	c, err := cluster.Open(ctx, cluster.Options{Endpoints: []string{ep}, Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	register := func(m cluster.Member) {
		m.Addr, m.StartedAt = live, time.Now()
		r, err := c.Register(ctx, m, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close(ctx) })
	}
	register(cluster.Member{ID: "f0", Role: cluster.RoleFeatures, Shard: -1})
	register(cluster.Member{ID: "g0", Role: cluster.RoleGraph, Shard: 0})
	register(cluster.Member{ID: "g2", Role: cluster.RoleGraph, Shard: 2})
	pm := &cluster.PartitionMap{Name: "arxiv", Features: []cluster.Replica{{ID: "f0", Addr: live}},
		Graph: [][]cluster.Replica{{{ID: "g0", Addr: live}}}, ShardBounds: []int64{0, 3}}
	if err := c.PutPartitionMap(ctx, pm); err != nil {
		t.Fatal(err)
	}

	run := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := runStatus(ctx, args, &out, &errOut)
		return out.String(), err
	}
	out, err := run("--etcd", ep, "--cluster", "test")
	if err == nil || !strings.Contains(err.Error(), "graph shard 1") {
		t.Errorf("status with shard 1 missing: %v, want an error naming graph shard 1", err)
	}
	for _, w := range []string{"members of cluster test", "featurestore f0", "graphstore   g2", "shard 2", "graph shard 1: no member",
		"arxiv (revision", "features: f0@" + live, "graph shard 0 nodes [0, 3)", "shard 0 " + live + ": up", "2 edges"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	register(cluster.Member{ID: "g1", Role: cluster.RoleGraph, Shard: 1})
	if out, err := run("--etcd", ep, "--cluster", "test"); err != nil || !strings.Contains(out, "shard 1 "+live+": up") {
		t.Errorf("status with every shard: %v\n%s", err, out)
	}
	if _, err := run("--etcd", ep, "--cluster", "empty"); err == nil || !strings.Contains(err.Error(), "no live member") {
		t.Errorf("status of an empty cluster: %v, want no live member", err)
	}
}
