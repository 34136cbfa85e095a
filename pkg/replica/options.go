package replica

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gnnscale/gnnscale/pkg/store"
)

// Peer is one member of a raft group: its raft server id and the address
// its raft transport listens on.
type Peer struct {
	ID, Addr string
}

// ParsePeers parses "id=host:port,id=host:port,...". Ids and addresses
// must be non-empty and ids distinct.
func ParsePeers(s string) ([]Peer, error) {
	var peers []Peer
	seen := map[string]bool{}
	for i, f := range strings.Split(s, ",") {
		id, addr, ok := strings.Cut(strings.TrimSpace(f), "=")
		switch {
		case !ok || id == "" || addr == "":
			return nil, fmt.Errorf("replica: peers: entry %d %q: want id=host:port", i+1, f)
		case seen[id]:
			return nil, fmt.Errorf("replica: peers: entry %d: id %q repeats", i+1, id)
		}
		seen[id] = true
		peers = append(peers, Peer{ID: id, Addr: addr})
	}
	return peers, nil
}

// Checkpoint is a point-in-time copy of the local store, opened for
// reading; *store.Store satisfies it.
type Checkpoint interface {
	store.FeatureReader
	Attrs(ctx context.Context) ([]store.AttrInfo, error)
	Close() error
}

// Options configures a Replica. Zero fields take the default named in
// their comment; ID, Bind and Dir are required.
type Options struct {
	// ID is this member's raft server id, unique in the group.
	ID string
	// Bind is the host:port the raft transport listens on.
	Bind string
	// Advertise is the host:port the other members dial; default Bind,
	// which then must name a host (not 0.0.0.0).
	Advertise string
	// Dir holds the raft log and stable store (raft.db, raft-boltdb) and
	// the snapshots (snapshots/). It belongs with the local store: remove
	// both or neither.
	Dir string
	// Peers is the initial group, this member included. It bootstraps the
	// group when Dir holds no raft state yet and is ignored afterwards, so
	// a restart passes the same flags. Each member of a new group must be
	// given the same Peers. Empty: join no group (a member added later).
	Peers []Peer
	// ServiceAddr is the address clients reach this member's feature
	// service at. A leader announces it through the log, so followers can
	// name (and the RPC server forward writes to) the leader.
	ServiceAddr string
	// Checkpoint, when set, makes a snapshot cheap for the writes: it
	// writes a point-in-time copy of the local store to dir (which does
	// not exist yet) and opens it for reading. Applies wait only while it
	// runs (a Pebble checkpoint is hard links: see
	// pebblestore.Backend.Checkpoint), then the snapshot is streamed from
	// the copy, which is closed and removed afterwards. Without it,
	// applies wait while the snapshot is streamed from the local store.
	Checkpoint func(dir string) (Checkpoint, error)
	// Volatile says the local store does not survive a restart (memory):
	// every start rebuilds it from raft's snapshot and log instead of
	// skipping entries it already holds.
	Volatile bool

	// SnapshotThreshold is how many log entries trigger a snapshot
	// (raft's SnapshotThreshold). Default 8192.
	SnapshotThreshold uint64
	// TrailingLogs is how many entries are kept behind a snapshot, so a
	// briefly lagging member catches up from the log rather than a
	// snapshot install. Default 10240.
	TrailingLogs uint64
	// SnapshotInterval is how often raft checks SnapshotThreshold.
	// Default 2 minutes.
	SnapshotInterval time.Duration
	// HeartbeatTimeout and ElectionTimeout are raft's (default 1 s each);
	// a dead leader is replaced within about twice ElectionTimeout.
	HeartbeatTimeout, ElectionTimeout time.Duration
	// LeaderWait is how long a write on a follower waits for a leader to
	// be known before it fails with store.ErrNotLeader and no leader
	// address. Default 5 s.
	LeaderWait time.Duration
	// Logger receives raft's log lines (hclog routed to slog, raft's Debug
	// and Trace at Debug). Default slog.Default().
	Logger *slog.Logger
}

// EnsureDefaults fills every zero field with its default and returns o.
func (o *Options) EnsureDefaults() *Options {
	if o.Advertise == "" {
		o.Advertise = o.Bind
	}
	if o.SnapshotThreshold == 0 {
		o.SnapshotThreshold = 8192
	}
	if o.TrailingLogs == 0 {
		o.TrailingLogs = 10240
	}
	if o.SnapshotInterval == 0 {
		o.SnapshotInterval = 2 * time.Minute
	}
	if o.HeartbeatTimeout == 0 {
		o.HeartbeatTimeout = time.Second
	}
	if o.ElectionTimeout == 0 {
		o.ElectionTimeout = time.Second
	}
	if o.LeaderWait == 0 {
		o.LeaderWait = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Validate reports every missing or inconsistent field at once.
func (o *Options) Validate() error {
	var bad []string
	if o.ID == "" {
		bad = append(bad, "ID is empty")
	}
	if o.Bind == "" {
		bad = append(bad, "Bind is empty")
	}
	if o.Dir == "" {
		bad = append(bad, "Dir is empty")
	}
	if len(o.Peers) > 0 {
		self := false
		for _, p := range o.Peers {
			if p.ID == o.ID {
				self = true
				if p.Addr != o.Advertise {
					bad = append(bad, fmt.Sprintf("Peers gives %s the address %s, but it advertises %s", p.ID, p.Addr, o.Advertise))
				}
			}
		}
		if !self {
			bad = append(bad, fmt.Sprintf("Peers does not include this member (%q)", o.ID))
		}
	}
	if o.HeartbeatTimeout < 5*time.Millisecond || o.ElectionTimeout < 5*time.Millisecond {
		bad = append(bad, fmt.Sprintf("HeartbeatTimeout (%v) and ElectionTimeout (%v) must be >= 5ms", o.HeartbeatTimeout, o.ElectionTimeout))
	}
	if o.TrailingLogs < 1 || o.SnapshotThreshold < 1 {
		bad = append(bad, "TrailingLogs and SnapshotThreshold must be >= 1")
	}
	if len(bad) > 0 {
		return errors.New("replica: invalid options: " + strings.Join(bad, "; "))
	}
	return nil
}
