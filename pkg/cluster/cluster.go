package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// DefaultName is the cluster name used when Options.Name is empty.
const DefaultName = "gnnscale"

// Options configures Open.
type Options struct {
	// Endpoints are the etcd servers (host:port or URLs); at least one.
	Endpoints []string
	// Name is the cluster's name, the second element of every key.
	// Default DefaultName.
	Name string
	// DialTimeout bounds the first connection. Default 5 s.
	DialTimeout time.Duration
	// Log receives warnings (lost leases, resynced watches). Default: a
	// logger that discards.
	Log *slog.Logger
}

// Cluster is a connection to etcd scoped to one cluster name.
type Cluster struct {
	cli  *clientv3.Client
	name string
	log  *slog.Logger
}

// SplitEndpoints splits a comma-separated endpoint list ("a:2379,b:2379"),
// dropping blanks.
func SplitEndpoints(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// validName reports whether s can be one element of a key: non-empty,
// without '/' or blanks.
func validName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/ \t\n")
}

// Open connects to etcd and checks that it answers within DialTimeout.
func Open(ctx context.Context, opts Options) (*Cluster, error) {
	if len(opts.Endpoints) == 0 {
		return nil, errors.New("cluster: no etcd endpoints")
	}
	if opts.Name == "" {
		opts.Name = DefaultName
	}
	if !validName(opts.Name) {
		return nil, fmt.Errorf("cluster: name %q: want a non-empty name without '/' or blanks", opts.Name)
	}
	if opts.DialTimeout == 0 {
		opts.DialTimeout = 5 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   opts.Endpoints,
		DialTimeout: opts.DialTimeout,
		Logger:      zapNop(),
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: etcd %s: %w", strings.Join(opts.Endpoints, ","), err)
	}
	c := &Cluster{cli: cli, name: opts.Name, log: opts.Log}
	pctx, cancel := context.WithTimeout(ctx, opts.DialTimeout)
	defer cancel()
	if _, err := cli.Get(pctx, c.prefix(), clientv3.WithCountOnly(), clientv3.WithPrefix()); err != nil {
		cli.Close()
		return nil, fmt.Errorf("cluster: etcd %s: %w", strings.Join(opts.Endpoints, ","), err)
	}
	return c, nil
}

// Name returns the cluster's name.
func (c *Cluster) Name() string { return c.name }

// Close closes the connection. Registrations made through c must be
// closed first (a registration whose connection closes stops renewing its
// lease, so its member drops out when the lease ends, as after a crash).
func (c *Cluster) Close() error { return c.cli.Close() }

func (c *Cluster) prefix() string { return "/gnnscale/" + c.name + "/" }

func (c *Cluster) membersPrefix() string { return c.prefix() + "members/" }

func (c *Cluster) memberKey(role Role, id string) string {
	return c.membersPrefix() + string(role) + "/" + id
}

func (c *Cluster) partitionsPrefix() string { return c.prefix() + "partitions/" }
