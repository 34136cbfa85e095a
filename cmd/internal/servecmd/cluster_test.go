package servecmd

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/cluster"
	"github.com/gnnscale/gnnscale/pkg/cluster/clustertest"
)

// TestEtcdRegistration: with --etcd each server is a member while it
// serves (ID, advertised address and shard as given or defaulted) and
// leaves at once when it stops gracefully.
func TestEtcdRegistration(t *testing.T) {
	ctx := context.Background()
	ep := clustertest.StartEtcd(t)
	c, err := cluster.Open(ctx, cluster.Options{Endpoints: []string{ep}, Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	etcd := []string{"--etcd", ep, "--cluster", "test", "--etcd-ttl", "1s"}
	faddr, fstop := start(t, Features, append(etcd, "--id", "f0")...)
	_, gstop := start(t, Graph, append(etcd, "--shard", "1", "--advertise", "gs.example:7171")...)
	ms, err := c.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	want := []cluster.Member{
		{ID: "f0", Role: cluster.RoleFeatures, Addr: faddr, Shard: -1},
		{ID: host + ":7171", Role: cluster.RoleGraph, Addr: "gs.example:7171", Shard: 1},
	}
	if len(ms) != len(want) {
		t.Fatalf("members %+v, want %+v", ms, want)
	}
	for i, m := range ms {
		if m.ID != want[i].ID || m.Role != want[i].Role || m.Addr != want[i].Addr || m.Shard != want[i].Shard || time.Since(m.StartedAt) > time.Minute {
			t.Errorf("member %d: %+v, want %+v", i, m, want[i])
		}
	}

	// A second live server under the same ID is refused.
	var logs bytes.Buffer
	err = Run(ctx, Features, append(etcd, "--listen", "127.0.0.1:0", "--id", "f0"), &logs, nil)
	if err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Fatalf("second f0: %v, want a duplicate ID error", err)
	}

	if err := fstop(); err != nil {
		t.Fatal(err)
	}
	if ms, err := c.Members(ctx); err != nil || len(ms) != 1 || ms[0].Role != cluster.RoleGraph {
		t.Fatalf("members after the feature server stopped: %+v (%v), want the graph server only", ms, err)
	}
	if err := gstop(); err != nil {
		t.Fatal(err)
	}
	if ms, err := c.Members(ctx); err != nil || len(ms) != 0 {
		t.Fatalf("members after both stopped: %+v (%v)", ms, err)
	}
}

func TestEtcdFlagErrors(t *testing.T) {
	for _, tt := range []struct {
		svc  Service
		args []string
		want string
	}{
		{Features, []string{"--id", "x"}, "--id: needs --etcd"},
		{Graph, []string{"--shard", "2"}, "--shard: needs --etcd"},
		{Graph, []string{"--etcd", "127.0.0.1:1", "--shard", "-1"}, "--shard -1"},
		{Features, []string{"--etcd", "127.0.0.1:1", "--shard", "1"}, "not defined"},
		{Features, []string{"--etcd", "127.0.0.1:1", "--advertise", "nohost"}, "--advertise"},
		{Features, []string{"--etcd", "127.0.0.1:1", "--etcd-wait", "500ms"}, "--etcd 127.0.0.1:1 (tried for 500ms)"},
	} {
		var out bytes.Buffer
		err := Run(context.Background(), tt.svc, append([]string{"--listen", "127.0.0.1:0"}, tt.args...), &out, nil)
		if err == nil || !strings.Contains(err.Error()+out.String(), tt.want) {
			t.Errorf("%s %q: %v, want an error naming %q", tt.svc.Name, tt.args, err, tt.want)
		}
	}
}
