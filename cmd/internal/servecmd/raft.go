package servecmd

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"google.golang.org/grpc"

	"github.com/gnnscale/gnnscale/pkg/replica"
	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
)

// raftFlags make a feature server one replica of a raft group
// (pkg/replica). Without --raft-id the server is not replicated.
type raftFlags struct {
	id, bind, advertise, dir, peers string
	snapshotThreshold, trailingLogs uint64
}

func addRaftFlags(fs *flag.FlagSet) *raftFlags {
	f := &raftFlags{}
	fs.StringVar(&f.id, "raft-id", "", "this replica's raft server `ID`, unique in its group; set to replicate the store through raft (empty: no raft)")
	fs.StringVar(&f.bind, "raft-addr", "", "`host:port` the raft transport listens on (needs --raft-id)")
	fs.StringVar(&f.advertise, "raft-advertise", "", "`host:port` the other replicas reach the raft transport at (default --raft-addr)")
	fs.StringVar(&f.dir, "raft-dir", "", "`directory` of the raft log and snapshots (default DIR/raft with --dir; required without)")
	fs.Uint64Var(&f.snapshotThreshold, "raft-snapshot-threshold", 8192, "take a snapshot (a copy of the whole store) every `N` writes; raise it for large stores, at the cost of a longer raft log")
	fs.Uint64Var(&f.trailingLogs, "raft-trailing-logs", 10240, "writes kept in the raft log behind a snapshot: a replica behind by fewer catches up from the log, one behind by more receives a snapshot")
	fs.StringVar(&f.peers, "raft-peers", "", "the initial group, this replica included: `id=host:port,...` (raft addresses); bootstraps the group on first start, ignored once the raft directory holds state")
	return f
}

func (f *raftFlags) enabled() bool { return f.id != "" }

// check reports raft flags that are missing or given without --raft-id,
// all at once.
func (f *raftFlags) check(fs *flag.FlagSet, dir string) error {
	if !f.enabled() {
		var set []string
		fs.Visit(func(fl *flag.Flag) {
			if strings.HasPrefix(fl.Name, "raft-") {
				set = append(set, "--"+fl.Name)
			}
		})
		if len(set) > 0 {
			return fmt.Errorf("%s: needs --raft-id", strings.Join(set, ", "))
		}
		return nil
	}
	var bad []string
	if f.bind == "" {
		bad = append(bad, "--raft-id needs --raft-addr")
	}
	if f.dir == "" && dir == "" {
		bad = append(bad, "--raft-id without --dir needs --raft-dir")
	}
	if f.snapshotThreshold < 1 || f.trailingLogs < 1 {
		bad = append(bad, "--raft-snapshot-threshold and --raft-trailing-logs must be >= 1")
	}
	if f.peers != "" {
		peers, err := replica.ParsePeers(f.peers)
		if err != nil {
			bad = append(bad, "--raft-peers: "+err.Error())
		} else if !slices.ContainsFunc(peers, func(p replica.Peer) bool { return p.ID == f.id }) {
			bad = append(bad, fmt.Sprintf("--raft-peers does not include this member (--raft-id %s)", f.id))
		}
	}
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

// open starts the replica over st, announcing serviceAddr as the address
// clients reach it at.
func (f *raftFlags) open(st *store.Store, dir, serviceAddr string, log *slog.Logger) (*replica.Replica, error) {
	rdir := f.dir
	if rdir == "" {
		rdir = filepath.Join(dir, "raft")
	}
	var peers []replica.Peer
	if f.peers != "" {
		var err error
		if peers, err = replica.ParsePeers(f.peers); err != nil {
			return nil, err
		}
	}
	opts := replica.Options{
		ID: f.id, Bind: f.bind, Advertise: f.advertise, Dir: rdir, Peers: peers,
		ServiceAddr: serviceAddr, Volatile: dir == "", Logger: log,
		SnapshotThreshold: f.snapshotThreshold, TrailingLogs: f.trailingLogs,
	}
	if pb, ok := st.Backend().(*pebblestore.Backend); ok {
		// Snapshots read a Pebble checkpoint: writes pause only while it
		// is linked, not while the snapshot is written.
		opts.Checkpoint = func(dir string) (replica.Checkpoint, error) {
			if err := pb.Checkpoint(dir); err != nil {
				return nil, err
			}
			return pebblestore.Open(dir, &pebblestore.Options{ReadOnly: true, RowCacheBytes: -1, Logger: log})
		}
	}
	rep, err := replica.Open(st.Features, opts)
	if err != nil {
		return nil, err
	}
	log.Info("raft replica started", "id", f.id, "raft", rep.RaftAddr(), "dir", rdir, "announces", serviceAddr)
	return rep, nil
}

// registerReplica serves the replica's store on srv; the returned
// function closes the server's connections to leaders.
func registerReplica(srv *grpc.Server, rep *replica.Replica) func() error {
	fsrv := rpc.NewReplicatedFeatureServer(rep.Features(), rep)
	rpcpb.RegisterFeatureStoreServer(srv, fsrv)
	return fsrv.Close
}
