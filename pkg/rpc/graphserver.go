package rpc

import (
	"context"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// topologyChunkEntries is how many entries of each array one
// TopologyChunk carries (4 MiB of edge ids).
const topologyChunkEntries = 1 << 19

// GraphServer serves a store.GraphStore over gRPC (the GraphStore service
// of proto/gnnscale/v1/graph.proto). As FeatureServer, it must own its
// store: an edge type replaced behind its back keeps its incarnation.
type GraphServer struct {
	rpcpb.UnimplementedGraphStoreServer
	gs store.GraphStore

	// mu orders Neighbors (read-locked) against PutTopology and DropEdges
	// (write-locked), so that an incarnation checked at the start of a
	// read still holds at its end.
	mu   sync.RWMutex
	incs map[store.EdgeType]uint64
	next uint64

	hops hopPools // SampleHop's samplers, per edge type
}

// NewGraphServer returns a server over gs.
func NewGraphServer(gs store.GraphStore) *GraphServer {
	return &GraphServer{gs: gs, incs: make(map[store.EdgeType]uint64), next: 1}
}

func edgeTypeFromPB(t *rpcpb.EdgeType) store.EdgeType {
	if t == nil {
		return store.EdgeType{}
	}
	return store.EdgeType{Src: t.Src, Rel: t.Rel, Dst: t.Dst}
}

func edgeTypeToPB(t store.EdgeType) *rpcpb.EdgeType {
	return &rpcpb.EdgeType{Src: t.Src, Rel: t.Rel, Dst: t.Dst}
}

func edgeInfoToPB(i store.EdgeInfo) *rpcpb.EdgeInfo {
	return &rpcpb.EdgeInfo{Type: edgeTypeToPB(i.Type), NumNodes: int64(i.NumNodes), NumEdges: i.NumEdges,
		Weighted: i.Weighted, Timed: i.Timed}
}

func edgeInfoFromPB(i *rpcpb.EdgeInfo) store.EdgeInfo {
	if i == nil {
		return store.EdgeInfo{}
	}
	return store.EdgeInfo{Type: edgeTypeFromPB(i.Type), NumNodes: int(i.NumNodes), NumEdges: i.NumEdges,
		Weighted: i.Weighted, Timed: i.Timed}
}

// PutTopology implements the GraphStore service. The header's sizes only
// bound what the chunks may add: nothing is allocated on its word.
func (s *GraphServer) PutTopology(stream rpcpb.GraphStore_PutTopologyServer) error {
	const op = "put-edges"
	ctx := stream.Context()
	first, err := stream.Recv()
	if err != nil {
		return toStatus(&store.Error{Op: op, Row: store.NoRow, Err: fmt.Errorf("%w: no topology header: %v", store.ErrInvalid, err)})
	}
	info := edgeInfoFromPB(first.Info)
	et := info.Type
	bad := func(format string, args ...any) error {
		return toStatus(&store.Error{Op: op, Key: et.String(), Row: store.NoRow,
			Err: fmt.Errorf("%w: topology: "+format, append([]any{store.ErrInvalid}, args...)...)})
	}
	if first.Info == nil || info.NumNodes < 0 || info.NumNodes > math.MaxInt32 || info.NumEdges < 0 {
		return bad("header missing or with bad sizes (%d nodes, %d edges)", info.NumNodes, info.NumEdges)
	}
	var t store.Topology
	t.NumNodes = info.NumNodes
	m := info.NumEdges
	for c := first; ; {
		if int64(len(t.Indptr)+len(c.Indptr)) > int64(info.NumNodes)+1 || int64(len(t.Src)+len(c.Src)) > m ||
			int64(len(t.EdgeID)+len(c.EdgeId)) > m || int64(len(t.Weight)+len(c.Weight)) > m || int64(len(t.Time)+len(c.Time)) > m {
			return bad("chunks exceed the header's %d nodes, %d edges", info.NumNodes, m)
		}
		t.Indptr = append(t.Indptr, c.Indptr...)
		t.Src = append(t.Src, c.Src...)
		t.EdgeID = append(t.EdgeID, c.EdgeId...)
		t.Weight = append(t.Weight, c.Weight...)
		t.Time = append(t.Time, c.Time...)
		if c, err = stream.Recv(); err == io.EOF {
			break
		} else if err != nil {
			return toStatus(err)
		}
		if c.Info != nil {
			return bad("a second header")
		}
	}
	if int64(len(t.Src)) != m || int64(len(t.EdgeID)) != m || len(t.Indptr) != info.NumNodes+1 ||
		(info.Weighted && int64(len(t.Weight)) != m) || (info.Timed && int64(len(t.Time)) != m) ||
		(!info.Weighted && len(t.Weight) > 0) || (!info.Timed && len(t.Time) > 0) {
		return bad("got %d indptr, %d src, %d edge ids, %d weights, %d times for %d nodes, %d edges (weighted %v, timed %v)",
			len(t.Indptr), len(t.Src), len(t.EdgeID), len(t.Weight), len(t.Time), info.NumNodes, m, info.Weighted, info.Timed)
	}
	ei := store.EdgeIndex{Layout: store.CSC, Time: presence(t.Time, info.Timed), Compressed: graph.Compressed{
		NumNodes: t.NumNodes, Indptr: t.Indptr, Indices: presence(t.Src, true), EdgeID: presence(t.EdgeID, true),
		Weight: presence(t.Weight, info.Weighted)}}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.gs.PutEdges(ctx, et, ei); err != nil {
		return toStatus(err)
	}
	s.incs[et] = s.next
	s.next++
	s.hops.forget(et)
	return stream.SendAndClose(&rpcpb.PutTopologyResponse{})
}

// GetTopology implements the GraphStore service.
func (s *GraphServer) GetTopology(req *rpcpb.GetTopologyRequest, stream rpcpb.GraphStore_GetTopologyServer) error {
	et := edgeTypeFromPB(req.Type)
	ei, err := s.gs.GetEdges(stream.Context(), et, store.CSC)
	if err != nil {
		return toStatus(err)
	}
	c := &ei.Compressed
	info := store.EdgeInfo{Type: et, NumNodes: c.NumNodes, NumEdges: int64(len(c.Indices)),
		Weighted: c.Weight != nil, Timed: ei.Time != nil}
	return sendTopology(info, c.Indptr, c.Indices, c.EdgeID, c.Weight, ei.Time, stream.Send)
}

// sendTopology sends a topology as TopologyChunks of at most
// topologyChunkEntries entries of each array, the header first.
func sendTopology(info store.EdgeInfo, indptr []int64, src []int32, eid []int64, w []float32, tm []int64, send func(*rpcpb.TopologyChunk) error) error {
	n := max(len(indptr), len(src))
	for lo := 0; lo == 0 || lo < n; lo += topologyChunkEntries {
		hi := lo + topologyChunkEntries
		c := &rpcpb.TopologyChunk{Indptr: part(indptr, lo, hi), Src: part(src, lo, hi), EdgeId: part(eid, lo, hi),
			Weight: part(w, lo, hi), Time: part(tm, lo, hi)}
		if lo == 0 {
			c.Info = edgeInfoToPB(info)
		}
		if err := send(c); err != nil {
			return err
		}
	}
	return nil
}

// part returns v[lo:hi] clipped to v's length.
func part[T any](v []T, lo, hi int) []T {
	return v[min(lo, len(v)):min(hi, len(v))]
}

// DropEdges implements the GraphStore service.
func (s *GraphServer) DropEdges(ctx context.Context, req *rpcpb.DropEdgesRequest) (*rpcpb.DropEdgesResponse, error) {
	et := edgeTypeFromPB(req.Type)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.gs.DropEdges(ctx, et); err != nil {
		return nil, toStatus(err)
	}
	delete(s.incs, et)
	s.hops.forget(et)
	return &rpcpb.DropEdgesResponse{}, nil
}

// ListEdgeTypes implements the GraphStore service.
func (s *GraphServer) ListEdgeTypes(ctx context.Context, _ *rpcpb.ListEdgeTypesRequest) (*rpcpb.ListEdgeTypesResponse, error) {
	es, err := s.gs.EdgeTypes(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	resp := &rpcpb.ListEdgeTypesResponse{EdgeTypes: make([]*rpcpb.EdgeInfo, len(es))}
	for i, e := range es {
		resp.EdgeTypes[i] = edgeInfoToPB(e)
	}
	return resp, nil
}

// OpenEdges implements the GraphStore service.
func (s *GraphServer) OpenEdges(ctx context.Context, req *rpcpb.OpenEdgesRequest) (*rpcpb.OpenEdgesResponse, error) {
	et := edgeTypeFromPB(req.Type)
	s.mu.Lock()
	defer s.mu.Unlock()
	info, err := s.gs.EdgeInfo(ctx, et)
	if err != nil {
		return nil, toStatus(err)
	}
	inc, ok := s.incs[et]
	if !ok {
		inc = s.next
		s.incs[et] = inc
		s.next++
	}
	return &rpcpb.OpenEdgesResponse{Info: edgeInfoToPB(info), Incarnation: inc}, nil
}

// Neighbors implements the GraphStore service.
func (s *GraphServer) Neighbors(ctx context.Context, req *rpcpb.NeighborsRequest) (*rpcpb.NeighborsResponse, error) {
	const op = "neighbors"
	et := edgeTypeFromPB(req.Type)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkIncarnation(op, et, req.Incarnation); err != nil {
		return nil, toStatus(err)
	}
	var adj graph.Adjacency
	if err := s.gs.Neighbors(ctx, et, req.Nodes, &adj); err != nil {
		return nil, toStatus(err)
	}
	// The arrays go out as their own bytes (fresh per call, so nothing
	// else writes them before the response is marshalled).
	return &rpcpb.NeighborsResponse{Indptr: leBytes(adj.Indptr), Nbrs: leBytes(adj.Nbrs), EdgeId: leBytes(adj.EdgeID),
		Weight: leBytes(adj.Weight), Time: leBytes(adj.Time)}, nil
}

// checkIncarnation fails with store.ErrNotFound when a request names an
// incarnation of et (inc != 0) that was dropped or replaced. s.mu must be
// held.
func (s *GraphServer) checkIncarnation(op string, et store.EdgeType, inc uint64) error {
	if inc == 0 {
		return nil
	}
	if cur, ok := s.incs[et]; !ok || cur != inc {
		return &store.Error{Op: op, Key: et.String(), Row: store.NoRow,
			Err: fmt.Errorf("%w: edge type was dropped or replaced (incarnation %d is gone)", store.ErrNotFound, inc)}
	}
	return nil
}
