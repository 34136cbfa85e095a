package train

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
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
// Pebble store (with options popts) if missing.
func openGASStores(ctx context.Context, g *GASConfig, popts *pebblestore.Options, log *slog.Logger) (*gasStores, error) {
	s := &gasStores{}
	if g.FeatureServer != "" {
		fs, err := rpc.DialFeatures(g.FeatureServer)
		if err != nil {
			return nil, fmt.Errorf("gas.feature_server: %w", err)
		}
		s.features = fs
		s.closers = append(s.closers, fs.Close)
		probe := func() error { _, err := fs.Attrs(ctx); return err }
		if err := waitServer(ctx, "feature server", g.FeatureServer, g.serverWait(), probe, log); err != nil {
			s.close()
			return nil, err
		}
	}
	for _, addr := range g.graphServers() {
		gs, err := rpc.DialGraph(addr)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("gas.graph_server: %w", err)
		}
		s.graph = append(s.graph, gs)
		s.closers = append(s.closers, gs.Close)
		probe := func() error { _, err := gs.EdgeTypes(ctx); return err }
		if err := waitServer(ctx, "graph server", addr, g.serverWait(), probe, log); err != nil {
			s.close()
			return nil, err
		}
	}
	if s.features == nil || s.graph == nil {
		st, err := pebblestore.Open(filepath.Join(g.Store, gas.StoreSubdir), popts)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("gas.store: %w", err)
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

// graphServers returns the addresses of gas.graph_server, a
// comma-separated list.
func (g *GASConfig) graphServers() []string {
	var out []string
	for _, a := range strings.Split(g.GraphServer, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
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
