package rpc

import (
	"context"
	"math/rand/v2"
	"net"
	"testing"

	"google.golang.org/grpc"

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
