package servecmd

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpctest"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// TestRaftGroup: three feature servers started with the --raft-* flags
// form a group; a write through any of them lands on all; with one
// stopped, writes go on; restarted with the same flags (no second
// bootstrap), it has every write.
func TestRaftGroup(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	raftAddrs := rpctest.FreeAddrs(t, 3)
	var peers []string
	for i, a := range raftAddrs {
		peers = append(peers, fmt.Sprintf("fs%d=%s", i, a))
	}
	args := func(i int) []string {
		return []string{"--dir", filepath.Join(base, fmt.Sprint(i)), "--raft-id", fmt.Sprintf("fs%d", i),
			"--raft-addr", raftAddrs[i], "--raft-peers", strings.Join(peers, ",")}
	}
	addrs := make([]string, 3)
	stops := make([]func() error, 3)
	for i := range 3 {
		addrs[i], stops[i] = start(t, Features, args(i)...)
	}
	defer func() {
		for _, stop := range stops {
			if stop != nil {
				_ = stop()
			}
		}
	}()
	key := store.Key{Group: "paper", Name: "x"}
	rows := tensor.FromSlice(2, 3, []float32{1, 2, 3, 4, 5, 6})
	w := dialFeatures(t, addrs[0])
	if err := w.Create(ctx, store.AttrInfo{Key: key, Rows: 10, Cols: 3}); err != nil {
		t.Fatal(err)
	}
	if err := w.Put(ctx, key, []int64{4, 0}, rows); err != nil {
		t.Fatal(err)
	}
	index := w.Backend().(*rpc.FeatureClient).Index()
	read := func(addr string, index uint64, ids []int64, want *tensor.Dense) {
		t.Helper()
		r := dialFeatures(t, addr)
		r.Backend().(*rpc.FeatureClient).ReadAtLeast(index)
		got := tensor.New(len(ids), 3)
		if err := r.Get(ctx, key, ids, got); err != nil {
			t.Fatalf("read from %s: %v", addr, err)
		}
		if tensor.MaxAbsDiff(got, want) != 0 {
			t.Fatalf("read from %s: %v, want %v", addr, got, want)
		}
	}
	for _, a := range addrs {
		read(a, index, []int64{4, 0}, rows)
	}

	if err := stops[0](); err != nil {
		t.Fatal(err)
	}
	stops[0] = nil
	w = dialFeatures(t, addrs[1])
	if err := w.Put(ctx, key, []int64{7, 8}, rows); err != nil {
		t.Fatalf("write with one of three servers stopped: %v", err)
	}
	index = w.Backend().(*rpc.FeatureClient).Index()
	read(addrs[2], index, []int64{8, 7}, tensor.FromSlice(2, 3, []float32{4, 5, 6, 1, 2, 3}))

	addrs[0], stops[0] = start(t, Features, args(0)...)
	read(addrs[0], index, []int64{0, 8}, tensor.FromSlice(2, 3, []float32{4, 5, 6, 4, 5, 6}))
}

// TestRaftMetrics: a replica exports its applied index and whether it
// leads (a group of one leads itself).
func TestRaftMetrics(t *testing.T) {
	a := rpctest.FreeAddrs(t, 2)
	maddr, raddr := a[0], a[1]
	addr, stop := start(t, Features, "--dir", t.TempDir(), "--metrics", maddr,
		"--raft-id", "fs0", "--raft-addr", raddr, "--raft-peers", "fs0="+raddr)
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	if err := dialFeatures(t, addr).Create(context.Background(), store.AttrInfo{Key: store.Key{Name: "x"}, Rows: 1, Cols: 1}); err != nil {
		t.Fatal(err)
	}
	text := scrape(t, maddr)
	for _, want := range []string{"gnnscale_raft_leader 1", "gnnscale_raft_applied_index "} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestRaftFlagErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		svc  Service
		args []string
		want string
	}{
		{Features, []string{"--raft-addr", "127.0.0.1:1"}, "--raft-addr: needs --raft-id"},
		{Features, []string{"--raft-id", "a"}, "--raft-id needs --raft-addr; --raft-id without --dir needs --raft-dir"},
		{Features, []string{"--raft-id", "a", "--raft-addr", "127.0.0.1:1", "--dir", dir, "--raft-peers", "a"}, "want id=host:port"},
		{Features, []string{"--raft-id", "a", "--raft-addr", "127.0.0.1:1", "--dir", dir, "--raft-peers", "b=127.0.0.1:2"}, "does not include this member"},
		{Graph, []string{"--raft-id", "a"}, "not defined"},
		{Features, []string{"--raft-id", "a", "--raft-addr", "127.0.0.1:1", "--dir", dir, "--raft-trailing-logs", "0"}, "must be >= 1"},
	} {
		var out bytes.Buffer
		err := Run(context.Background(), tt.svc, append([]string{"--listen", "127.0.0.1:0"}, tt.args...), &out, nil)
		if err == nil || !strings.Contains(err.Error()+out.String(), tt.want) {
			t.Errorf("%s %q: %v, want an error naming %q", tt.svc.Name, tt.args, err, tt.want)
		}
	}
}
