package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// neighborsChunk is how many query nodes one Neighbors call carries.
const neighborsChunk = 1 << 14

// GraphClient is a remote graph store: it implements store.GraphBackend
// over a GraphStore gRPC service, so that store.NewGraph(client) is a
// store.GraphStore (and, through store.View, a sampler's neighbour
// source) whose topology lives on the server.
type GraphClient struct {
	cc    grpc.ClientConnInterface
	c     rpcpb.GraphStoreClient
	codec rowsCodec
	conn  *grpc.ClientConn // closed by Close when the client dialed it
	edges *handles[store.EdgeType, *remoteEdges]
}

var _ store.GraphBackend = (*GraphClient)(nil)

// NewGraphClient returns a client over an existing connection, which the
// caller keeps and closes.
func NewGraphClient(cc grpc.ClientConnInterface) *GraphClient {
	return &GraphClient{cc: cc, c: rpcpb.NewGraphStoreClient(cc), codec: newRowsCodec(), edges: newHandles[store.EdgeType, *remoteEdges]()}
}

// DialGraph connects to the graph server at target ("host:port") and
// returns the remote store; its Close closes the connection. Without
// options the connection is as DialFeatures's (see [DialOptions]).
func DialGraph(target string, opts ...grpc.DialOption) (*store.Graph, error) {
	if len(opts) == 0 {
		opts = DialOptions()
	}
	conn, err := grpc.NewClient(target, opts...)
	if err != nil {
		return nil, fmt.Errorf("rpc: dial graph server %s: %w", target, err)
	}
	c := NewGraphClient(conn)
	c.conn = conn
	return store.NewGraph(c), nil
}

// Close closes the connection the client dialed, if any.
func (c *GraphClient) Close() error {
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}

// PutTopology implements store.GraphBackend: the topology streams in
// chunks and the server applies it atomically once all have arrived.
func (c *GraphClient) PutTopology(ctx context.Context, et store.EdgeType, t *store.Topology) error {
	const op = "put-edges"
	c.edges.drop(et)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // abandons the stream on an error: nothing is applied
	stream, err := c.c.PutTopology(ctx)
	if err != nil {
		return fromStatus(op, err)
	}
	if err := sendTopology(t.Info(et), t.Indptr, t.Src, t.EdgeID, t.Weight, t.Time, stream.Send); err != nil && !errors.Is(err, io.EOF) {
		return fromStatus(op, err)
	}
	// On io.EOF from Send the server has ended the call: its status
	// comes from CloseAndRecv.
	_, err = stream.CloseAndRecv()
	return fromStatus(op, err)
}

// DropEdges implements store.GraphBackend.
func (c *GraphClient) DropEdges(ctx context.Context, et store.EdgeType) error {
	c.edges.drop(et)
	_, err := c.c.DropEdges(ctx, &rpcpb.DropEdgesRequest{Type: edgeTypeToPB(et)})
	return fromStatus("drop-edges", err)
}

// EdgeTypes implements store.GraphBackend.
func (c *GraphClient) EdgeTypes(ctx context.Context) ([]store.EdgeInfo, error) {
	resp, err := c.c.ListEdgeTypes(ctx, &rpcpb.ListEdgeTypesRequest{})
	if err != nil {
		return nil, fromStatus("edge-types", err)
	}
	out := make([]store.EdgeInfo, len(resp.EdgeTypes))
	for i, e := range resp.EdgeTypes {
		out[i] = edgeInfoFromPB(e)
	}
	return out, nil
}

// Edges implements store.GraphBackend: the handle names the edge type's
// current incarnation, so it fails with store.ErrNotFound once the edge
// type is dropped (see remoteEdges.Neighbors for a replaced one).
func (c *GraphClient) Edges(ctx context.Context, et store.EdgeType) (store.EdgeTable, error) {
	return c.open(ctx, et)
}

// open returns the cached handle of et, or opens one.
func (c *GraphClient) open(ctx context.Context, et store.EdgeType) (*remoteEdges, error) {
	if e, ok := c.edges.get(et); ok {
		return e, nil
	}
	resp, err := c.c.OpenEdges(ctx, &rpcpb.OpenEdgesRequest{Type: edgeTypeToPB(et)})
	if err != nil {
		return nil, openError(err)
	}
	e := &remoteEdges{c: c, et: et, pb: edgeTypeToPB(et), info: edgeInfoFromPB(resp.Info), inc: resp.Incarnation}
	c.edges.put(et, e)
	return e, nil
}

// remoteEdges is one edge type of a GraphClient.
type remoteEdges struct {
	c    *GraphClient
	et   store.EdgeType
	pb   *rpcpb.EdgeType
	info store.EdgeInfo
	inc  uint64
}

func (e *remoteEdges) Info() store.EdgeInfo { return e.info }

func (e *remoteEdges) result(op string, err error) error {
	err = fromStatus(op, err)
	if isGone(err) {
		e.c.edges.forget(e.et, e)
	}
	return err
}

// maxReopens bounds how often one Neighbors call reopens an edge type
// that keeps being replaced under it.
const maxReopens = 16

// Neighbors implements store.EdgeTable, in calls of at most
// neighborsChunk nodes, all answered by one version of the topology. When
// the edge type was replaced since the handle was opened (through another
// client), the call is answered from the current topology, as a local
// store would; when it was dropped, it fails with store.ErrNotFound. The
// handle's EdgeInfo is the one it was opened with, so until a call
// notices a replacement (any call does), nodes that only the new topology
// has fail the store wrapper's range check.
func (e *remoteEdges) Neighbors(ctx context.Context, nodes []int32, dst *graph.Adjacency) error {
	return e.current(ctx, dst, func(cur *remoteEdges) error { return cur.neighbors(ctx, nodes, dst) })
}

// current calls read with e, and again with the edge type reopened (dst
// reset, so nothing of the old version stays) while it fails because the
// edge type was replaced, up to maxReopens times.
func (e *remoteEdges) current(ctx context.Context, dst *graph.Adjacency, read func(cur *remoteEdges) error) error {
	err := read(e)
	for try := 0; isGone(err) && try < maxReopens; try++ {
		cur, oerr := e.c.open(ctx, e.et)
		if oerr != nil {
			return err
		}
		dst.Reset()
		err = read(cur)
	}
	return err
}

func (e *remoteEdges) neighbors(ctx context.Context, nodes []int32, dst *graph.Adjacency) error {
	for lo := 0; lo < len(nodes); lo += neighborsChunk {
		hi := min(lo+neighborsChunk, len(nodes))
		// The codec decodes the response straight into dst (see
		// neighborsReply), instead of into a fresh NeighborsResponse.
		reply := &neighborsReply{dst: dst, n: hi - lo, info: e.info}
		req := &rpcpb.NeighborsRequest{Type: e.pb, Incarnation: e.inc, Nodes: nodes[lo:hi]}
		if err := e.c.cc.Invoke(ctx, rpcpb.GraphStore_Neighbors_FullMethodName, req, reply, grpc.ForceCodecV2(e.c.codec)); err != nil {
			return e.result("neighbors", err)
		}
		if reply.err != nil {
			return &store.Error{Op: "neighbors", Key: e.et.String(), Row: store.NoRow, Err: fmt.Errorf("rpc: %w", reply.err)}
		}
	}
	return nil
}

// Topology implements store.EdgeTable.
func (e *remoteEdges) Topology(ctx context.Context) (*store.Topology, error) {
	const op = "get-edges"
	stream, err := e.c.c.GetTopology(ctx, &rpcpb.GetTopologyRequest{Type: e.pb})
	if err != nil {
		return nil, e.result(op, err)
	}
	var t store.Topology
	var info store.EdgeInfo
	for first := true; ; first = false {
		c, err := stream.Recv()
		if err == io.EOF && !first {
			break
		}
		if err != nil {
			return nil, e.result(op, err)
		}
		if first {
			info = edgeInfoFromPB(c.Info)
			t.NumNodes = info.NumNodes
		}
		t.Indptr = append(t.Indptr, c.Indptr...)
		t.Src = append(t.Src, c.Src...)
		t.EdgeID = append(t.EdgeID, c.EdgeId...)
		t.Weight = append(t.Weight, c.Weight...)
		t.Time = append(t.Time, c.Time...)
	}
	t.Weight = presence(t.Weight, info.Weighted)
	t.Time = presence(t.Time, info.Timed)
	t.Src, t.EdgeID = presence(t.Src, true), presence(t.EdgeID, true)
	if err := t.Validate(); err != nil {
		return nil, &store.Error{Op: op, Key: e.et.String(), Row: store.NoRow, Err: fmt.Errorf("rpc: %w", err)}
	}
	return &t, nil
}

// presence returns v when has (non-nil even if empty), nil otherwise: on
// the wire an empty array and an absent one look the same.
func presence[T any](v []T, has bool) []T {
	switch {
	case !has:
		return nil
	case v == nil:
		return []T{}
	}
	return v
}
