package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Replica is one server holding a copy of a shard.
type Replica struct {
	ID   string `json:"id"`
	Addr string `json:"addr"`
}

// PartitionMap records which servers hold a data set: the replicas of its
// one feature shard and of each graph shard, in shard order.
type PartitionMap struct {
	// Name is the data set (the GAS book's name).
	Name string `json:"name"`
	// Features are the replicas of the rows (empty: not on servers).
	Features []Replica `json:"features,omitempty"`
	// Graph holds the replicas of each graph shard (empty: not on
	// servers).
	Graph [][]Replica `json:"graph,omitempty"`
	// ShardBounds, when set, has len(Graph)+1 entries: graph shard i holds
	// the in-neighbours of nodes [ShardBounds[i], ShardBounds[i+1]).
	ShardBounds []int64 `json:"shard_bounds,omitempty"`
	// UpdatedAt is when the map was written.
	UpdatedAt time.Time `json:"updated_at"`
	// Revision is the etcd revision of the map as read (0: not stored
	// yet). PutPartitionMap writes only over this revision.
	Revision int64 `json:"-"`
}

// ErrConflict is returned by PutPartitionMap when the stored map is not
// the revision the caller read: someone else wrote it in between.
var ErrConflict = errors.New("cluster: partition map changed since it was read")

// Validate reports what is wrong with pm, naming the field.
func (pm *PartitionMap) Validate() error {
	if !validName(pm.Name) {
		return fmt.Errorf("cluster: partition map name %q: want a non-empty name without '/' or blanks", pm.Name)
	}
	for i, shard := range pm.Graph {
		if len(shard) == 0 {
			return fmt.Errorf("cluster: partition map %s: graph shard %d has no replica", pm.Name, i)
		}
	}
	if len(pm.ShardBounds) != 0 && len(pm.ShardBounds) != len(pm.Graph)+1 {
		return fmt.Errorf("cluster: partition map %s: %d shard bounds for %d graph shards, want %d", pm.Name, len(pm.ShardBounds), len(pm.Graph), len(pm.Graph)+1)
	}
	if !sort.SliceIsSorted(pm.ShardBounds, func(i, j int) bool { return pm.ShardBounds[i] < pm.ShardBounds[j] }) {
		return fmt.Errorf("cluster: partition map %s: shard bounds %v are not in order", pm.Name, pm.ShardBounds)
	}
	return nil
}

// PutPartitionMap stores pm if the stored map is still at pm.Revision (0:
// there is none), and sets pm.Revision to the new revision. Otherwise it
// returns ErrConflict and changes nothing: read the map again, merge, and
// retry.
func (c *Cluster) PutPartitionMap(ctx context.Context, pm *PartitionMap) error {
	if err := pm.Validate(); err != nil {
		return err
	}
	pm.UpdatedAt = time.Now().UTC()
	value, err := json.Marshal(pm)
	if err != nil {
		return fmt.Errorf("cluster: partition map %s: %w", pm.Name, err)
	}
	key := c.partitionsPrefix() + pm.Name
	resp, err := c.cli.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(key), "=", pm.Revision)).
		Then(clientv3.OpPut(key, string(value))).Commit()
	if err != nil {
		return fmt.Errorf("cluster: write partition map %s: %w", pm.Name, err)
	}
	if !resp.Succeeded {
		return fmt.Errorf("%w: %s (read at revision %d)", ErrConflict, pm.Name, pm.Revision)
	}
	pm.Revision = resp.Header.Revision
	return nil
}

// PartitionMap returns the map named name, or nil (and no error) if there
// is none.
func (c *Cluster) PartitionMap(ctx context.Context, name string) (*PartitionMap, error) {
	resp, err := c.cli.Get(ctx, c.partitionsPrefix()+name)
	if err != nil {
		return nil, fmt.Errorf("cluster: read partition map %s: %w", name, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, nil
	}
	return parsePartitionMap(string(resp.Kvs[0].Key), resp.Kvs[0].Value, resp.Kvs[0].ModRevision)
}

// PartitionMaps returns every stored map, by name. Maps that do not parse
// are returned as errors (joined) beside the ones that do.
func (c *Cluster) PartitionMaps(ctx context.Context) ([]*PartitionMap, error) {
	resp, err := c.cli.Get(ctx, c.partitionsPrefix(), clientv3.WithPrefix(), clientv3.WithSort(clientv3.SortByKey, clientv3.SortAscend))
	if err != nil {
		return nil, fmt.Errorf("cluster: list partition maps: %w", err)
	}
	var pms []*PartitionMap
	var errs []error
	for _, kv := range resp.Kvs {
		pm, err := parsePartitionMap(string(kv.Key), kv.Value, kv.ModRevision)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pms = append(pms, pm)
	}
	return pms, errors.Join(errs...)
}

// WatchPartitionMap calls fn with the map named name (nil while there is
// none) now and after every change, until ctx ends; it then returns ctx's
// error. A stored map that does not parse is logged and skipped. fn may
// be called again with an unchanged map (a map whose name starts with
// name changed).
func (c *Cluster) WatchPartitionMap(ctx context.Context, name string, fn func(*PartitionMap)) error {
	key := c.partitionsPrefix() + name
	return c.watch(ctx, key, func(state map[string]*mvccpb.KeyValue) {
		kv, ok := state[key] // the prefix also matches longer names
		if !ok {
			fn(nil)
			return
		}
		pm, err := parsePartitionMap(key, kv.Value, kv.ModRevision)
		if err != nil {
			c.log.Warn("cluster: partition map does not parse, ignored", "key", key, "err", err)
			return
		}
		fn(pm)
	})
}

func parsePartitionMap(key string, value []byte, rev int64) (*PartitionMap, error) {
	var pm PartitionMap
	if err := json.Unmarshal(value, &pm); err != nil {
		return nil, fmt.Errorf("cluster: partition map %s: %w", key, err)
	}
	if !strings.HasSuffix(key, "/"+pm.Name) {
		return nil, fmt.Errorf("cluster: partition map %s: holds name %q", key, pm.Name)
	}
	pm.Revision = rev
	return &pm, nil
}
