package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gnnscale/gnnscale/pkg/cluster"
	"github.com/gnnscale/gnnscale/pkg/rpc"
)

// statusTimeout bounds how long status waits for one server.
const statusTimeout = 5 * time.Second

// runStatus asks every feature and graph server what it holds, and says
// which are down: the exit status is non-zero when a shard has no replica
// answering. With --etcd it lists the live members and partition maps of
// the cluster, and takes the servers from the members (unless given).
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	features := fs.String("feature-server", "", "feature servers, as gas.feature_server: `ADDR|ADDR` (replicas)")
	graphs := fs.String("graph-server", "", "graph servers, as gas.graph_server: `ADDR|ADDR,ADDR` (replicas of each shard, shards in order)")
	etcd := fs.String("etcd", "", "etcd endpoints (`host:port,...`): list the cluster's members and partition maps, and check the members")
	name := fs.String("cluster", cluster.DefaultName, "cluster name in etcd (the servers' --cluster)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gnnctl status [--etcd HOST:PORT [--cluster NAME]] [--feature-server A|B] [--graph-server A|B,C|D]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() != 0 || (*features == "" && *graphs == "" && *etcd == "") {
		fs.Usage()
		return fmt.Errorf("%w: status: want --etcd, --feature-server or --graph-server, and no arguments", errUsage)
	}
	var dead []string
	if *etcd != "" {
		f, g, missing, err := clusterStatus(ctx, stdout, *etcd, *name)
		if err != nil {
			return err
		}
		if *features == "" {
			*features = f
		}
		if *graphs == "" {
			*graphs = g
		}
		dead = append(dead, missing...)
		if *features == "" && *graphs == "" {
			return fmt.Errorf("status: no live member in cluster %s", *name)
		}
	}
	if *features != "" {
		fmt.Fprintln(stdout, "feature servers:")
		var reps []string
		for _, shard := range rpc.SplitAddrs(*features) {
			reps = append(reps, shard...)
		}
		if !shardStatus(ctx, stdout, "", reps, featureStatus) {
			dead = append(dead, "features")
		}
	}
	if *graphs != "" {
		fmt.Fprintln(stdout, "graph servers:")
		for i, shard := range rpc.SplitAddrs(*graphs) {
			if !shardStatus(ctx, stdout, fmt.Sprintf("shard %d ", i), shard, graphStatus) {
				dead = append(dead, fmt.Sprintf("graph shard %d", i))
			}
		}
	}
	if len(dead) > 0 {
		slices.Sort(dead)
		dead = slices.Compact(dead) // a shard with no member is also probed as "(none)"
		return fmt.Errorf("status: no replica answers for %s", strings.Join(dead, ", "))
	}
	return nil
}

// shardStatus prints each replica's status and reports whether one
// answered.
func shardStatus(ctx context.Context, w io.Writer, label string, addrs []string, ask func(context.Context, string) ([]string, error)) bool {
	up := false
	for _, addr := range addrs {
		ctx, cancel := context.WithTimeout(ctx, statusTimeout)
		start := time.Now()
		lines, err := ask(ctx, addr)
		cancel()
		if err != nil {
			fmt.Fprintf(w, "  %s%s: DOWN (%v)\n", label, addr, err)
			continue
		}
		up = true
		fmt.Fprintf(w, "  %s%s: up, answered in %v\n", label, addr, time.Since(start).Round(10*time.Microsecond))
		for _, l := range lines {
			fmt.Fprintln(w, "    "+l)
		}
	}
	return up
}

func featureStatus(ctx context.Context, addr string) ([]string, error) {
	fs, err := rpc.DialFeatures(addr)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	attrs, err := fs.Attrs(ctx)
	if err != nil {
		return nil, err
	}
	lines := []string{fmt.Sprintf("%d attributes", len(attrs))}
	for _, a := range attrs {
		lines = append(lines, fmt.Sprintf("%-24s %12d x %-6d %10s", a.Key, a.Rows, a.Cols, bytesStr(a.Rows*int64(a.Cols)*4)))
	}
	return lines, nil
}

func graphStatus(ctx context.Context, addr string) ([]string, error) {
	gs, err := rpc.DialGraph(addr)
	if err != nil {
		return nil, err
	}
	defer gs.Close()
	ets, err := gs.EdgeTypes(ctx)
	if err != nil {
		return nil, err
	}
	lines := []string{fmt.Sprintf("%d edge types", len(ets))}
	for _, e := range ets {
		lines = append(lines, fmt.Sprintf("%-24s %12d nodes %14d edges", e.Type, e.NumNodes, e.NumEdges))
	}
	return lines, nil
}
