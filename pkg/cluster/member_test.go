package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/cluster/clustertest"
)

func feature(id, addr string) Member {
	return Member{ID: id, Role: RoleFeatures, Addr: addr, Shard: -1, StartedAt: time.Now().UTC().Truncate(time.Second)}
}

func graphMember(id, addr string, shard int) Member {
	return Member{ID: id, Role: RoleGraph, Addr: addr, Shard: shard, StartedAt: time.Now().UTC().Truncate(time.Second)}
}

// ids returns the members as "role/id" strings.
func ids(ms []Member) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.String())
	}
	return strings.Join(s, " ")
}

func TestMemberValidate(t *testing.T) {
	for _, tt := range []struct {
		m    Member
		want string
	}{
		{feature("", "h:1"), "member id"},
		{feature("a/b", "h:1"), "member id"},
		{Member{ID: "a", Role: "trainer", Addr: "h:1"}, "role"},
		{Member{ID: "a", Role: RoleFeatures, Addr: "h:1", Shard: 0}, "shard 0"},
		{graphMember("a", "h:1", -1), "shard -1"},
		{feature("a", "h"), "addr"},
		{feature("a", "h:0"), "addr"},
	} {
		err := tt.m.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: Validate = %v, want an error naming %q", tt.m, err, tt.want)
		}
	}
	if err := graphMember("g", "h:1", 2).Validate(); err != nil {
		t.Errorf("valid member: %v", err)
	}
}

// TestRegister: members are listed in order while registered, and a
// graceful Close removes one at once.
func TestRegister(t *testing.T) {
	ctx := context.Background()
	c := open(t, clustertest.StartEtcd(t))
	var regs []*Registration
	for _, m := range []Member{graphMember("g1", "h:2", 1), feature("f0", "h:1"), graphMember("g0", "h:3", 0)} {
		r, err := c.Register(ctx, m, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		regs = append(regs, r)
	}
	ms, err := c.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(ms), "featurestore/f0 graphstore/g0 graphstore/g1"; got != want {
		t.Fatalf("members %s, want %s", got, want)
	}
	if ms[2].Addr != "h:2" || ms[2].Shard != 1 {
		t.Fatalf("member %+v, want addr h:2 shard 1", ms[2])
	}
	for _, r := range regs {
		if err := r.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(ctx); err != nil {
			t.Fatalf("second close: %v", err)
		}
	}
	if ms, err := c.Members(ctx); err != nil || len(ms) != 0 {
		t.Fatalf("members after close: %s (%v), want none", ids(ms), err)
	}
	if _, err := c.Register(ctx, feature("x", "h"), 0); err == nil {
		t.Fatal("registered a member without a port")
	}
}

// waitMembers polls until the member list is want, for up to d.
func waitMembers(t *testing.T, c *Cluster, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ms, err := c.Members(context.Background())
		if err == nil && ids(ms) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("members %q (%v) after %v, want %q", ids(ms), err, d, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCrash: a server that stops renewing without deregistering (its
// connection gone, as when its process dies) drops out when its lease
// ends, not before.
func TestCrash(t *testing.T) {
	ctx := context.Background()
	ep := clustertest.StartEtcd(t)
	c := open(t, ep)
	dying := open(t, ep)
	if _, err := dying.Register(ctx, feature("f0", "h:1"), time.Second); err != nil {
		t.Fatal(err)
	}
	waitMembers(t, c, "featurestore/f0", time.Second)
	dying.Close() // the registration's goroutine ends with the connection
	if ms, _ := c.Members(ctx); ids(ms) != "featurestore/f0" {
		t.Fatalf("member gone before its lease ended: %s", ids(ms))
	}
	waitMembers(t, c, "", 5*time.Second)
}

// TestDuplicate: a second live process cannot take a registered ID; once
// the holder crashes, a new one can (after waiting for the old lease).
func TestDuplicate(t *testing.T) {
	ctx := context.Background()
	ep := clustertest.StartEtcd(t)
	holder := open(t, ep)
	r, err := holder.Register(ctx, feature("f0", "h:1"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	other := open(t, ep)
	_, err = other.Register(ctx, feature("f0", "h:2"), time.Second)
	if !errors.Is(err, ErrDuplicate) || !strings.Contains(err.Error(), "h:1") {
		t.Fatalf("Register = %v, want ErrDuplicate naming h:1", err)
	}

	crashed := open(t, ep)
	if _, err := crashed.Register(ctx, feature("f1", "h:3"), time.Second); err != nil {
		t.Fatal(err)
	}
	crashed.Close()
	r2, err := other.Register(ctx, feature("f1", "h:4"), time.Second)
	if err != nil {
		t.Fatalf("register over a crashed holder: %v", err)
	}
	defer r2.Close(ctx)
	ms, _ := other.Members(ctx)
	if len(ms) != 2 || ms[1].Addr != "h:4" {
		t.Fatalf("members %+v, want f1 at h:4", ms)
	}
}

// TestLeaseLost: a member whose lease is lost (revoked here, as etcd does
// when it has not heard from the server for a TTL) registers again.
func TestLeaseLost(t *testing.T) {
	ctx := context.Background()
	c := open(t, clustertest.StartEtcd(t))
	r, err := c.Register(ctx, feature("f0", "h:1"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	r.mu.Lock()
	lease := r.lease
	r.mu.Unlock()
	if _, err := c.cli.Revoke(ctx, lease); err != nil {
		t.Fatal(err)
	}
	waitMembers(t, c, "featurestore/f0", 5*time.Second)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lease == lease {
		t.Fatal("registered again under the revoked lease")
	}
}

// TestWatchMembers: the watch delivers the initial set, then every change.
func TestWatchMembers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := open(t, clustertest.StartEtcd(t))
	r0, err := c.Register(ctx, feature("f0", "h:1"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sets := make(chan string, 16)
	done := make(chan error, 1)
	go func() { done <- c.WatchMembers(ctx, func(ms []Member) { sets <- ids(ms) }) }()
	next := func(want string) {
		t.Helper()
		select {
		case got := <-sets:
			if got != want {
				t.Fatalf("watch delivered %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("watch delivered nothing, want %q", want)
		}
	}
	next("featurestore/f0")
	r1, err := c.Register(ctx, graphMember("g0", "h:2", 0), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	next("featurestore/f0 graphstore/g0")
	if err := r0.Close(ctx); err != nil {
		t.Fatal(err)
	}
	next("graphstore/g0")
	if err := r1.Close(ctx); err != nil {
		t.Fatal(err)
	}
	next("")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("WatchMembers = %v, want context.Canceled", err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, Options{}); err == nil || !strings.Contains(err.Error(), "endpoints") {
		t.Errorf("Open without endpoints = %v", err)
	}
	if _, err := Open(ctx, Options{Endpoints: []string{"127.0.0.1:1"}, Name: "a/b"}); err == nil || !strings.Contains(err.Error(), "a/b") {
		t.Errorf("Open with a bad name = %v", err)
	}
	if got := SplitEndpoints(" a:1, ,b:2"); strings.Join(got, "|") != "a:1|b:2" {
		t.Errorf("SplitEndpoints = %q", got)
	}
}
