package replica

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"

	"github.com/gnnscale/gnnscale/pkg/store"
)

// Keys of the replica's records in raft's stable store (raft-boltdb).
var (
	keyApplied = []byte("gnnscale/applied") // index of the last command applied to the local store
	keyDirty   = []byte("gnnscale/dirty")   // 1 while a snapshot is being restored into the local store
	keyMembers = []byte("gnnscale/members") // encoded id -> service address map
)

// Replaying the log onto a store that already holds it.
//
// The local store is durable (Pebble) and outlives the process, but raft
// replays, after a restart, every entry after its latest snapshot. Applying
// a sequence twice is not safe in general: Create k, Put k r, Drop k,
// Create k replayed onto its own result would re-create, re-fill and drop
// the new k. So the FSM records, after every command it applies, the
// command's index in the stable store (fsynced), and on restart skips
// entries up to the recorded index; raft is told not to restore its
// snapshot on start (Config.NoSnapshotRestoreOnStart), since the store is
// already at least as new as the snapshot.
//
// A crash between applying entry i and recording i replays exactly entry
// i onto a store that already holds it. That is safe because every command
// is idempotent on its own result: Put and Remove set rows to the same
// values again; Create finds the attribute it made (ErrExists) and Drop
// finds it gone (ErrNotFound), both changing nothing. Only the last entry
// can be replayed this way, because i is recorded before entry i+1 is
// applied.
//
// A snapshot restore wipes the local store first; it sets the dirty mark
// before and clears it (with the snapshot's index as the applied index)
// after. A crash in between leaves the mark, and the next start restores
// raft's latest snapshot from scratch and replays the log after it.
//
// Errors of a command are deterministic when they wrap one of the store's
// input sentinels (ErrNotFound, ErrOutOfRange, ErrShape, ErrExists,
// ErrInvalid): every replica, holding the same state at that index, gets
// the same one, and the writer receives it. Any other error (a disk
// failure) is not deterministic: the replica stops applying and serving
// reads (errFailed) without recording the index, so after the operator
// fixes the cause a restart replays from the failed entry.

// errFailed is the state of a replica whose local store failed a write.
var errFailed = errors.New("replica: local store failed a replicated write; restart the replica")

// errRestoring is the state of a replica restoring a snapshot.
var errRestoring = errors.New("replica: restoring a snapshot")

// fsm applies committed commands to the local store. raft calls Apply,
// Snapshot and Restore from one goroutine; the other methods are safe for
// concurrent use.
type fsm struct {
	st store.FeatureStore
	// checkpoint, when set, copies st for a snapshot into a directory
	// under ckptDir (Options.Checkpoint).
	checkpoint func(dir string) (Checkpoint, error)
	ckptDir    string
	stable     raft.StableStore // nil for a volatile store: nothing is recorded
	log        *slog.Logger

	// snapMu is held by Apply and Restore, and by a snapshot from
	// Snapshot until Release: the snapshot reads the store as of its
	// index while applies wait.
	snapMu sync.Mutex
	skip   uint64 // entries up to this index are already in the store

	applied atomic.Uint64
	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever applied moves
	members map[string]string
	state   error // nil, errRestoring or errFailed (wrapped)

	restores atomic.Int64 // snapshots restored, for tests and logs
}

func newFSM(st store.FeatureStore, stable raft.StableStore, log *slog.Logger) (*fsm, error) {
	f := &fsm{st: st, stable: stable, log: log, changed: make(chan struct{}), members: map[string]string{}}
	if stable == nil {
		return f, nil
	}
	applied, err := getUint64(stable, keyApplied)
	if err != nil {
		return nil, err
	}
	dirty, err := getUint64(stable, keyDirty)
	if err != nil {
		return nil, err
	}
	if dirty == 0 {
		f.skip = applied
		f.applied.Store(applied)
	}
	b, err := stable.Get(keyMembers)
	if err != nil && !isNotFound(err) {
		return nil, fmt.Errorf("replica: read members: %w", err)
	}
	if len(b) > 0 {
		if f.members, err = decodeMembers(b); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// restoreOnStart reports whether raft must restore its snapshot into the
// local store at start (the store is volatile, or a restore was cut
// short).
func (f *fsm) restoreOnStart() (bool, error) {
	if f.stable == nil {
		return true, nil
	}
	dirty, err := getUint64(f.stable, keyDirty)
	return dirty != 0, err
}

// getUint64 reads a stable-store counter; a missing key is 0.
func getUint64(s raft.StableStore, key []byte) (uint64, error) {
	v, err := s.GetUint64(key)
	if err != nil && !isNotFound(err) {
		return 0, fmt.Errorf("replica: read %s: %w", key, err)
	}
	return v, nil
}

// isNotFound reports a missing key: raft-boltdb's ErrKeyNotFound, or the
// same text from raft.InmemStore (tests), which has no sentinel.
func isNotFound(err error) bool {
	return errors.Is(err, raftboltdb.ErrKeyNotFound) || err != nil && err.Error() == raftboltdb.ErrKeyNotFound.Error()
}

// Apply implements raft.FSM; it returns nil or the command's error.
func (f *fsm) Apply(l *raft.Log) any {
	f.snapMu.Lock()
	defer f.snapMu.Unlock()
	if l.Type != raft.LogCommand {
		return nil
	}
	if l.Index <= f.skip {
		f.setApplied(l.Index)
		return nil
	}
	if err := f.stateErr(); err != nil {
		return err
	}
	c, err := decodeCommand(l.Data)
	if err == nil {
		err = f.exec(c)
		if err != nil && !deterministic(err) {
			err = fmt.Errorf("%w: %s at index %d: %w", errFailed, c.op, l.Index, err)
			f.log.Error("replica: local store failed a replicated write; not applying further entries", "index", l.Index, "err", err)
			f.setState(err)
			return err
		}
	}
	if rerr := f.record(keyApplied, l.Index); rerr != nil {
		f.setState(rerr)
		return rerr
	}
	f.setApplied(l.Index)
	return err
}

// deterministic reports whether err is a store input error, which every
// replica gets alike at the same index.
func deterministic(err error) bool {
	for _, s := range []error{store.ErrNotFound, store.ErrOutOfRange, store.ErrShape, store.ErrExists, store.ErrInvalid, ErrBadCommand} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// exec applies one command to the local store.
func (f *fsm) exec(c *command) error {
	ctx := context.Background() // a committed entry is applied whatever the writer does
	switch c.op {
	case opCreate:
		return f.st.Create(ctx, store.AttrInfo{Key: c.key, Rows: c.rows, Cols: c.cols})
	case opDrop:
		return f.st.Drop(ctx, c.key)
	case opPut:
		return f.st.Put(ctx, c.key, c.ids, c.src)
	case opPutRange:
		return store.PutRange(ctx, f.st, c.key, c.lo, c.src)
	case opRemove:
		return f.st.Remove(ctx, c.key, c.ids)
	case opAnnounce:
		f.mu.Lock()
		f.members[c.id] = c.addr
		b := encodeMembers(f.members)
		f.mu.Unlock()
		if f.stable != nil {
			if err := f.stable.Set(keyMembers, b); err != nil {
				return fmt.Errorf("replica: record members: %w", err)
			}
		}
		return nil
	}
	return fmt.Errorf("%w: unknown op %d", ErrBadCommand, c.op)
}

func (f *fsm) record(key []byte, v uint64) error {
	if f.stable == nil {
		return nil
	}
	if err := f.stable.SetUint64(key, v); err != nil {
		return fmt.Errorf("%w: record %s = %d: %w", errFailed, key, v, err)
	}
	return nil
}

func (f *fsm) setApplied(i uint64) {
	f.mu.Lock()
	f.applied.Store(i)
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
}

func (f *fsm) setState(err error) {
	f.mu.Lock()
	f.state = err
	f.mu.Unlock()
}

// stateErr returns why the local store may not be read, or nil.
func (f *fsm) stateErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state
}

// waitApplied blocks until the applied index reaches i or ctx ends.
func (f *fsm) waitApplied(ctx context.Context, i uint64) error {
	for {
		f.mu.Lock()
		ch := f.changed
		f.mu.Unlock()
		if f.applied.Load() >= i {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("replica: waiting for index %d (applied %d): %w", i, f.applied.Load(), ctx.Err())
		}
	}
}

// member returns the service address announced by raft member id.
func (f *fsm) member(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.members[id]
}

// Snapshot implements raft.FSM. With a checkpoint function it copies the
// store (applies wait only for that) and the snapshot reads the copy;
// otherwise it holds applies back until the snapshot is persisted and
// released.
func (f *fsm) Snapshot() (raft.FSMSnapshot, error) {
	f.snapMu.Lock()
	f.mu.Lock()
	members := encodeMembers(f.members)
	f.mu.Unlock()
	index := f.applied.Load()
	if f.checkpoint == nil {
		return &snapshot{src: f.st, index: index, members: members, release: f.snapMu.Unlock}, nil
	}
	defer f.snapMu.Unlock()
	dir := filepath.Join(f.ckptDir, fmt.Sprintf("checkpoint-%d", index))
	if err := os.RemoveAll(dir); err != nil { // left by a crash
		return nil, fmt.Errorf("replica: checkpoint: %w", err)
	}
	ck, err := f.checkpoint(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("replica: checkpoint at %d: %w", index, err)
	}
	release := func() {
		if err := ck.Close(); err != nil {
			f.log.Warn("replica: close checkpoint", "dir", dir, "err", err)
		}
		if err := os.RemoveAll(dir); err != nil {
			f.log.Warn("replica: remove checkpoint", "dir", dir, "err", err)
		}
	}
	return &snapshot{src: ck, index: index, members: members, release: release}, nil
}

// Restore implements raft.FSM: the local store is replaced by the
// snapshot's content.
func (f *fsm) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	f.snapMu.Lock()
	defer f.snapMu.Unlock()
	f.setState(errRestoring)
	if err := f.record(keyDirty, 1); err != nil {
		f.setState(err)
		return err
	}
	index, members, err := restoreSnapshot(context.Background(), f.st, rc)
	if err != nil {
		err = fmt.Errorf("replica: restore snapshot: %w", err)
		f.setState(err)
		return err
	}
	if f.stable != nil {
		if err := f.stable.Set(keyMembers, encodeMembers(members)); err != nil {
			f.setState(err)
			return fmt.Errorf("replica: record members: %w", err)
		}
	}
	if err := f.record(keyApplied, index); err != nil {
		f.setState(err)
		return err
	}
	if err := f.record(keyDirty, 0); err != nil {
		f.setState(err)
		return err
	}
	f.mu.Lock()
	f.members = members
	f.state = nil
	f.mu.Unlock()
	f.skip = index
	f.setApplied(index)
	f.restores.Add(1)
	f.log.Info("replica: restored snapshot", "index", index)
	return nil
}
