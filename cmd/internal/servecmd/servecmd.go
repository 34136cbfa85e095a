// Package servecmd is the body of GNNScale's server commands
// (cmd/featurestore, cmd/graphstore): flags, the store they serve (Pebble
// in a directory, or memory), logging, serving until SIGINT or SIGTERM,
// and a graceful stop: running requests finish, then the store closes.
// With --etcd the server registers itself in etcd (pkg/cluster) once it
// serves, and deregisters before it stops. With --raft-id (featurestore
// only) the store is one replica of a raft group (pkg/replica; flags in
// raft.go).
package servecmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"

	"github.com/gnnscale/gnnscale/cmd/internal/promserve"
	"github.com/gnnscale/gnnscale/pkg/cluster"
	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
)

// Service is what one server command serves.
type Service struct {
	Name     string       // the command: featurestore, graphstore
	Listen   string       // the default --listen address
	What     string       // what --dir holds, for its help: "features", "topology"
	Role     cluster.Role // its role in etcd; graph servers also take --shard
	Register func(srv *grpc.Server, st *store.Store)
	// Raft adds the --raft-* flags: the store is then one replica of a
	// raft group (pkg/replica) served by a replicated feature server.
	Raft bool
}

// Features is cmd/featurestore: the FeatureStore service.
var Features = Service{
	Name: "featurestore", Listen: "127.0.0.1:7070", What: "features", Role: cluster.RoleFeatures, Raft: true,
	Register: func(srv *grpc.Server, st *store.Store) {
		rpcpb.RegisterFeatureStoreServer(srv, rpc.NewFeatureServer(st.Features))
	},
}

// Graph is cmd/graphstore: the GraphStore service.
var Graph = Service{
	Name: "graphstore", Listen: "127.0.0.1:7071", What: "topology", Role: cluster.RoleGraph,
	Register: func(srv *grpc.Server, st *store.Store) {
		rpcpb.RegisterGraphStoreServer(srv, rpc.NewGraphServer(st.Graph))
	},
}

// Main runs svc with the process's arguments and exits on an error.
func Main(svc Service) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, svc, os.Args[1:], os.Stderr, nil)
	stop()
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, svc.Name+":", err)
		os.Exit(1)
	}
}

// Run serves svc until ctx ends. ready, when non-nil, is called with the
// address the server listens on once it accepts connections (and, with
// --etcd, is registered).
func Run(ctx context.Context, svc Service, args []string, stderr io.Writer, ready func(addr string)) error {
	fs := flag.NewFlagSet(svc.Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", svc.Listen, "address to serve on (host:port; port 0 picks a free one)")
	dir := fs.String("dir", "", "Pebble directory holding the "+svc.What+" (created if missing); empty keeps them in memory")
	verbose := fs.Bool("v", false, "log at debug level")
	cpuProfile := fs.String("cpuprofile", "", "write a pprof CPU profile of the server's life to this file")
	metricsAddr := fs.String("metrics", "", "serve Prometheus metrics at http://ADDR/metrics (host:port; empty: none)")
	cf := addClusterFlags(fs, svc)
	rf := &raftFlags{}
	if svc.Raft {
		rf = addRaftFlags(fs)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cf.check(fs, rf.enabled()); err != nil {
		return err
	}
	if err := rf.check(fs, *dir); err != nil {
		return err
	}
	stopProfile, err := promserve.StartCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	storage := "memory"
	var st *store.Store
	if *dir == "" {
		st = memstore.Open()
	} else {
		var err error
		if st, err = pebblestore.Open(*dir, nil); err != nil {
			return err
		}
		storage = *dir
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close store", "err", err)
		}
	}()

	opts := rpc.ServerOptions()
	var reg *prometheus.Registry // with --metrics
	if *metricsAddr != "" {
		reg = promserve.NewRegistry()
		if pb, ok := st.Backend().(*pebblestore.Backend); ok {
			registerPebble(reg, pb)
		}
		opts = append(opts, rpc.NewMetrics(reg).ServerOption())
		stop, err := promserve.Serve(*metricsAddr, reg, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := grpc.NewServer(opts...)
	if rf.enabled() {
		addr, err := advertised(cf.advertise, lis.Addr())
		if err != nil {
			lis.Close()
			return err
		}
		rep, err := rf.open(st, *dir, addr, log)
		if err != nil {
			lis.Close()
			return err
		}
		defer func() { // after the server stopped, before the store closes
			if err := rep.Close(); err != nil {
				log.Error("close raft replica", "err", err)
			}
		}()
		if reg != nil {
			registerRaft(reg, rep)
		}
		closeServer := registerReplica(srv, rep) // registers now
		defer closeServer()
	} else {
		svc.Register(srv, st)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	log.Info(svc.Name+" serving", "addr", lis.Addr().String(), "store", storage)
	deregister, err := cf.register(ctx, svc, lis.Addr(), log)
	if err != nil {
		srv.Stop()
		<-served
		return err
	}
	if ready != nil {
		ready(lis.Addr().String())
	}
	stopped := false
	select {
	case <-ctx.Done():
		log.Info(svc.Name + " stopping")
	case err = <-served:
		stopped = true
	}
	if deregister != nil {
		deregister() // clients stop choosing this server before it goes
	}
	srv.GracefulStop()
	if !stopped {
		err = <-served
	}
	return err
}
