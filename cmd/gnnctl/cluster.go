package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gnnscale/gnnscale/pkg/cluster"
)

// clusterStatus prints the live members and partition maps of cluster
// name in etcd, and returns the servers they make, as --feature-server
// and --graph-server, and the graph shards below the highest one that no
// member serves.
func clusterStatus(ctx context.Context, w io.Writer, endpoints, name string) (features, graphs string, missing []string, err error) {
	c, err := cluster.Open(ctx, cluster.Options{Endpoints: cluster.SplitEndpoints(endpoints), Name: name, DialTimeout: statusTimeout})
	if err != nil {
		return "", "", nil, fmt.Errorf("status: --etcd: %w", err)
	}
	defer c.Close()
	ms, err := c.Members(ctx)
	if err != nil {
		return "", "", nil, fmt.Errorf("status: --etcd: %w", err)
	}
	fmt.Fprintf(w, "members of cluster %s (etcd %s): %d\n", c.Name(), endpoints, len(ms))
	var feats []string
	var shards [][]string
	for _, m := range ms {
		shard := "-"
		if m.Role == cluster.RoleGraph {
			shard = fmt.Sprint(m.Shard)
			for len(shards) <= m.Shard {
				shards = append(shards, nil)
			}
			shards[m.Shard] = append(shards[m.Shard], m.Addr)
		} else {
			feats = append(feats, m.Addr)
		}
		fmt.Fprintf(w, "  %-12s %-24s %-24s shard %-3s up %v\n", m.Role, m.ID, m.Addr, shard, time.Since(m.StartedAt).Round(time.Second))
	}
	var gs []string
	for i, reps := range shards {
		if len(reps) == 0 {
			fmt.Fprintf(w, "  graph shard %d: no member\n", i)
			missing = append(missing, fmt.Sprintf("graph shard %d", i))
			reps = []string{"(none)"}
		}
		gs = append(gs, strings.Join(reps, "|"))
	}
	pms, err := c.PartitionMaps(ctx)
	fmt.Fprintf(w, "partition maps: %d\n", len(pms))
	for _, pm := range pms {
		fmt.Fprintf(w, "  %s (revision %d, written %s)\n", pm.Name, pm.Revision, pm.UpdatedAt.Format(time.RFC3339))
		fmt.Fprintf(w, "    features: %s\n", replicaList(pm.Features))
		for i, reps := range pm.Graph {
			bounds := ""
			if len(pm.ShardBounds) == len(pm.Graph)+1 {
				bounds = fmt.Sprintf(" nodes [%d, %d)", pm.ShardBounds[i], pm.ShardBounds[i+1])
			}
			fmt.Fprintf(w, "    graph shard %d%s: %s\n", i, bounds, replicaList(reps))
		}
	}
	if err != nil {
		fmt.Fprintf(w, "  unreadable: %v\n", err)
	}
	return strings.Join(feats, "|"), strings.Join(gs, ","), missing, nil
}

func replicaList(reps []cluster.Replica) string {
	if len(reps) == 0 {
		return "(not on servers)"
	}
	var s []string
	for _, r := range reps {
		if r.ID != "" {
			s = append(s, r.ID+"@"+r.Addr)
		} else {
			s = append(s, r.Addr)
		}
	}
	return strings.Join(s, " | ")
}
