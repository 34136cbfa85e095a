package rpc

import (
	"context"
	"io"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
)

// chunkStream feeds PutTopology a list of chunks, as a client stream.
type chunkStream struct {
	grpc.ServerStream
	chunks []*rpcpb.TopologyChunk
	closed bool
}

func (s *chunkStream) Recv() (*rpcpb.TopologyChunk, error) {
	if len(s.chunks) == 0 {
		return nil, io.EOF
	}
	c := s.chunks[0]
	s.chunks = s.chunks[1:]
	return c, nil
}

func (s *chunkStream) SendAndClose(*rpcpb.PutTopologyResponse) error { s.closed = true; return nil }
func (s *chunkStream) Context() context.Context                      { return context.Background() }
func (s *chunkStream) SetHeader(metadata.MD) error                   { return nil }

// FuzzPutTopology: any header and chunks are either refused or stored
// as a valid topology the store then answers from; nothing panics, and
// a header's sizes allocate nothing by themselves.
func FuzzPutTopology(f *testing.F) {
	f.Add(int64(3), int64(2), false, []byte{0, 0, 1, 1, 2, 2, 0, 1, 1, 2})
	f.Add(int64(1<<40), int64(1<<40), true, []byte{})
	f.Fuzz(func(t *testing.T, nodes, edges int64, weighted bool, data []byte) {
		// data drives the arrays: a byte per value, split over up to three
		// chunks.
		vals := func(n int) []int64 {
			out := make([]int64, 0, n)
			for i := 0; i < n && len(data) > 0; i++ {
				out = append(out, int64(data[0]))
				data = data[1:]
			}
			return out
		}
		n := int(min(max(nodes, 0), 64))
		m := int(min(max(edges, 0), 64))
		indptr := vals(n + 1)
		src := make([]int32, 0, m)
		for _, v := range vals(m) {
			src = append(src, int32(v))
		}
		eid := vals(m)
		var w []float32
		if weighted {
			for _, v := range vals(m) {
				w = append(w, float32(v))
			}
		}
		first := &rpcpb.TopologyChunk{Info: &rpcpb.EdgeInfo{Type: edgeTypeToPB(store.DefaultEdgeType),
			NumNodes: nodes, NumEdges: edges, Weighted: weighted}}
		half := len(src) / 2
		chunks := []*rpcpb.TopologyChunk{first,
			{Indptr: indptr, Src: src[:half], EdgeId: eid},
			{Src: src[half:], Weight: w}}
		if len(data) > 0 && data[0]%2 == 1 {
			chunks = append(chunks, &rpcpb.TopologyChunk{Info: first.Info}) // a second header
		}
		g := store.NewGraph(memstore.New())
		defer g.Close()
		s := NewGraphServer(g)
		stream := &chunkStream{chunks: chunks}
		err := s.PutTopology(stream)
		if err == nil != stream.closed {
			t.Fatalf("error %v but closed %v", err, stream.closed)
		}
		if err != nil {
			return
		}
		info, ierr := g.EdgeInfo(context.Background(), store.DefaultEdgeType)
		if ierr != nil || int64(info.NumNodes) != nodes || info.NumEdges != edges {
			t.Fatalf("accepted %d nodes %d edges, stored %+v (%v)", nodes, edges, info, ierr)
		}
	})
}

// FuzzSampleHop: any SampleHop request is answered with a well-formed
// adjacency (one entry per frontier node, at most fanout neighbours each,
// every neighbour a node of the graph) or refused; nothing panics.
func FuzzSampleHop(f *testing.F) {
	f.Add([]byte{1, 2, 3}, int32(2), false, false, int32(0), []byte{}, []byte{}, uint64(1))
	f.Add([]byte{9, 0, 9}, int32(-1), true, true, int32(2), []byte{5, 6, 7}, []byte{1, 1, 2}, uint64(7))
	f.Add([]byte{200}, int32(-5), false, false, int32(9), []byte{1}, []byte{1, 2}, uint64(0))
	local := store.NewGraph(memstore.New())
	const n = 10
	c := graph.Compressed{NumNodes: n, Indptr: []int64{0}}
	for v := range n {
		for k := range v % 4 * 2 { // degrees 0, 2, 4, 6
			c.Indices = append(c.Indices, int32((v*3+k)%n))
			c.Weight = append(c.Weight, float32(k%3))
		}
		c.Indptr = append(c.Indptr, int64(len(c.Indices)))
	}
	ei := store.FromCSC(graph.CSC{Compressed: c})
	ei.Time = make([]int64, len(c.Indices))
	for i := range ei.Time {
		ei.Time[i] = int64(i % 7)
	}
	if err := local.PutEdges(context.Background(), store.DefaultEdgeType, ei); err != nil {
		f.Fatal(err)
	}
	s := NewGraphServer(local)
	f.Fuzz(func(t *testing.T, frontier []byte, fanout int32, replace, weighted bool, temporal int32, cutoff, tags []byte, seed uint64) {
		req := &rpcpb.SampleHopRequest{Type: edgeTypeToPB(store.DefaultEdgeType), Fanout: fanout, Replace: replace,
			Weighted: weighted, Temporal: temporal, Seed: seed}
		for _, b := range frontier {
			req.Frontier = append(req.Frontier, int32(b)-3) // some negative, some past n
		}
		for _, b := range cutoff {
			req.Cutoff = append(req.Cutoff, int64(b))
		}
		for _, b := range tags {
			req.Tags = append(req.Tags, int32(b))
		}
		resp, err := s.SampleHop(context.Background(), req)
		if err != nil {
			return
		}
		b, err := proto.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		var adj graph.Adjacency
		adj.Reset()
		r := &neighborsReply{dst: &adj, n: len(req.Frontier), info: store.EdgeInfo{NumNodes: n}}
		if err := r.decode(b); err != nil {
			t.Fatalf("the server's answer does not decode: %v", err)
		}
		for i := range req.Frontier {
			if k := adj.Indptr[i+1] - adj.Indptr[i]; fanout >= 0 && k > int64(fanout) {
				t.Fatalf("entry %d: %d neighbours for fanout %d", i, k, fanout)
			}
		}
		for _, v := range adj.Nbrs {
			if v < 0 || v >= n {
				t.Fatalf("neighbour %d of a %d-node graph", v, n)
			}
		}
	})
}
