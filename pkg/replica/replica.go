package replica

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"

	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// ErrUncertain: a write whose raft commit was not seen (the leader lost
// its leadership or stopped, or the writer's context ended, after the
// entry entered the log). It may or may not be committed; read before
// writing it again.
var ErrUncertain = errors.New("replica: write outcome unknown")

// Replica is one member of a raft group replicating a feature store. It
// implements store.FeatureBackend: use it through [Replica.Features],
// which validates every request. Writes go through raft on the leader and
// return once committed and applied locally; on a follower they fail with
// a *store.LeaderError naming the leader's service address. Reads are
// served from the local store. Safe for concurrent use.
type Replica struct {
	opts     Options
	local    store.FeatureStore
	fsm      *fsm
	raft     *raft.Raft
	trans    *raft.NetworkTransport
	bolt     *raftboltdb.BoltStore
	features *store.Features

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

var _ store.FeatureBackend = (*Replica)(nil)

// Open starts a member of a raft group over the local store, which holds
// this member's copy of the data (Pebble in production) and must be
// written only by the Replica from now on. Close stops the member; the
// caller closes local afterwards. When opts.Dir holds no raft state and
// opts.Peers is set, the group is bootstrapped.
func Open(local store.FeatureStore, opts Options) (*Replica, error) {
	o := opts
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("replica: %w", err)
	}
	bolt, err := raftboltdb.New(raftboltdb.Options{Path: filepath.Join(o.Dir, "raft.db")})
	if err != nil {
		return nil, fmt.Errorf("replica: open raft log: %w", err)
	}
	r := &Replica{opts: o, local: local, bolt: bolt, stop: make(chan struct{}), done: make(chan struct{})}
	if err := r.start(); err != nil {
		if r.trans != nil {
			r.trans.Close()
		}
		bolt.Close()
		return nil, err
	}
	r.features = store.NewFeatures(r)
	go r.announceLoop()
	return r, nil
}

func (r *Replica) start() error {
	o := r.opts
	logger := newHCLogger(o.Logger, "raft")
	snaps, err := raft.NewFileSnapshotStoreWithLogger(o.Dir, 2, logger)
	if err != nil {
		return fmt.Errorf("replica: snapshot store: %w", err)
	}
	var stable raft.StableStore = r.bolt
	if o.Volatile {
		stable = nil
	}
	if r.fsm, err = newFSM(r.local, stable, o.Logger); err != nil {
		return err
	}
	if o.Checkpoint != nil {
		r.fsm.checkpoint, r.fsm.ckptDir = o.Checkpoint, filepath.Join(o.Dir, "checkpoints")
		if err := os.RemoveAll(r.fsm.ckptDir); err != nil { // copies a crash left behind
			return fmt.Errorf("replica: %w", err)
		}
	}
	restore, err := r.fsm.restoreOnStart()
	if err != nil {
		return err
	}
	adv, err := net.ResolveTCPAddr("tcp", o.Advertise)
	if err != nil {
		return fmt.Errorf("replica: advertise address: %w", err)
	}
	if r.trans, err = raft.NewTCPTransportWithLogger(o.Bind, adv, 3, 10*time.Second, logger); err != nil {
		return fmt.Errorf("replica: raft transport: %w", err)
	}
	conf := raft.DefaultConfig()
	conf.LocalID = raft.ServerID(o.ID)
	conf.Logger = logger
	conf.SnapshotThreshold = o.SnapshotThreshold
	conf.TrailingLogs = o.TrailingLogs
	conf.SnapshotInterval = o.SnapshotInterval
	conf.HeartbeatTimeout = o.HeartbeatTimeout
	conf.ElectionTimeout = o.ElectionTimeout
	conf.LeaderLeaseTimeout = min(conf.LeaderLeaseTimeout, o.HeartbeatTimeout)
	conf.NoSnapshotRestoreOnStart = !restore
	has, err := raft.HasExistingState(r.bolt, r.bolt, snaps)
	if err != nil {
		return fmt.Errorf("replica: %w", err)
	}
	if !has && !o.Volatile {
		// Raft replays its log from the start onto the store: the store
		// must hold nothing yet, or entries would meet their own results.
		attrs, err := r.local.Attrs(context.Background())
		if err != nil {
			return fmt.Errorf("replica: %w", err)
		}
		if len(attrs) > 0 {
			return fmt.Errorf("replica: the raft directory %s is empty but the local store holds %d attributes (%s, ...): a new replica starts from an empty store (empty both, or restore the raft directory)", o.Dir, len(attrs), attrs[0].Key)
		}
	}
	if !has && len(o.Peers) > 0 {
		var cfg raft.Configuration
		for _, p := range o.Peers {
			cfg.Servers = append(cfg.Servers, raft.Server{Suffrage: raft.Voter, ID: raft.ServerID(p.ID), Address: raft.ServerAddress(p.Addr)})
		}
		if err := raft.BootstrapCluster(conf, r.bolt, r.bolt, snaps, r.trans, cfg); err != nil {
			return fmt.Errorf("replica: bootstrap: %w", err)
		}
		o.Logger.Info("replica: bootstrapped raft group", "id", o.ID, "peers", len(o.Peers))
	}
	if r.raft, err = raft.NewRaft(conf, r.fsm, r.bolt, r.bolt, snaps, r.trans); err != nil {
		return fmt.Errorf("replica: start raft: %w", err)
	}
	return nil
}

// Features returns the validating store over the replica; its Close
// closes the replica (not the local store).
func (r *Replica) Features() *store.Features { return r.features }

// Close stops the member: running writes finish or fail with
// ErrUncertain; the local store stays open.
func (r *Replica) Close() error {
	r.closeOnce.Do(func() {
		close(r.stop)
		// Shutdown first: it fails the futures of writes (and of an
		// announcement) still waiting, so nothing below waits on them.
		if err := r.raft.Shutdown().Error(); err != nil {
			r.closeErr = fmt.Errorf("replica: shutdown: %w", err)
		}
		<-r.done
		// Close drops the listener only; the pooled connections to the
		// other members are closed here, which ends their handlers.
		r.trans.CloseStreams()
		if err := r.trans.Close(); err != nil && r.closeErr == nil {
			r.closeErr = fmt.Errorf("replica: close transport: %w", err)
		}
		if err := r.bolt.Close(); err != nil && r.closeErr == nil {
			r.closeErr = fmt.Errorf("replica: close raft log: %w", err)
		}
	})
	return r.closeErr
}

// ID returns this member's raft id.
func (r *Replica) ID() string { return r.opts.ID }

// RaftAddr returns the address the raft transport listens on.
func (r *Replica) RaftAddr() string { return string(r.trans.LocalAddr()) }

// IsLeader reports whether this member is the group's leader now.
func (r *Replica) IsLeader() bool { return r.raft.State() == raft.Leader }

// Leader returns the raft id of the leader this member knows, and the
// service address it announced ("" when unknown).
func (r *Replica) Leader() (id, serviceAddr string) {
	_, lid := r.raft.LeaderWithID()
	return string(lid), r.fsm.member(string(lid))
}

// WaitLeader blocks until the group has a leader this member knows of
// (itself included), or ctx ends.
func (r *Replica) WaitLeader(ctx context.Context) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if id, _ := r.Leader(); id != "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("replica: waiting for a leader: %w", ctx.Err())
		case <-r.stop:
			return store.ErrClosed
		case <-tick.C:
		}
	}
}

// AppliedIndex returns the index of the last log entry applied to the
// local store. A write's index is at most the writer's AppliedIndex
// right after it returned.
func (r *Replica) AppliedIndex() uint64 { return r.fsm.applied.Load() }

// WaitApplied blocks until the local store holds every entry up to index
// (reads then see every write acknowledged at or before it), or ctx ends.
func (r *Replica) WaitApplied(ctx context.Context, index uint64) error {
	return r.fsm.waitApplied(ctx, index)
}

// Snapshot makes raft take a snapshot now (operators, tests).
func (r *Replica) Snapshot() error { return r.raft.Snapshot().Error() }

// errRetry makes write try again as leader.
var errRetry = errors.New("replica: retry as leader")

// write replicates c and returns its log index once it is committed and
// applied here. Errors: *store.LeaderError (this member is not the
// leader; nothing was written), the command's own store error (it was
// committed and failed alike on every replica, changing nothing),
// ErrUncertain, or a context error before the entry entered the log.
func (r *Replica) write(ctx context.Context, c *command) (uint64, error) {
	data := c.encode(make([]byte, 0, c.size()))
	for {
		if r.raft.State() != raft.Leader {
			if err := r.waitLeader(ctx); err != errRetry {
				return 0, err
			}
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		f := r.raft.Apply(data, 0)
		err := r.wait(ctx, f)
		switch {
		case err == nil:
		case errors.Is(err, raft.ErrNotLeader):
			continue // not appended: find the leader
		case errors.Is(err, raft.ErrLeadershipLost), errors.Is(err, raft.ErrRaftShutdown):
			return 0, fmt.Errorf("%w: %w", ErrUncertain, err)
		default:
			return 0, err
		}
		if err, ok := f.Response().(error); ok && err != nil {
			return 0, err
		}
		return f.Index(), nil
	}
}

// wait waits for an apply future, or for ctx (the outcome is then
// uncertain).
func (r *Replica) wait(ctx context.Context, f raft.ApplyFuture) error {
	if ctx.Done() == nil {
		return f.Error()
	}
	done := make(chan error, 1)
	go func() { done <- f.Error() }() // ends with the future, at the latest at shutdown
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrUncertain, ctx.Err())
	}
}

// waitLeader returns errRetry once this member leads, a
// *store.LeaderError once the leader's service address is known or
// LeaderWait has passed, or ctx's error.
func (r *Replica) waitLeader(ctx context.Context) error {
	deadline := time.Now().Add(r.opts.LeaderWait)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if r.raft.State() == raft.Leader {
			return errRetry
		}
		if id, addr := r.Leader(); id != "" && addr != "" {
			return &store.LeaderError{Leader: addr}
		}
		if time.Now().After(deadline) {
			return &store.LeaderError{}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.stop:
			return store.ErrClosed
		case <-tick.C:
		}
	}
}

// announceLoop makes this member, whenever it becomes leader, announce
// its service address through the log.
func (r *Replica) announceLoop() {
	defer close(r.done)
	if r.opts.ServiceAddr == "" {
		return
	}
	ch := r.raft.LeaderCh()
	for {
		select {
		case <-r.stop:
			return
		case leader := <-ch:
			// A new leader always announces, even an address the log
			// already holds: a member restored from an older snapshot may
			// have missed it.
			if !leader {
				continue
			}
			c := &command{op: opAnnounce, id: r.opts.ID, addr: r.opts.ServiceAddr}
			if err := r.raft.Apply(c.encode(nil), 0).Error(); err != nil {
				r.opts.Logger.Warn("replica: announce service address", "err", err)
			}
		}
	}
}

// readable returns an error when the local store may not be read.
func (r *Replica) readable(op string, key store.Key) error {
	if err := r.fsm.stateErr(); err != nil {
		return &store.Error{Op: op, Key: key.String(), Row: store.NoRow, Err: fmt.Errorf("%w: %w", store.ErrUnavailable, err)}
	}
	return nil
}

// CreateAttr implements store.FeatureBackend.
func (r *Replica) CreateAttr(ctx context.Context, info store.AttrInfo) error {
	// The leader's store has every committed entry applied, so it can
	// refuse before the log; a follower's may be behind and leaves the
	// decision to the leader.
	if _, err := r.local.Info(ctx, info.Key); err == nil && r.IsLeader() {
		return store.ErrExists
	}
	_, err := r.write(ctx, &command{op: opCreate, key: info.Key, rows: info.Rows, cols: info.Cols})
	return err
}

// DropAttr implements store.FeatureBackend.
func (r *Replica) DropAttr(ctx context.Context, key store.Key) error {
	if _, err := r.local.Info(ctx, key); err != nil && r.IsLeader() {
		return bare(err) // refused before the log, as in CreateAttr
	}
	_, err := r.write(ctx, &command{op: opDrop, key: key})
	return err
}

// Attrs implements store.FeatureBackend from the local store.
func (r *Replica) Attrs(ctx context.Context) ([]store.AttrInfo, error) {
	if err := r.readable("attrs", store.Key{}); err != nil {
		return nil, err
	}
	return r.local.Attrs(ctx)
}

// Table implements store.FeatureBackend: the attribute as the local store
// knows it. Writes are validated against it, so on a follower that has
// not applied an attribute's Create yet, a write to it fails with
// ErrNotFound rather than reaching the leader.
func (r *Replica) Table(ctx context.Context, key store.Key) (store.FeatureTable, error) {
	if err := r.readable("info", key); err != nil {
		return nil, err
	}
	info, err := r.local.Info(ctx, key)
	if err != nil {
		return nil, bare(err)
	}
	return &table{r: r, info: info}, nil
}

// bare returns the error inside a local *store.Error, so that the
// wrapper names the caller's operation rather than the local one.
func bare(err error) error {
	var se *store.Error
	if errors.As(err, &se) && se.Row == store.NoRow {
		return se.Err
	}
	return err
}

// table is one attribute of a Replica: reads from the local store, writes
// through raft.
type table struct {
	r    *Replica
	info store.AttrInfo
}

var (
	_ store.TableRangeGetter = (*table)(nil)
	_ store.TableRangePutter = (*table)(nil)
)

func (t *table) Info() store.AttrInfo { return t.info }

func (t *table) Get(ctx context.Context, ids []int64, dst *tensor.Dense) error {
	if err := t.r.readable("get", t.info.Key); err != nil {
		return err
	}
	return t.r.local.Get(ctx, t.info.Key, ids, dst)
}

func (t *table) GetRange(ctx context.Context, lo int64, dst *tensor.Dense) error {
	if err := t.r.readable("get", t.info.Key); err != nil {
		return err
	}
	return store.GetRange(ctx, t.r.local, t.info.Key, lo, dst)
}

func (t *table) Put(ctx context.Context, ids []int64, src *tensor.Dense) error {
	_, err := t.r.write(ctx, &command{op: opPut, key: t.info.Key, ids: ids, src: src})
	return err
}

func (t *table) PutRange(ctx context.Context, lo int64, src *tensor.Dense) error {
	_, err := t.r.write(ctx, &command{op: opPutRange, key: t.info.Key, lo: lo, src: src})
	return err
}

func (t *table) Remove(ctx context.Context, ids []int64) error {
	_, err := t.r.write(ctx, &command{op: opRemove, key: t.info.Key, ids: ids})
	return err
}
