package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/cluster/clustertest"
)

// TestPartitionMap: a map reads back as written; a writer holding a stale
// revision gets ErrConflict and changes nothing; the watch follows.
func TestPartitionMap(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := open(t, clustertest.StartEtcd(t))
	if pm, err := c.PartitionMap(ctx, "arxiv"); pm != nil || err != nil {
		t.Fatalf("PartitionMap before any = %v, %v; want nil, nil", pm, err)
	}
	seen := make(chan *PartitionMap, 16)
	done := make(chan error, 1)
	go func() { done <- c.WatchPartitionMap(ctx, "arxiv", func(pm *PartitionMap) { seen <- pm }) }()
	next := func() *PartitionMap {
		t.Helper()
		select {
		case pm := <-seen:
			return pm
		case <-time.After(5 * time.Second):
			t.Fatal("watch delivered nothing")
			return nil
		}
	}
	if pm := next(); pm != nil {
		t.Fatalf("watch delivered %+v before any map", pm)
	}

	pm := &PartitionMap{
		Name:        "arxiv",
		Features:    []Replica{{"f0", "h:1"}, {"f1", "h:2"}},
		Graph:       [][]Replica{{{"g0", "h:3"}}, {{"g1", "h:4"}, {"g2", "h:5"}}},
		ShardBounds: []int64{0, 10, 20},
	}
	if err := c.PutPartitionMap(ctx, pm); err != nil {
		t.Fatal(err)
	}
	got, err := c.PartitionMap(ctx, "arxiv")
	if err != nil {
		t.Fatal(err)
	}
	if got.Revision != pm.Revision || len(got.Graph) != 2 || got.Graph[1][1] != (Replica{"g2", "h:5"}) || got.Features[0].Addr != "h:1" {
		t.Fatalf("read back %+v, want %+v", got, pm)
	}
	if w := next(); w == nil || w.Revision != pm.Revision {
		t.Fatalf("watch delivered %+v, want revision %d", w, pm.Revision)
	}

	stale := *got
	got.Features = got.Features[:1]
	if err := c.PutPartitionMap(ctx, got); err != nil {
		t.Fatal(err)
	}
	stale.Graph, stale.ShardBounds = nil, nil
	if err := c.PutPartitionMap(ctx, &stale); !errors.Is(err, ErrConflict) {
		t.Fatalf("put over a newer map = %v, want ErrConflict", err)
	}
	if w := next(); len(w.Features) != 1 || len(w.Graph) != 2 {
		t.Fatalf("watch delivered %+v, want one feature replica and two shards", w)
	}
	fresh := &PartitionMap{Name: "arxiv"}
	if err := c.PutPartitionMap(ctx, fresh); !errors.Is(err, ErrConflict) {
		t.Fatalf("create over an existing map = %v, want ErrConflict", err)
	}
	if err := c.PutPartitionMap(ctx, &PartitionMap{Name: "products"}); err != nil {
		t.Fatal(err)
	}
	all, err := c.PartitionMaps(ctx)
	if err != nil || len(all) != 2 || all[0].Name != "arxiv" || all[1].Name != "products" {
		t.Fatalf("PartitionMaps = %+v, %v; want arxiv, products", all, err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("WatchPartitionMap = %v", err)
	}
}

func TestPartitionMapValidate(t *testing.T) {
	for _, tt := range []struct {
		pm   PartitionMap
		want string
	}{
		{PartitionMap{Name: ""}, "name"},
		{PartitionMap{Name: "a/b"}, "name"},
		{PartitionMap{Name: "a", Graph: [][]Replica{{{"g", "h:1"}}, {}}}, "graph shard 1"},
		{PartitionMap{Name: "a", Graph: [][]Replica{{{"g", "h:1"}}}, ShardBounds: []int64{0}}, "shard bounds"},
		{PartitionMap{Name: "a", Graph: [][]Replica{{{"g", "h:1"}}}, ShardBounds: []int64{5, 1}}, "not in order"},
	} {
		if err := tt.pm.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: Validate = %v, want an error naming %q", tt.pm, err, tt.want)
		}
	}
}
