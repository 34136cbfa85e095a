package rpc

import "strings"

// SplitAddrs parses a list of servers as the trainer's gas.feature_server
// and gas.graph_server and gnnctl take them: shards separated by ",", each
// shard's replicas by "|" ("a:1|b:1,c:1|d:1" is two shards of two
// replicas). Blanks around addresses and empty entries are dropped.
func SplitAddrs(s string) [][]string {
	var shards [][]string
	for _, shard := range strings.Split(s, ",") {
		var reps []string
		for _, a := range strings.Split(shard, "|") {
			if a = strings.TrimSpace(a); a != "" {
				reps = append(reps, a)
			}
		}
		if len(reps) > 0 {
			shards = append(shards, reps)
		}
	}
	return shards
}
