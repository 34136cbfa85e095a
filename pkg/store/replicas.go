package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// retryDown is how long a replica that failed is tried only after the
// others; it doubles with each failure in a row, up to maxRetryDown.
const (
	retryDown    = 5 * time.Second
	maxRetryDown = time.Minute
)

// replicaSet picks replicas: reads start at each replica in turn and move
// on when one is unavailable (ErrUnavailable, or ErrClosed from a stopping
// server); replicas that failed recently go after the healthy ones, and
// replicas marked down (SetDown) after those.
type replicaSet struct {
	n          int
	onFailover func(replica int, err error)
	next       atomic.Uint64
	mu         sync.Mutex
	until      []time.Time // until when each replica goes last
	fails      []int       // failures of each replica in a row
	down       []bool      // marked down by SetDown
}

func newReplicaSet(n int, onFailover func(int, error)) *replicaSet {
	return &replicaSet{n: n, onFailover: onFailover, until: make([]time.Time, n), fails: make([]int, n), down: make([]bool, n)}
}

// setDown marks replica i down or up; up also forgets its failures.
func (s *replicaSet) setDown(i int, down bool) error {
	if i < 0 || i >= s.n {
		return fmt.Errorf("store: replica %d of %d: out of range", i, s.n)
	}
	s.mu.Lock()
	s.down[i] = down
	if !down {
		s.fails[i], s.until[i] = 0, time.Time{}
	}
	s.mu.Unlock()
	return nil
}

func failover(err error) bool { return errors.Is(err, ErrUnavailable) || errors.Is(err, ErrClosed) }

// order returns the replicas to try: from the next in turn, healthy ones
// first.
func (s *replicaSet) order() []int {
	start := int(s.next.Add(1) % uint64(s.n))
	now := time.Now()
	healthy := make([]int, 0, s.n)
	var failed, down []int
	s.mu.Lock()
	for k := range s.n {
		i := (start + k) % s.n
		switch {
		case s.down[i]:
			down = append(down, i)
		case now.Before(s.until[i]):
			failed = append(failed, i)
		default:
			healthy = append(healthy, i)
		}
	}
	s.mu.Unlock()
	return append(append(healthy, failed...), down...)
}

// read calls f on replicas until one answers (or fails otherwise than by
// being unavailable).
func (s *replicaSet) read(f func(i int) error) error {
	var err error
	for _, i := range s.order() {
		err = f(i)
		s.mu.Lock()
		if failover(err) {
			s.fails[i]++
			s.until[i] = time.Now().Add(min(retryDown<<min(s.fails[i]-1, 10), maxRetryDown))
		} else {
			s.fails[i], s.until[i] = 0, time.Time{}
		}
		s.mu.Unlock()
		if !failover(err) {
			return err
		}
		if s.onFailover != nil {
			s.onFailover(i, err)
		}
	}
	return err
}

// write calls f on every replica in order and stops at the first error.
func (s *replicaSet) write(f func(i int) error) error {
	for i := range s.n {
		if err := f(i); err != nil {
			if s.n == 1 {
				return err
			}
			return fmt.Errorf("replica %d of %d: %w", i, s.n, err)
		}
	}
	return nil
}

// ReplicatedFeatures is a FeatureStore over replicas that hold the same
// rows, such as several feature servers of one shard. A read goes to one
// replica, each in turn, and when that one is unavailable (its server
// down, stopping or cut off) to the next: a dead server costs a failed
// call, not the run. A write goes to every replica in order and stops at
// the first error. The replicas are kept equal by their writer (one writer
// at a time: a GAS data set's prepare), not by consensus.
type ReplicatedFeatures struct {
	rs []FeatureStore
	s  *replicaSet
}

var (
	_ FeatureStore = (*ReplicatedFeatures)(nil)
	_ RangeGetter  = (*ReplicatedFeatures)(nil)
)

// NewReplicatedFeatures returns the store over rs (at least one).
// onFailover, when not nil, is called each time a read leaves replica i
// because it was unavailable (err says why).
func NewReplicatedFeatures(onFailover func(i int, err error), rs ...FeatureStore) *ReplicatedFeatures {
	return &ReplicatedFeatures{rs: rs, s: newReplicaSet(len(rs), onFailover)}
}

// SetDown marks replica i (in NewReplicatedFeatures's order) down, when
// something other than a failed read says it is gone (its server left the
// cluster), or up again. Reads try a replica marked down only after every
// other one, so they lose no call on it; writes still go to every
// replica. Marking a replica up forgets its recent failures. It returns an
// error if i is out of range. Safe for concurrent use with reads.
func (r *ReplicatedFeatures) SetDown(i int, down bool) error { return r.s.setDown(i, down) }

func (r *ReplicatedFeatures) Get(ctx context.Context, key Key, ids []int64, dst *tensor.Dense) error {
	return r.s.read(func(i int) error { return r.rs[i].Get(ctx, key, ids, dst) })
}

// GetRange implements RangeGetter.
func (r *ReplicatedFeatures) GetRange(ctx context.Context, key Key, lo int64, dst *tensor.Dense) error {
	return r.s.read(func(i int) error { return GetRange(ctx, r.rs[i], key, lo, dst) })
}

func (r *ReplicatedFeatures) Info(ctx context.Context, key Key) (info AttrInfo, err error) {
	err = r.s.read(func(i int) (err error) { info, err = r.rs[i].Info(ctx, key); return err })
	return info, err
}

func (r *ReplicatedFeatures) Attrs(ctx context.Context) (attrs []AttrInfo, err error) {
	err = r.s.read(func(i int) (err error) { attrs, err = r.rs[i].Attrs(ctx); return err })
	return attrs, err
}

func (r *ReplicatedFeatures) Put(ctx context.Context, key Key, ids []int64, src *tensor.Dense) error {
	return r.s.write(func(i int) error { return r.rs[i].Put(ctx, key, ids, src) })
}

func (r *ReplicatedFeatures) Remove(ctx context.Context, key Key, ids []int64) error {
	return r.s.write(func(i int) error { return r.rs[i].Remove(ctx, key, ids) })
}

func (r *ReplicatedFeatures) Create(ctx context.Context, info AttrInfo) error {
	return r.s.write(func(i int) error { return r.rs[i].Create(ctx, info) })
}

func (r *ReplicatedFeatures) Drop(ctx context.Context, key Key) error {
	return r.s.write(func(i int) error { return r.rs[i].Drop(ctx, key) })
}

// ReplicatedGraph is a GraphStore over replicas that hold the same
// topologies, as ReplicatedFeatures is for rows.
type ReplicatedGraph struct {
	rs []GraphStore
	s  *replicaSet
}

var _ GraphStore = (*ReplicatedGraph)(nil)

// NewReplicatedGraph returns the store over rs (at least one), with
// onFailover as for NewReplicatedFeatures.
func NewReplicatedGraph(onFailover func(i int, err error), rs ...GraphStore) *ReplicatedGraph {
	return &ReplicatedGraph{rs: rs, s: newReplicaSet(len(rs), onFailover)}
}

// SetDown marks replica i down or up, as ReplicatedFeatures.SetDown.
func (r *ReplicatedGraph) SetDown(i int, down bool) error { return r.s.setDown(i, down) }

// Replicas returns the replicas, in NewReplicatedGraph's order.
func (r *ReplicatedGraph) Replicas() []GraphStore { return slices.Clone(r.rs) }

// Read calls f with replica indices, in the order every read of r tries
// them, until one answers or fails otherwise than by being unavailable,
// and returns that error: r's failover for operations it does not have
// itself (sampling on a replica's server, say). f must leave nothing
// behind on a failure that the next replica's call would not replace.
func (r *ReplicatedGraph) Read(f func(i int) error) error { return r.s.read(f) }

func (r *ReplicatedGraph) Neighbors(ctx context.Context, et EdgeType, nodes []int32, dst *graph.Adjacency) error {
	return r.s.read(func(i int) error { return r.rs[i].Neighbors(ctx, et, nodes, dst) })
}

func (r *ReplicatedGraph) EdgeInfo(ctx context.Context, et EdgeType) (info EdgeInfo, err error) {
	err = r.s.read(func(i int) (err error) { info, err = r.rs[i].EdgeInfo(ctx, et); return err })
	return info, err
}

func (r *ReplicatedGraph) GetEdges(ctx context.Context, et EdgeType, layout Layout) (e EdgeIndex, err error) {
	err = r.s.read(func(i int) (err error) { e, err = r.rs[i].GetEdges(ctx, et, layout); return err })
	return e, err
}

func (r *ReplicatedGraph) EdgeTypes(ctx context.Context) (es []EdgeInfo, err error) {
	err = r.s.read(func(i int) (err error) { es, err = r.rs[i].EdgeTypes(ctx); return err })
	return es, err
}

func (r *ReplicatedGraph) PutEdges(ctx context.Context, et EdgeType, edges EdgeIndex) error {
	return r.s.write(func(i int) error { return r.rs[i].PutEdges(ctx, et, edges) })
}

func (r *ReplicatedGraph) DropEdges(ctx context.Context, et EdgeType) error {
	return r.s.write(func(i int) error { return r.rs[i].DropEdges(ctx, et) })
}
