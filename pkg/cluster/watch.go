package cluster

import (
	"context"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// WatchMembers calls fn with the live members (sorted as by Members) now
// and after every change, until ctx ends; it then returns ctx's error.
// A watch that fails or falls behind compaction starts again from a fresh
// read, so fn always sees the current set. fn runs on the caller's
// goroutine, one call at a time, and must not retain the slice past the
// next call.
func (c *Cluster) WatchMembers(ctx context.Context, fn func([]Member)) error {
	return c.watch(ctx, c.membersPrefix(), func(state map[string]*mvccpb.KeyValue) {
		byKey := make(map[string]Member, len(state))
		for k, kv := range state {
			c.addMember(byKey, k, kv.Value)
		}
		fn(sortedMembers(byKey))
	})
}

// watch calls fn with every key under prefix and its entry, now and after
// every change, until ctx ends.
func (c *Cluster) watch(ctx context.Context, prefix string, fn func(map[string]*mvccpb.KeyValue)) error {
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, 5*time.Second) {
		resp, err := c.cli.Get(ctx, prefix, clientv3.WithPrefix())
		if err == nil {
			state := make(map[string]*mvccpb.KeyValue, len(resp.Kvs))
			for _, kv := range resp.Kvs {
				state[string(kv.Key)] = kv
			}
			fn(state)
			if c.follow(ctx, prefix, resp.Header.Revision, state, fn) {
				delay = 100 * time.Millisecond
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.log.Warn("cluster: watch interrupted, reading again", "prefix", prefix, "err", err, "in", delay)
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// follow applies the changes after rev to state, calling fn after each
// batch, until the watch ends; it reports whether it saw any change.
func (c *Cluster) follow(ctx context.Context, prefix string, rev int64, state map[string]*mvccpb.KeyValue, fn func(map[string]*mvccpb.KeyValue)) bool {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	seen := false
	for resp := range c.cli.Watch(clientv3.WithRequireLeader(wctx), prefix, clientv3.WithPrefix(), clientv3.WithRev(rev+1)) {
		if err := resp.Err(); err != nil {
			c.log.Warn("cluster: watch failed", "prefix", prefix, "err", err)
			return seen
		}
		for _, ev := range resp.Events {
			if ev.Type == clientv3.EventTypeDelete {
				delete(state, string(ev.Kv.Key))
			} else {
				state[string(ev.Kv.Key)] = ev.Kv
			}
		}
		if len(resp.Events) > 0 {
			seen = true
			fn(state)
		}
	}
	return seen
}
