package servecmd

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/gnnscale/gnnscale/pkg/cluster"
)

// deregisterTimeout bounds how long a stopping server tries to remove its
// member entry (it goes anyway when its lease ends).
const deregisterTimeout = 5 * time.Second

// clusterFlags are the flags that register a server in etcd.
type clusterFlags struct {
	etcd, advertise, id, name string
	shard                     *int // nil for a service without shards
	ttl, wait                 time.Duration
}

func addClusterFlags(fs *flag.FlagSet, svc Service) *clusterFlags {
	f := &clusterFlags{}
	fs.StringVar(&f.etcd, "etcd", "", "etcd endpoints (`host:port,...`) to register this server in, with a lease; empty: no etcd")
	fs.StringVar(&f.advertise, "advertise", "", "address clients reach this server at (`host:port`; default: the listen address, or the hostname when listening on all interfaces)")
	fs.StringVar(&f.id, "id", "", "member ID in etcd, unique per role (default: hostname:port)")
	fs.StringVar(&f.name, "cluster", cluster.DefaultName, "cluster name: the etcd key prefix /gnnscale/`NAME`/")
	fs.DurationVar(&f.ttl, "etcd-ttl", cluster.DefaultTTL, "lease time to live: a server that dies leaves the member list this long after")
	fs.DurationVar(&f.wait, "etcd-wait", 30*time.Second, "how long to keep trying to reach etcd at start (a cluster may start its servers and etcd together)")
	if svc.Role == cluster.RoleGraph {
		f.shard = fs.Int("shard", 0, "the graph shard this server holds (0, 1, ...: shards in order, as in gas.graph_server)")
	}
	return f
}

// check reports flags that need --etcd when it is missing; --advertise
// also serves a raft replica (raft true), which announces it to its group.
func (f *clusterFlags) check(fs *flag.FlagSet, raft bool) error {
	if f.etcd != "" {
		if f.shard != nil && *f.shard < 0 {
			return fmt.Errorf("--shard %d: want >= 0", *f.shard)
		}
		return nil
	}
	var set []string
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "advertise":
			if !raft {
				set = append(set, "--"+fl.Name)
			}
		case "id", "cluster", "shard", "etcd-ttl":
			set = append(set, "--"+fl.Name)
		}
	})
	if len(set) > 0 {
		return fmt.Errorf("%s: needs --etcd", strings.Join(set, ", "))
	}
	return nil
}

// register registers the server listening at lis in etcd; it returns a
// function that deregisters it and closes the connection (nil, nil
// without --etcd).
func (f *clusterFlags) register(ctx context.Context, svc Service, lis net.Addr, log *slog.Logger) (func(), error) {
	if f.etcd == "" {
		return nil, nil
	}
	addr, err := advertised(f.advertise, lis)
	if err != nil {
		return nil, err
	}
	id := f.id
	if id == "" {
		host, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("--id: no hostname for the default: %w", err)
		}
		_, port, _ := net.SplitHostPort(addr)
		id = host + ":" + port
	}
	m := cluster.Member{ID: id, Role: svc.Role, Addr: addr, Shard: -1, StartedAt: time.Now().UTC()}
	if f.shard != nil {
		m.Shard = *f.shard
	}
	c, err := f.open(ctx, log)
	if err != nil {
		return nil, err
	}
	reg, err := c.Register(ctx, m, f.ttl)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("--etcd: %w", err)
	}
	log.Info(svc.Name+" registered", "etcd", f.etcd, "cluster", c.Name(), "id", m.ID, "addr", m.Addr, "shard", m.Shard)
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deregisterTimeout)
		defer cancel()
		if err := reg.Close(ctx); err != nil {
			log.Error("deregister", "err", err)
		} else {
			log.Info(svc.Name+" deregistered", "id", m.ID)
		}
		c.Close()
	}, nil
}

// open connects to etcd, trying again with backoff for up to --etcd-wait.
func (f *clusterFlags) open(ctx context.Context, log *slog.Logger) (*cluster.Cluster, error) {
	deadline := time.Now().Add(f.wait)
	for delay := 200 * time.Millisecond; ; delay = min(2*delay, 5*time.Second) {
		c, err := cluster.Open(ctx, cluster.Options{Endpoints: cluster.SplitEndpoints(f.etcd), Name: f.name, Log: log})
		if err == nil {
			return c, nil
		}
		if ctx.Err() != nil || time.Now().Add(delay).After(deadline) {
			return nil, fmt.Errorf("--etcd %s (tried for %v): %w", f.etcd, f.wait, err)
		}
		log.Warn("etcd unreachable, trying again", "etcd", f.etcd, "in", delay, "err", err)
		select {
		case <-time.After(delay):
		case <-ctx.Done():
		}
	}
}

// advertised returns the address to register: flag if set, else the
// listen address, with the hostname for an unspecified host.
func advertised(flag string, lis net.Addr) (string, error) {
	if flag != "" {
		if _, port, err := net.SplitHostPort(flag); err != nil || port == "" || port == "0" {
			return "", fmt.Errorf("--advertise %q: want host:port with a port", flag)
		}
		return flag, nil
	}
	host, port, err := net.SplitHostPort(lis.String())
	if err != nil {
		return "", fmt.Errorf("--advertise: listen address %s: %w", lis, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		if host, err = os.Hostname(); err != nil {
			return "", fmt.Errorf("--advertise: listening on all interfaces and no hostname: %w", err)
		}
	}
	return net.JoinHostPort(host, port), nil
}
