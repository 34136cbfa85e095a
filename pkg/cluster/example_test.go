package cluster_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gnnscale/gnnscale/pkg/cluster"
)

// A server registers itself while it serves; a client lists and follows
// the members. (Not run: it needs an etcd at 127.0.0.1:2379.)
func Example() {
	ctx := context.Background()
	c, err := cluster.Open(ctx, cluster.Options{Endpoints: []string{"127.0.0.1:2379"}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	reg, err := c.Register(ctx, cluster.Member{ID: "fs-0", Role: cluster.RoleFeatures, Addr: "fs-0:7070", Shard: -1, StartedAt: time.Now()}, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Close(ctx) // the member disappears at once

	members, err := c.Members(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range members {
		fmt.Println(m.Role, m.ID, m.Addr)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_ = c.WatchMembers(wctx, func(ms []cluster.Member) { fmt.Println(len(ms), "members") })
}
