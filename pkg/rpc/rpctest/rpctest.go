// Package rpctest serves stores over gRPC on loopback for tests, as
// net/http/httptest does for HTTP handlers.
package rpctest

import (
	"net"
	"testing"

	"google.golang.org/grpc"

	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// Serve serves fs (the FeatureStore service) and gs (the GraphStore
// service) on a free loopback port, either may be nil, with
// rpc.ServerOptions, until the test ends; it returns the address.
func Serve(t testing.TB, fs store.FeatureStore, gs store.GraphStore) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ServeOn(lis, fs, gs))
	return lis.Addr().String()
}

// ServeOn serves fs and gs (either may be nil) on lis until the returned
// stop is called.
func ServeOn(lis net.Listener, fs store.FeatureStore, gs store.GraphStore) (stop func()) {
	srv := grpc.NewServer(rpc.ServerOptions()...)
	if fs != nil {
		rpcpb.RegisterFeatureStoreServer(srv, rpc.NewFeatureServer(fs))
	}
	if gs != nil {
		rpcpb.RegisterGraphStoreServer(srv, rpc.NewGraphServer(gs))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	return func() { srv.Stop(); <-done }
}

// FreeAddrs returns n distinct loopback addresses ("127.0.0.1:port")
// whose ports were free: they are held open together and closed before
// FreeAddrs returns, so no port is handed out twice (another process may
// still take one before the caller binds it).
func FreeAddrs(t testing.TB, n int) []string {
	t.Helper()
	var addrs []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		addrs = append(addrs, l.Addr().String())
	}
	return addrs
}
