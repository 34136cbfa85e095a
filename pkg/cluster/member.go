package cluster

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Role is what a member serves.
type Role string

// The roles of servers.
const (
	RoleFeatures Role = "featurestore" // cmd/featurestore: the FeatureStore service
	RoleGraph    Role = "graphstore"   // cmd/graphstore: the GraphStore service
)

// Member is one live server, as it registered itself.
type Member struct {
	// ID names the server, unique within its role in the cluster (the
	// servers' default is hostname:port).
	ID   string `json:"id"`
	Role Role   `json:"role"`
	// Addr is where clients reach it (host:port).
	Addr string `json:"addr"`
	// Shard is the graph shard a graph server holds (0, 1, ...); -1 for a
	// feature server (the rows are not sharded).
	Shard     int       `json:"shard"`
	StartedAt time.Time `json:"started_at"`
}

// ErrDuplicate is returned by Register when another live process holds the
// member's ID.
var ErrDuplicate = errors.New("cluster: member ID already registered by a live process")

// Validate reports what is wrong with m, naming the field.
func (m Member) Validate() error {
	if !validName(m.ID) {
		return fmt.Errorf("cluster: member id %q: want a non-empty name without '/' or blanks", m.ID)
	}
	switch m.Role {
	case RoleFeatures:
		if m.Shard != -1 {
			return fmt.Errorf("cluster: member %s: shard %d, want -1 for a %s", m.ID, m.Shard, m.Role)
		}
	case RoleGraph:
		if m.Shard < 0 {
			return fmt.Errorf("cluster: member %s: shard %d, want >= 0 for a %s", m.ID, m.Shard, m.Role)
		}
	default:
		return fmt.Errorf("cluster: member %s: role %q is not one of %s, %s", m.ID, m.Role, RoleFeatures, RoleGraph)
	}
	if _, port, err := net.SplitHostPort(m.Addr); err != nil || port == "" || port == "0" {
		return fmt.Errorf("cluster: member %s: addr %q: want host:port with a port", m.ID, m.Addr)
	}
	return nil
}

// String is "role/id".
func (m Member) String() string { return string(m.Role) + "/" + m.ID }

// Members returns the live members, sorted by role, shard and ID.
// Entries that do not parse are left out and logged.
func (c *Cluster) Members(ctx context.Context) ([]Member, error) {
	ms, _, err := c.members(ctx)
	return ms, err
}

// members also returns the revision the list was read at.
func (c *Cluster) members(ctx context.Context) ([]Member, int64, error) {
	resp, err := c.cli.Get(ctx, c.membersPrefix(), clientv3.WithPrefix())
	if err != nil {
		return nil, 0, fmt.Errorf("cluster: list members: %w", err)
	}
	byKey := make(map[string]Member, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		c.addMember(byKey, string(kv.Key), kv.Value)
	}
	return sortedMembers(byKey), resp.Header.Revision, nil
}

// addMember parses the member stored under key into byKey.
func (c *Cluster) addMember(byKey map[string]Member, key string, value []byte) {
	var m Member
	if err := json.Unmarshal(value, &m); err != nil {
		c.log.Warn("cluster: member entry does not parse, ignored", "key", key, "err", err)
		return
	}
	if err := m.Validate(); err != nil || key != c.memberKey(m.Role, m.ID) {
		c.log.Warn("cluster: member entry is invalid, ignored", "key", key, "err", err)
		return
	}
	byKey[key] = m
}

func sortedMembers(byKey map[string]Member) []Member {
	ms := make([]Member, 0, len(byKey))
	for _, m := range byKey {
		ms = append(ms, m)
	}
	slices.SortFunc(ms, func(a, b Member) int {
		return cmp.Or(cmp.Compare(a.Role, b.Role), cmp.Compare(a.Shard, b.Shard), cmp.Compare(a.ID, b.ID))
	})
	return ms
}
