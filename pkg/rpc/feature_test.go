package rpc_test

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/goleak"

	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpctest"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/store/storetest"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serveFeatures starts a feature server over a fresh memory store on a
// loopback TCP port and returns its address; the server stops at cleanup.
func serveFeatures(t *testing.T) (string, *store.Features) { return serveFeaturesB(t) }

func serveFeaturesB(t testing.TB) (string, *store.Features) {
	t.Helper()
	local := store.NewFeatures(memstore.New())
	t.Cleanup(func() { _ = local.Close() }) // after the server stops
	return rpctest.Serve(t, local, nil), local
}

func dial(t *testing.T, addr string) *store.Features { return dialB(t, addr) }

func dialB(t testing.TB, addr string) *store.Features {
	t.Helper()
	fs, err := rpc.DialFeatures(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fs.Close() })
	return fs
}

// TestFeatureConformance: a remote feature store passes the same suite as
// the local backends.
func TestFeatureConformance(t *testing.T) {
	storetest.RunFeatures(t, func(t *testing.T) storetest.FeatureStore {
		addr, _ := serveFeatures(t)
		return dial(t, addr)
	})
}

// TestErrorsCrossTheWire: a store error comes back with its sentinel, op,
// key, row and message.
func TestErrorsCrossTheWire(t *testing.T) {
	ctx := context.Background()
	addr, local := serveFeatures(t)
	remote := dial(t, addr)
	key := store.Key{Group: "paper", Name: "x"}
	if err := remote.Create(ctx, store.AttrInfo{Key: key, Rows: 10, Cols: 2}); err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(ctx, key, []int64{1}, tensor.FromSlice(1, 2, []float32{1, 2})); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func(fs store.FeatureStore) error
		want error
	}{
		{"absent row", func(fs store.FeatureStore) error {
			return fs.Get(ctx, key, []int64{1, 7}, tensor.New(2, 2))
		}, store.ErrNotFound},
		{"exists", func(fs store.FeatureStore) error {
			return fs.Create(ctx, store.AttrInfo{Key: key, Rows: 1, Cols: 1})
		}, store.ErrExists},
		{"no attribute", func(fs store.FeatureStore) error {
			return fs.Drop(ctx, store.Key{Name: "nope"})
		}, store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lerr, rerr := tt.call(local), tt.call(remote)
			if !errors.Is(rerr, tt.want) {
				t.Fatalf("remote error %v, want %v", rerr, tt.want)
			}
			if lerr == nil || rerr.Error() != lerr.Error() {
				t.Fatalf("remote error %q, local %q", rerr, lerr)
			}
			var le, re *store.Error
			if !errors.As(lerr, &le) || !errors.As(rerr, &re) || le.Row != re.Row || le.Op != re.Op || le.Key != re.Key {
				t.Fatalf("remote %#v, local %#v", re, le)
			}
		})
	}
}

// TestStaleHandle: a handle opened before a drop fails with ErrNotFound
// after the attribute is created again under the same name.
func TestStaleHandle(t *testing.T) {
	ctx := context.Background()
	addr, _ := serveFeatures(t)
	c, err := rpc.DialFeatures(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	key := store.Key{Name: "x"}
	info := store.AttrInfo{Key: key, Rows: 4, Cols: 1}
	if err := c.Create(ctx, info); err != nil {
		t.Fatal(err)
	}
	tab, err := c.Backend().Table(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Drop(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(ctx, info); err != nil {
		t.Fatal(err)
	}
	if err := tab.Put(ctx, []int64{0}, tensor.New(1, 1)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("put through a stale handle: %v, want ErrNotFound", err)
	}
}
