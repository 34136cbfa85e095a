package replica_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/gnnscale/gnnscale/pkg/replica"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// A group of one member over a Pebble store: writes go through raft and
// are in the store when they return. A real group lists three members in
// Peers, each started with its own ID, Bind and Dir.
func Example() {
	dir, _ := os.MkdirTemp("", "replica-example")
	defer os.RemoveAll(dir)
	local, err := pebblestore.Open(filepath.Join(dir, "store"), nil)
	if err != nil {
		panic(err)
	}
	defer local.Close()
	rep, err := replica.Open(local, replica.Options{
		ID: "fs1", Bind: "127.0.0.1:0", Dir: filepath.Join(dir, "raft"),
		Peers:  []replica.Peer{{ID: "fs1", Addr: "127.0.0.1:0"}},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		panic(err)
	}
	defer rep.Close()
	ctx := context.Background()
	if err := rep.WaitLeader(ctx); err != nil { // a group of one elects itself within a second
		panic(err)
	}
	fs := rep.Features()
	key := store.Key{Group: "paper", Name: "x"}
	if err := fs.Create(ctx, store.AttrInfo{Key: key, Rows: 10, Cols: 2}); err != nil {
		panic(err)
	}
	if err := fs.Put(ctx, key, []int64{3}, tensor.FromSlice(1, 2, []float32{1.5, 2.5})); err != nil {
		panic(err)
	}
	dst := tensor.New(1, 2)
	if err := local.Get(ctx, key, []int64{3}, dst); err != nil { // already in the local store
		panic(err)
	}
	fmt.Println(dst.Row(0))
	// Output: [1.5 2.5]
}
