package rpc

import (
	"context"
	"io"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

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
