// Command featurestore is GNNScale's feature server: it serves a feature
// store (Pebble on disk, or memory) over gRPC, the FeatureStore service of
// proto/gnnscale/v1. Trainers and gnnctl reach it with rpc.DialFeatures.
//
//	featurestore --listen 0.0.0.0:7070 --dir /data/features
//
// SIGINT or SIGTERM stops it gracefully: running requests finish, then the
// store is closed.
package main

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

	"google.golang.org/grpc"

	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "featurestore:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends. ready, when non-nil, is called with the
// address the server listens on once it accepts connections.
func run(ctx context.Context, args []string, stderr io.Writer, ready func(addr string)) error {
	fs := flag.NewFlagSet("featurestore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:7070", "address to serve on (host:port; port 0 picks a free one)")
	dir := fs.String("dir", "", "Pebble directory holding the features (created if missing); empty keeps them in memory")
	verbose := fs.Bool("v", false, "log at debug level")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	var st *store.Store
	if *dir == "" {
		st = memstore.Open()
	} else {
		var err error
		if st, err = pebblestore.Open(*dir, nil); err != nil {
			return err
		}
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close store", "err", err)
		}
	}()

	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := grpc.NewServer(rpc.ServerOptions()...)
	rpcpb.RegisterFeatureStoreServer(srv, rpc.NewFeatureServer(st.Features))
	storage := "memory"
	if *dir != "" {
		storage = *dir
	}
	log.Info("featurestore serving", "addr", lis.Addr().String(), "store", storage)
	if ready != nil {
		ready(lis.Addr().String())
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		log.Info("featurestore stopping")
		srv.GracefulStop()
	}()
	err = srv.Serve(lis)
	cancel()
	<-stopped
	return err
}
