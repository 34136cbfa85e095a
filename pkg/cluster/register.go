package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// DefaultTTL is a member's lease time to live when Register is given 0: a
// server that dies drops out of the member list within about this long.
const DefaultTTL = 5 * time.Second

// Registration keeps one member registered: its key lives under a lease
// that a goroutine renews. If the lease is lost anyway (etcd cut off for
// longer than the TTL), the goroutine registers the member again under a
// new lease, backing off from 100 ms to 5 s, rather than letting it vanish.
// Close stops the goroutine and revokes the lease, so the member
// disappears at once.
type Registration struct {
	c      *Cluster
	m      Member
	key    string
	value  []byte
	ttl    int64 // seconds
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	mu    sync.Mutex
	lease clientv3.LeaseID
}

// Register registers m (see Member.Validate) under a lease of ttl (0 =
// DefaultTTL, rounded up to whole seconds) kept alive until Close. If
// another process holds m's ID, Register waits up to that entry's TTL for
// it to go away (a crashed server restarting under the same ID), then
// fails with ErrDuplicate naming the holder.
func (c *Cluster) Register(ctx context.Context, m Member, ttl time.Duration) (*Registration, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if ttl < 0 {
		return nil, fmt.Errorf("cluster: member %s: lease ttl %v, want > 0 (0 = %v)", m, ttl, DefaultTTL)
	}
	if ttl == 0 {
		ttl = DefaultTTL
	}
	value, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("cluster: member %s: %w", m, err)
	}
	r := &Registration{c: c, m: m, key: c.memberKey(m.Role, m.ID), value: value,
		ttl: int64((ttl + time.Second - 1) / time.Second), done: make(chan struct{})}
	lease, err := r.put(ctx, 0)
	var dup *duplicateError
	if errors.As(err, &dup) {
		c.log.Info("cluster: member ID in use, waiting for its lease to end", "member", m.String(), "holder", dup.holder.Addr)
		if err = r.waitGone(ctx, dup); err == nil {
			lease, err = r.put(ctx, 0)
		}
	}
	if err != nil {
		return nil, err
	}
	r.lease = lease
	kctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go r.keepAlive(kctx, lease)
	return r, nil
}

// Member returns the registered member.
func (r *Registration) Member() Member { return r.m }

// Close stops renewing the lease and revokes it, which deletes the
// member's key at once. Calls after the first return nil.
func (r *Registration) Close(ctx context.Context) error {
	err := error(nil)
	r.once.Do(func() {
		r.cancel()
		<-r.done
		r.mu.Lock()
		lease := r.lease
		r.mu.Unlock()
		if _, rerr := r.c.cli.Revoke(ctx, lease); rerr != nil {
			err = fmt.Errorf("cluster: deregister %s: %w", r.m, rerr)
		}
	})
	return err
}

// duplicateError is ErrDuplicate with the entry that holds the ID.
type duplicateError struct {
	holder Member
	lease  clientv3.LeaseID
	rev    int64 // the revision the entry was seen at
}

func (e *duplicateError) Error() string {
	return fmt.Sprintf("%v: %s at %s, started %s", ErrDuplicate, e.holder, e.holder.Addr, e.holder.StartedAt.Format(time.RFC3339))
}

func (e *duplicateError) Unwrap() error { return ErrDuplicate }

// put grants a lease and writes the member under it, if the key is free or
// still held by prev (our own lost lease); it returns the new lease.
func (r *Registration) put(ctx context.Context, prev clientv3.LeaseID) (clientv3.LeaseID, error) {
	grant, err := r.c.cli.Grant(ctx, r.ttl)
	if err != nil {
		return 0, fmt.Errorf("cluster: register %s: grant lease: %w", r.m, err)
	}
	fail := func(err error) (clientv3.LeaseID, error) {
		// Best effort: an unused lease expires by itself anyway.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_, _ = r.c.cli.Revoke(rctx, grant.ID)
		return 0, err
	}
	put := clientv3.OpPut(r.key, string(r.value), clientv3.WithLease(grant.ID))
	resp, err := r.c.cli.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(r.key), "=", 0)).
		Then(put).Else(clientv3.OpGet(r.key)).Commit()
	if err != nil {
		return fail(fmt.Errorf("cluster: register %s: %w", r.m, err))
	}
	if resp.Succeeded {
		return grant.ID, nil
	}
	kvs := resp.Responses[0].GetResponseRange().Kvs
	if len(kvs) == 0 { // deleted in between: try again later
		return fail(fmt.Errorf("cluster: register %s: entry changed during registration", r.m))
	}
	kv := kvs[0]
	if prev != 0 && clientv3.LeaseID(kv.Lease) == prev {
		// Our old entry under a lease the server has not expired yet.
		resp, err := r.c.cli.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(r.key), "=", kv.ModRevision)).
			Then(put).Commit()
		if err != nil {
			return fail(fmt.Errorf("cluster: register %s: %w", r.m, err))
		}
		if resp.Succeeded {
			return grant.ID, nil
		}
		return fail(fmt.Errorf("cluster: register %s: entry changed during registration", r.m))
	}
	dup := &duplicateError{lease: clientv3.LeaseID(kv.Lease), rev: resp.Header.Revision}
	if err := json.Unmarshal(kv.Value, &dup.holder); err != nil {
		dup.holder = Member{ID: r.m.ID, Role: r.m.Role, Addr: "?"}
	}
	return fail(dup)
}

// waitGone waits for the entry dup saw to be deleted, for at most its
// lease's TTL plus a second, and returns dup if it is still there.
func (r *Registration) waitGone(ctx context.Context, dup *duplicateError) error {
	wait := time.Duration(r.ttl) * time.Second
	if dup.lease != 0 {
		if ttl, err := r.c.cli.TimeToLive(ctx, dup.lease); err == nil && ttl.GrantedTTL > 0 {
			wait = time.Duration(ttl.GrantedTTL) * time.Second
		}
	}
	wctx, cancel := context.WithTimeout(ctx, wait+time.Second)
	defer cancel()
	for resp := range r.c.cli.Watch(clientv3.WithRequireLeader(wctx), r.key, clientv3.WithRev(dup.rev+1)) {
		for _, ev := range resp.Events {
			if ev.Type == clientv3.EventTypeDelete {
				return nil
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cluster: register %s: %w", r.m, err)
	}
	return dup
}

// keepAlive renews lease until ctx ends, and registers the member again
// when the lease is lost.
func (r *Registration) keepAlive(ctx context.Context, lease clientv3.LeaseID) {
	defer close(r.done)
	for {
		ch, err := r.c.cli.KeepAlive(ctx, lease)
		if err == nil {
			for range ch {
			}
		}
		if ctx.Err() != nil || r.c.cli.Ctx().Err() != nil {
			return
		}
		r.c.log.Warn("cluster: lease lost, registering again", "member", r.m.String(), "err", err)
		for delay := 100 * time.Millisecond; ; delay = min(2*delay, 5*time.Second) {
			next, err := r.put(ctx, lease)
			if err == nil {
				lease = next
				r.mu.Lock()
				r.lease = lease
				r.mu.Unlock()
				r.c.log.Info("cluster: registered again", "member", r.m.String())
				break
			}
			if ctx.Err() != nil || r.c.cli.Ctx().Err() != nil {
				return
			}
			r.c.log.Warn("cluster: register again failed, retrying", "member", r.m.String(), "err", err, "in", delay)
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return
			}
		}
	}
}
