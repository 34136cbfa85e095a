package replica

import (
	"errors"
	"net"
	"testing"

	"google.golang.org/grpc"

	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// serveGroup starts a 3-member group, each member behind a real gRPC
// feature server whose address it announces, and returns the cluster and
// a client per member.
func serveGroup(t *testing.T) (*cluster, []*store.Features) {
	t.Helper()
	var lis []net.Listener
	var addrs []string
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lis = append(lis, l)
		addrs = append(addrs, l.Addr().String())
	}
	c := newClusterAt(t, 3, testOptions(), clusterConfig{svc: addrs})
	var clients []*store.Features
	for i, n := range c.nodes {
		srv := grpc.NewServer(rpc.ServerOptions()...)
		fsrv := rpc.NewReplicatedFeatureServer(n.rep.Features(), n.rep)
		rpcpb.RegisterFeatureStoreServer(srv, fsrv)
		done := make(chan struct{})
		go func() { defer close(done); _ = srv.Serve(lis[i]) }()
		t.Cleanup(func() { srv.Stop(); <-done; _ = fsrv.Close() })
		fs, err := rpc.DialFeatures(addrs[i])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = fs.Close() })
		clients = append(clients, fs)
	}
	return c, clients
}

// TestWritesThroughFollowersOverGRPC: a client of a follower writes as if
// it talked to the leader (the server forwards), reads its writes back
// from that follower, and a client of another replica reads them once it
// asks for the writer's index.
func TestWritesThroughFollowersOverGRPC(t *testing.T) {
	c, clients := serveGroup(t)
	ctx := t.Context()
	li := c.leader()
	f1, f2 := clients[(li+1)%3], clients[(li+2)%3]
	must(t, f1.Create(ctx, store.AttrInfo{Key: keyX, Rows: 100, Cols: 3}))
	src := tensor.FromSlice(2, 3, []float32{1, 2, 3, 4, 5, 6})
	must(t, f1.Put(ctx, keyX, []int64{7, 9}, src))
	must(t, store.PutRange(ctx, f1, keyX, 20, src))
	must(t, f1.Remove(ctx, keyX, []int64{9}))

	dst := tensor.New(2, 3)
	must(t, f1.Get(ctx, keyX, []int64{7, 21}, dst)) // read-your-writes on the follower
	if dst.Row(0)[2] != 3 || dst.Row(1)[0] != 4 {
		t.Fatalf("follower reads %v", dst.Data)
	}
	if err := f1.Get(ctx, keyX, []int64{9}, tensor.New(1, 3)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removed row: %v", err)
	}
	w := f1.Backend().(*rpc.FeatureClient)
	if w.Index() == 0 {
		t.Fatal("writes through a replicated server returned no index")
	}
	r := f2.Backend().(*rpc.FeatureClient)
	r.ReadAtLeast(w.Index())
	must(t, f2.Get(ctx, keyX, []int64{7}, tensor.New(1, 3)))

	// Input errors still come back with their sentinel, from the
	// follower's own check.
	if err := f1.Put(ctx, keyX, []int64{100}, tensor.New(1, 3)); !errors.Is(err, store.ErrOutOfRange) {
		t.Fatalf("out-of-range put through a follower: %v", err)
	}
	// A committed write that fails at the leader comes back through the
	// forward with its sentinel.
	if err := f1.Create(ctx, store.AttrInfo{Key: keyX, Rows: 1, Cols: 1}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("create existing through a follower: %v", err)
	}
	must(t, f2.Drop(ctx, keyX))
	c.sameState()
}
