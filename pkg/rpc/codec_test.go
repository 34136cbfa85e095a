package rpc

import (
	"context"
	"math/rand/v2"
	"net"
	"slices"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// TestWireIsPlainProtobuf: rowsCodec changes where bytes are copied, not
// the bytes. A stock gRPC client reads the server's GetRows responses, and
// our client reads a stock server's; payloads both above and below the
// codec's pooling threshold.
func TestWireIsPlainProtobuf(t *testing.T) {
	ctx := context.Background()
	const rows, cols = 300, 33
	key := store.Key{Group: "g", Name: "x"}
	want := tensor.New(rows, cols)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range want.Data {
		want.Data[i] = r.Float32()
	}
	ids := []int64{299, 0, 7, 7, 150}
	for _, tt := range []struct {
		name      string
		serverOpt []grpc.ServerOption // nil: stock codec
		n         int
	}{
		{"our server, stock client, large", ServerOptions(), len(ids)*40 + 1},
		{"our server, stock client, small", ServerOptions(), 1},
		{"stock server, our client, large", nil, len(ids)*40 + 1},
		{"stock server, our client, small", nil, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			local := store.NewFeatures(memstore.New())
			defer local.Close()
			if err := local.Create(ctx, store.AttrInfo{Key: key, Rows: rows, Cols: cols}); err != nil {
				t.Fatal(err)
			}
			if err := store.PutRange(ctx, local, key, 0, want); err != nil {
				t.Fatal(err)
			}
			lis, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := grpc.NewServer(tt.serverOpt...)
			rpcpb.RegisterFeatureStoreServer(srv, NewFeatureServer(local))
			done := make(chan struct{})
			go func() { defer close(done); _ = srv.Serve(lis) }()
			defer func() { srv.Stop(); <-done }()

			get := make([]int64, tt.n)
			for i := range get {
				get[i] = ids[i%len(ids)]
			}
			var got *tensor.Dense
			if tt.serverOpt != nil {
				conn, err := grpc.NewClient(lis.Addr().String(), DialOptions()...)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				resp, err := rpcpb.NewFeatureStoreClient(conn).GetRows(ctx, &rpcpb.GetRowsRequest{
					Key: keyToPB(key), Rows: &rpcpb.Rows{Ids: get}})
				if err != nil {
					t.Fatal(err)
				}
				if got, err = decodeRows(resp.Arrow, cols, nil); err != nil {
					t.Fatal(err)
				}
			} else {
				fs, err := DialFeatures(lis.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				defer fs.Close()
				got = tensor.New(len(get), cols)
				if err := fs.Get(ctx, key, get, got); err != nil {
					t.Fatal(err)
				}
			}
			if got.Rows != len(get) {
				t.Fatalf("%d rows, want %d", got.Rows, len(get))
			}
			for i, id := range get {
				for j, v := range got.Row(i) {
					if w := want.At(int(id), j); v != w {
						t.Fatalf("row %d (id %d) col %d: %v, want %v", i, id, j, v, w)
					}
				}
			}
		})
	}
}

// TestNeighborsReply: a NeighborsResponse built as the server builds it
// decodes back into the adjacency, appended after what dst holds; wrong
// lengths and decreasing offsets are errors.
func TestNeighborsReply(t *testing.T) {
	want := graph.Adjacency{Indptr: []int64{0, 2, 2, 5}, Nbrs: []int32{7, 1, 3, 3, 9},
		EdgeID: []int64{10, 11, 12, 13, 1 << 40}, Weight: []float32{0.5, 1, -2, 3, 4}}
	resp := func(a graph.Adjacency) []byte {
		b, err := proto.Marshal(&rpcpb.NeighborsResponse{Indptr: leBytes(a.Indptr), Nbrs: leBytes(a.Nbrs),
			EdgeId: leBytes(a.EdgeID), Weight: leBytes(a.Weight)})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	info := store.EdgeInfo{Weighted: true}
	var dst graph.Adjacency
	dst.Reset()
	dst.Indptr = append(dst.Indptr, 1)
	dst.Nbrs, dst.EdgeID, dst.Weight = []int32{4}, []int64{99}, []float32{8}
	r := &neighborsReply{dst: &dst, n: 3, info: info}
	if err := r.decode(resp(want)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(dst.Indptr, []int64{0, 1, 3, 3, 6}) || !slices.Equal(dst.Nbrs, append([]int32{4}, want.Nbrs...)) ||
		!slices.Equal(dst.EdgeID, append([]int64{99}, want.EdgeID...)) || !slices.Equal(dst.Weight, append([]float32{8}, want.Weight...)) {
		t.Fatalf("decoded %+v", dst)
	}
	for name, bad := range map[string]graph.Adjacency{
		"short ids":  {Indptr: want.Indptr, Nbrs: want.Nbrs, EdgeID: want.EdgeID[:4], Weight: want.Weight},
		"decreasing": {Indptr: []int64{0, 3, 2, 5}, Nbrs: want.Nbrs, EdgeID: want.EdgeID, Weight: want.Weight},
		"past end":   {Indptr: []int64{0, 2, 2, 6}, Nbrs: want.Nbrs, EdgeID: want.EdgeID, Weight: want.Weight},
		"no weights": {Indptr: want.Indptr, Nbrs: want.Nbrs, EdgeID: want.EdgeID},
	} {
		var d graph.Adjacency
		d.Reset()
		if err := (&neighborsReply{dst: &d, n: 3, info: info}).decode(resp(bad)); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// FuzzNeighborsReply: any bytes decode or fail, never panic.
func FuzzNeighborsReply(f *testing.F) {
	b, _ := proto.Marshal(&rpcpb.NeighborsResponse{Indptr: leBytes([]int64{0, 1}), Nbrs: leBytes([]int32{3}), EdgeId: leBytes([]int64{4})})
	f.Add(b, uint8(1), true)
	f.Fuzz(func(t *testing.T, b []byte, n uint8, weighted bool) {
		var d graph.Adjacency
		d.Reset()
		_ = (&neighborsReply{dst: &d, n: int(n), info: store.EdgeInfo{Weighted: weighted, Timed: !weighted}}).decode(b)
	})
}
