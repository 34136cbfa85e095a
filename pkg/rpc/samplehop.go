package rpc

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"google.golang.org/grpc"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/sampling"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// Sampling pushed down to the graph servers: the server samples each hop
// next to the topology and sends only the sampled neighbours, instead of
// every neighbour list for the client to sample from.

// hopPools keeps, per edge type, the server's idle hop samplers (they hold
// scratch buffers); PutTopology and DropEdges forget an edge type's pool.
type hopPools struct {
	mu    sync.Mutex
	pools map[store.EdgeType]*sync.Pool
}

// get returns et's pool, made with newHop (which opens the edge type)
// when et has none yet.
func (p *hopPools) get(et store.EdgeType, newHop func() (func() any, error)) (*sync.Pool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pl := p.pools[et]; pl != nil {
		return pl, nil
	}
	f, err := newHop()
	if err != nil {
		return nil, err
	}
	if p.pools == nil {
		p.pools = make(map[store.EdgeType]*sync.Pool)
	}
	pl := &sync.Pool{New: f}
	p.pools[et] = pl
	return pl, nil
}

func (p *hopPools) forget(et store.EdgeType) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.pools, et)
}

// SampleHop implements the GraphStore service: one hop sampled over the
// served topology (pkg/sampling.LocalHopSampler over the store).
func (s *GraphServer) SampleHop(ctx context.Context, req *rpcpb.SampleHopRequest) (*rpcpb.NeighborsResponse, error) {
	const op = "sample-hop"
	et := edgeTypeFromPB(req.Type)
	opts, err := hopOptionsFromPB(req)
	if err != nil {
		return nil, toStatus(&store.Error{Op: op, Key: et.String(), Row: store.NoRow, Err: err})
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkIncarnation(op, et, req.Incarnation); err != nil {
		return nil, toStatus(err)
	}
	pl, err := s.hops.get(et, func() (func() any, error) {
		view, err := store.View(ctx, s.gs, et) // read once per edge type (incarnation)
		if err != nil {
			return nil, err
		}
		return func() any {
			h, _ := sampling.NewLocalHopSampler(view, nil) // view is never nil
			return h
		}, nil
	})
	if err != nil {
		return nil, toStatus(err)
	}
	h := pl.Get().(*sampling.LocalHopSampler)
	defer pl.Put(h)
	var adj graph.Adjacency
	if err := h.SampleHop(ctx, req.Frontier, int(req.Fanout), opts, &adj); err != nil {
		return nil, toStatus(hopError(op, et, err))
	}
	return &rpcpb.NeighborsResponse{Indptr: leBytes(adj.Indptr), Nbrs: leBytes(adj.Nbrs), EdgeId: leBytes(adj.EdgeID)}, nil
}

// hopError gives a sampler's error the store's kind: a node out of range
// or options the topology cannot serve (no weights, no times) are the
// caller's mistakes.
func hopError(op string, et store.EdgeType, err error) error {
	var se *store.Error
	switch {
	case errors.As(err, &se):
		return err
	case errors.Is(err, sampling.ErrNodeRange):
		return &store.Error{Op: op, Key: et.String(), Row: store.NoRow, Err: fmt.Errorf("%w: %w", store.ErrOutOfRange, err)}
	case errors.Is(err, sampling.ErrOptions):
		return &store.Error{Op: op, Key: et.String(), Row: store.NoRow, Err: fmt.Errorf("%w: %w", store.ErrInvalid, err)}
	}
	return err
}

func hopOptionsFromPB(req *rpcpb.SampleHopRequest) (*sampling.HopOptions, error) {
	o := &sampling.HopOptions{Replace: req.Replace, Weighted: req.Weighted, Temporal: sampling.TemporalStrategy(req.Temporal),
		Seed: req.Seed}
	if req.Temporal < 0 || o.Temporal > sampling.TemporalLast {
		return nil, fmt.Errorf("%w: temporal %d is not 0, 1 or 2", store.ErrInvalid, req.Temporal)
	}
	if req.Fanout < -1 {
		return nil, fmt.Errorf("%w: fanout %d, want >= -1", store.ErrInvalid, req.Fanout)
	}
	if o.Temporal != sampling.NotTemporal {
		o.Cutoff = req.Cutoff
	} else if len(req.Cutoff) > 0 {
		return nil, fmt.Errorf("%w: cutoff times without temporal sampling", store.ErrInvalid)
	}
	if len(req.Tags) > 0 {
		if len(req.Tags) != len(req.Frontier) {
			return nil, fmt.Errorf("%w: %d tags for %d frontier nodes", store.ErrInvalid, len(req.Tags), len(req.Frontier))
		}
		o.Tags = req.Tags
	}
	return o, nil
}

// HopSampler is a graph server's edge type as a pkg/sampling.HopSampler:
// each hop is sampled on the server (SampleHop), which sends back only the
// sampled neighbours. Split a frontier over several servers with
// sampling.NewShardedHopSampler; the answer is the same. Node-time
// temporal sampling needs the node times and stays on the client
// (sampling.NewLocalHopSampler over the server's neighbour lists).
// Safe for concurrent use.
type HopSampler struct {
	c  *GraphClient
	et store.EdgeType
	n  int
}

// HopSampler returns edge type et of the server as a hop sampler. Errors:
// store.ErrNotFound when the server has no such edge type.
func (c *GraphClient) HopSampler(ctx context.Context, et store.EdgeType) (*HopSampler, error) {
	e, err := c.open(ctx, et)
	if err != nil {
		return nil, err
	}
	return &HopSampler{c: c, et: et, n: e.info.NumNodes}, nil
}

// NumNodes returns the edge type's node count when the sampler was made.
func (h *HopSampler) NumNodes() int { return h.n }

// SampleHop implements sampling.HopSampler, in calls of at most
// neighborsChunk frontier nodes. When the edge type was replaced since it
// was opened it is reopened and the hop sampled from the current
// topology, as Neighbors does.
func (h *HopSampler) SampleHop(ctx context.Context, frontier []int32, fanout int, o *sampling.HopOptions, dst *graph.Adjacency) error {
	if o == nil {
		o = &sampling.HopOptions{}
	}
	if o.Temporal != sampling.NotTemporal && len(o.Cutoff) != len(frontier) {
		return fmt.Errorf("sampling: sample hop: %d cutoff times for %d frontier nodes: %w", len(o.Cutoff), len(frontier), sampling.ErrOptions)
	}
	if o.Tags != nil && len(o.Tags) != len(frontier) {
		return fmt.Errorf("sampling: sample hop: %d tags for %d frontier nodes: %w", len(o.Tags), len(frontier), sampling.ErrOptions)
	}
	dst.Reset()
	e, err := h.c.open(ctx, h.et)
	if err != nil {
		return err
	}
	return e.current(ctx, dst, func(cur *remoteEdges) error { return cur.sampleHop(ctx, frontier, fanout, o, dst) })
}

func (e *remoteEdges) sampleHop(ctx context.Context, frontier []int32, fanout int, o *sampling.HopOptions, dst *graph.Adjacency) error {
	const op = "sample-hop"
	info := e.info
	info.Weighted, info.Timed = false, false // the reply has no weights or times
	for lo := 0; lo < len(frontier); lo += neighborsChunk {
		hi := min(lo+neighborsChunk, len(frontier))
		req := &rpcpb.SampleHopRequest{Type: e.pb, Incarnation: e.inc, Frontier: frontier[lo:hi], Fanout: int32(max(fanout, -1)),
			Replace: o.Replace, Weighted: o.Weighted, Temporal: int32(o.Temporal), Seed: o.Seed}
		if o.Temporal != sampling.NotTemporal {
			req.Cutoff = o.Cutoff[lo:hi]
		}
		if o.Tags != nil {
			req.Tags = o.Tags[lo:hi]
		}
		reply := &neighborsReply{dst: dst, n: hi - lo, info: info}
		if err := e.c.cc.Invoke(ctx, rpcpb.GraphStore_SampleHop_FullMethodName, req, reply, grpc.ForceCodecV2(e.c.codec)); err != nil {
			return e.result(op, err)
		}
		if reply.err != nil {
			return &store.Error{Op: op, Key: e.et.String(), Row: store.NoRow, Err: fmt.Errorf("rpc: %w", reply.err)}
		}
	}
	return nil
}
