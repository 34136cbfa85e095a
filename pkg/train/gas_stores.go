package train

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/gnnscale/gnnscale/pkg/gas"
	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
)

// gasStores is where a GAS data folder's rows and topology live: the
// folder's Pebble store, or a feature server and graph servers (the
// Pebble store is opened only for what no server holds).
type gasStores struct {
	features store.FeatureStore
	graph    []store.GraphStore // one, or one per graph server
	closers  []func() error
	// featureSet and graphSets are the replicated stores (nil where a
	// server has one replica), for marking replicas down.
	featureSet replicaMarker
	graphSets  []replicaMarker
}

// readers returns the graph stores as neighbour readers.
func (s *gasStores) readers() []store.NeighborReader {
	rs := make([]store.NeighborReader, len(s.graph))
	for i, g := range s.graph {
		rs[i] = g
	}
	return rs
}

func (s *gasStores) close() error {
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}

// openGASStores opens the stores of the folder g.Store, creating its
// Pebble store (with options popts) if missing. A server given as several
// replicas ("a|b") is read from whichever answers; to write (all is true)
// every replica must answer, to read one is enough.
func openGASStores(ctx context.Context, g *GASConfig, popts *pebblestore.Options, all bool, log *slog.Logger) (*gasStores, error) {
	s := &gasStores{}
	fail := func(err error) (*gasStores, error) {
		s.close()
		return nil, err
	}
	if g.FeatureServer != "" {
		var reps []store.FeatureStore
		for _, addr := range g.featureReplicas() {
			fs, err := rpc.DialFeatures(addr)
			if err != nil {
				return fail(fmt.Errorf("gas.feature_server: %w", err))
			}
			s.closers = append(s.closers, fs.Close)
			reps = append(reps, fs)
		}
		probe := func(i int) error { _, err := reps[i].Attrs(ctx); return err }
		if err := waitReplicas(ctx, "feature server", g.featureReplicas(), all, g.serverWait(), probe, log); err != nil {
			return fail(err)
		}
		s.features = reps[0]
		if len(reps) > 1 {
			rf := store.NewReplicatedFeatures(logFailover(log, "feature server", g.featureReplicas()), reps...)
			s.features, s.featureSet = rf, rf
		}
	}
	for _, shard := range g.graphServers() {
		var reps []store.GraphStore
		for _, addr := range shard {
			gs, err := rpc.DialGraph(addr)
			if err != nil {
				return fail(fmt.Errorf("gas.graph_server: %w", err))
			}
			s.closers = append(s.closers, gs.Close)
			reps = append(reps, gs)
		}
		probe := func(i int) error { _, err := reps[i].EdgeTypes(ctx); return err }
		if err := waitReplicas(ctx, "graph server", shard, all, g.serverWait(), probe, log); err != nil {
			return fail(err)
		}
		gs := reps[0]
		var set replicaMarker
		if len(reps) > 1 {
			rg := store.NewReplicatedGraph(logFailover(log, "graph server", shard), reps...)
			gs, set = rg, rg
		}
		s.graph = append(s.graph, gs)
		s.graphSets = append(s.graphSets, set)
	}
	if s.features == nil || s.graph == nil {
		st, err := pebblestore.Open(filepath.Join(g.Store, gas.StoreSubdir), popts)
		if err != nil {
			return fail(fmt.Errorf("gas.store: %w", err))
		}
		s.closers = append(s.closers, st.Close)
		if s.features == nil {
			s.features = st
		}
		if s.graph == nil {
			s.graph = []store.GraphStore{st}
		}
	}
	return s, nil
}

// logFailover logs a read leaving an unavailable replica.
func logFailover(log *slog.Logger, what string, addrs []string) func(int, error) {
	return func(i int, err error) {
		log.Warn(what+" replica unavailable, reading from another", "addr", addrs[i], "err", err)
	}
}

// featureReplicas returns the replicas of gas.feature_server (one shard:
// "a|b").
func (g *GASConfig) featureReplicas() []string {
	var out []string
	for _, shard := range rpc.SplitAddrs(g.FeatureServer) {
		out = append(out, shard...)
	}
	return out
}

// graphServers returns the shards of gas.graph_server, each a list of
// replicas (rpc.SplitAddrs).
func (g *GASConfig) graphServers() [][]string { return rpc.SplitAddrs(g.GraphServer) }

// waitReplicas waits for the replicas at addrs to answer probe: all of
// them, or (all false) any one.
func waitReplicas(ctx context.Context, what string, addrs []string, all bool, wait time.Duration, probe func(i int) error, log *slog.Logger) error {
	var errs []error
	for i, addr := range addrs {
		err := waitServer(ctx, what, addr, wait, func() error { return probe(i) }, log)
		if err == nil && !all {
			return nil
		}
		if err != nil {
			if all {
				return err
			}
			log.Warn(what+" replica not answering", "addr", addr, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// serverWait is how long to wait for a server to answer (see
// GASConfig.ServerWait).
func (g *GASConfig) serverWait() time.Duration {
	if g.ServerWait == 0 {
		return 30 * time.Second
	}
	return time.Duration(g.ServerWait) * time.Second
}

// waitServer calls probe until it succeeds or wait has passed, backing
// off from 100 ms to 2 s between tries.
func waitServer(ctx context.Context, what, addr string, wait time.Duration, probe func() error, log *slog.Logger) error {
	deadline := time.Now().Add(wait)
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, 2*time.Second) {
		err := probe()
		if err == nil {
			return nil
		}
		if time.Now().Add(delay).After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s %s: not answering after %v: %w", what, addr, wait.Round(time.Second), err)
		}
		log.Info("waiting for the "+what, "addr", addr, "err", err)
		select {
		case <-time.After(delay):
		case <-ctx.Done():
		}
	}
}
