package train

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gnnscale/gnnscale/pkg/cluster"
	"github.com/gnnscale/gnnscale/pkg/gas"
)

// ClusterConfig is the "cluster:" section of a trainer config: where to
// find the feature and graph servers when gas.feature_server or
// gas.graph_server is empty. See docs/operations.md.
type ClusterConfig struct {
	// Etcd ("host:2379", or several comma-separated) is the etcd the
	// servers registered in (their --etcd). Empty: no discovery.
	Etcd string `yaml:"etcd"`
	// Name is the cluster's name (the servers' --cluster). Default
	// "gnnscale".
	Name string `yaml:"name"`
	// FeatureServers is how many feature servers to wait for (at least)
	// before training or preparing, up to gas.server_wait: a replica
	// that registers later gets no rows from a prepare. Default 1.
	FeatureServers int `yaml:"feature_servers"`
	// GraphShards is the number of graph shards: a prepare cuts the
	// topology over this many and waits until each has a server; data
	// prepared before must have this many. Default 0: a prepare uses
	// as many shards as have registered, and existing data its own count.
	GraphShards int `yaml:"graph_shards"`
}

// validate reports the cluster section's problems (mode gas).
func (c *ClusterConfig) validate(bad func(string, ...any), g *GASConfig) {
	if c.Etcd == "" {
		if c.Name != "" {
			bad("cluster.name: %q needs cluster.etcd", c.Name)
		}
		return
	}
	if len(cluster.SplitEndpoints(c.Etcd)) == 0 {
		bad("cluster.etcd: %q names no endpoint", c.Etcd)
	}
	if c.FeatureServers < 0 {
		bad("cluster.feature_servers: %d is negative", c.FeatureServers)
	}
	if c.GraphShards < 0 {
		bad("cluster.graph_shards: %d is negative", c.GraphShards)
	}
	if c.Name != "" && strings.ContainsAny(c.Name, "/ \t\n") {
		bad("cluster.name: %q must not contain '/' or blanks", c.Name)
	}
	if g.Store == "" {
		bad("cluster.etcd: %q needs gas.store (the folder with the book)", c.Etcd)
	}
}

// replicaMarker is a replicated store whose replicas can be marked down
// (store.ReplicatedFeatures, store.ReplicatedGraph).
type replicaMarker interface {
	SetDown(i int, down bool) error
}

// gasCluster is the servers a GAS data set uses as found in etcd, and the
// watch that marks a replica down while its member is gone.
type gasCluster struct {
	c        *cluster.Cluster
	features []cluster.Member   // the feature replicas (nil: given by address)
	graph    [][]cluster.Member // each graph shard's replicas (nil: given by address)
	log      *slog.Logger
	cancel   context.CancelFunc
	done     chan struct{}
}

// discoverServers returns g with gas.feature_server and gas.graph_server,
// where empty, filled from the live members of cfg.Cluster: every feature
// server is a replica of the rows; graph servers are grouped by shard,
// shards in order. shards, when not 0, is the number of graph shards the
// data was written to (cluster.graph_shards must agree). It waits up to
// gas.server_wait for the members to be there (cluster.feature_servers of
// them for the features, every shard for the topology). Without cluster.etcd, or with both servers given, it returns
// g unchanged and a nil *gasCluster.
func discoverServers(ctx context.Context, cfg *Config, shards int, log *slog.Logger) (GASConfig, *gasCluster, error) {
	g := cfg.GAS
	wantF, wantG := g.FeatureServer == "", g.GraphServer == ""
	if cfg.Cluster.Etcd == "" || !wantF && !wantG {
		return g, nil, nil
	}
	if want := cfg.Cluster.GraphShards; want > 0 && wantG {
		if shards > 0 && shards != want {
			return g, nil, fmt.Errorf("cluster.graph_shards is %d, but the data in %s has %d graph shards", want, g.Store, shards)
		}
		shards = want
	}
	c, err := cluster.Open(ctx, cluster.Options{Endpoints: cluster.SplitEndpoints(cfg.Cluster.Etcd), Name: cfg.Cluster.Name, Log: log})
	if err != nil {
		return g, nil, fmt.Errorf("cluster.etcd: %w", err)
	}
	gc := &gasCluster{c: c, log: log}
	deadline := time.Now().Add(g.serverWait())
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, 2*time.Second) {
		ms, err := c.Members(ctx)
		if err == nil {
			gc.features, gc.graph, err = pickMembers(ms, wantF, wantG, shards, cfg.Cluster.FeatureServers)
		}
		if err == nil {
			break
		}
		if g.ServerWait == -1 || time.Now().Add(delay).After(deadline) || ctx.Err() != nil {
			c.Close()
			return g, nil, fmt.Errorf("cluster %s at %s: %w", c.Name(), cfg.Cluster.Etcd, err)
		}
		log.Info("waiting for servers in etcd", "cluster", c.Name(), "err", err)
		select {
		case <-time.After(delay):
		case <-ctx.Done():
		}
	}
	if wantF {
		g.FeatureServer = strings.Join(addrs(gc.features), "|")
	}
	if wantG {
		var shards []string
		for _, reps := range gc.graph {
			shards = append(shards, strings.Join(addrs(reps), "|"))
		}
		g.GraphServer = strings.Join(shards, ",")
	}
	log.Info("servers from etcd", "cluster", c.Name(), "feature_server", g.FeatureServer, "graph_server", g.GraphServer)
	return g, gc, nil
}

// pickMembers chooses the feature replicas (if wantF: at least
// minFeatures of them) and each graph shard's replicas (if wantG) among
// ms, or says what is missing.
func pickMembers(ms []cluster.Member, wantF, wantG bool, shards, minFeatures int) (features []cluster.Member, graph [][]cluster.Member, err error) {
	var errs []error
	for _, m := range ms {
		switch {
		case m.Role == cluster.RoleFeatures && wantF:
			features = append(features, m)
		case m.Role == cluster.RoleGraph && wantG:
			if shards > 0 && m.Shard >= shards {
				errs = append(errs, fmt.Errorf("graph server %s serves shard %d, but the data has %d graph shards", m.ID, m.Shard, shards))
				continue
			}
			for len(graph) <= m.Shard {
				graph = append(graph, nil)
			}
			graph[m.Shard] = append(graph[m.Shard], m)
		}
	}
	switch {
	case wantF && len(features) == 0:
		errs = append(errs, errors.New("no feature server registered"))
	case wantF && len(features) < minFeatures:
		errs = append(errs, fmt.Errorf("%d feature servers registered, cluster.feature_servers wants %d", len(features), minFeatures))
	}
	if wantG {
		for len(graph) < max(shards, 1) {
			graph = append(graph, nil)
		}
		for i, reps := range graph {
			if len(reps) == 0 {
				errs = append(errs, fmt.Errorf("no graph server registered for shard %d (of %d)", i, len(graph)))
			}
		}
	}
	return features, graph, errors.Join(errs...)
}

func addrs(ms []cluster.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Addr
	}
	return out
}

// writeMap records the servers g uses for the data set of book in etcd:
// over the stored map's revision, so that a concurrent writer is reported
// (and wins) rather than overwritten.
func (gc *gasCluster) writeMap(ctx context.Context, g *GASConfig, book *gas.Book) {
	if gc == nil {
		return
	}
	pm, err := gc.c.PartitionMap(ctx, book.Name)
	if err == nil {
		if pm == nil {
			pm = &cluster.PartitionMap{Name: book.Name}
		}
		pm.Features = replicas(gc.features, g.featureReplicas())
		pm.Graph, pm.ShardBounds = nil, nil
		for i, shard := range g.graphServers() {
			var ms []cluster.Member
			if gc.graph != nil {
				ms = gc.graph[i]
			}
			pm.Graph = append(pm.Graph, replicas(ms, shard))
		}
		if len(pm.Graph) > 0 && len(book.Ptr) > len(pm.Graph) {
			pm.ShardBounds = book.ShardBounds(len(pm.Graph))
		}
		err = gc.c.PutPartitionMap(ctx, pm)
	}
	if err != nil {
		gc.log.Warn("partition map not written", "name", book.Name, "err", err)
		return
	}
	gc.log.Info("partition map written", "name", book.Name, "revision", pm.Revision)
}

// replicas names the replicas at addrs, with their member IDs when known.
func replicas(ms []cluster.Member, addrs []string) []cluster.Replica {
	out := make([]cluster.Replica, len(addrs))
	for i, a := range addrs {
		out[i].Addr = a
		if i < len(ms) {
			out[i].ID = ms[i].ID
		}
	}
	return out
}

// follow watches the members until close: a replica whose member leaves
// is marked down in its replicated store at once, and up when it comes
// back at the same address. features and graph are the replicated stores
// (nil where a shard has one replica, or is not from etcd).
func (gc *gasCluster) follow(features replicaMarker, graph []replicaMarker) {
	if gc == nil {
		return
	}
	type replica struct {
		m    cluster.Member
		set  replicaMarker
		i    int
		down bool
	}
	var reps []*replica
	add := func(ms []cluster.Member, set replicaMarker) {
		for i, m := range ms {
			if set != nil {
				reps = append(reps, &replica{m: m, set: set, i: i})
			}
		}
	}
	add(gc.features, features)
	for s, ms := range gc.graph {
		if s < len(graph) {
			add(ms, graph[s])
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	gc.cancel, gc.done = cancel, make(chan struct{})
	go func() {
		defer close(gc.done)
		_ = gc.c.WatchMembers(ctx, func(ms []cluster.Member) {
			for _, r := range reps {
				down := !slices.ContainsFunc(ms, func(m cluster.Member) bool {
					return m.Role == r.m.Role && m.ID == r.m.ID && m.Addr == r.m.Addr
				})
				if down == r.down {
					continue
				}
				r.down = down
				if err := r.set.SetDown(r.i, down); err != nil {
					gc.log.Error("mark replica", "member", r.m.String(), "err", err)
				} else if down {
					gc.log.Warn("server left the cluster, reading from its other replicas", "member", r.m.String(), "addr", r.m.Addr)
				} else {
					gc.log.Info("server back in the cluster", "member", r.m.String(), "addr", r.m.Addr)
				}
			}
		})
	}()
}

// close stops following the members and closes the connection.
func (gc *gasCluster) close() error {
	if gc == nil {
		return nil
	}
	if gc.cancel != nil {
		gc.cancel()
		<-gc.done
	}
	return gc.c.Close()
}
