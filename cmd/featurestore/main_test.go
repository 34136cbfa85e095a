package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestServeRestart: rows put through a Pebble-backed server are there
// after the server stops and a new one opens the same directory.
func TestServeRestart(t *testing.T) {
	dir := t.TempDir()
	key := store.Key{Group: "paper", Name: "x"}
	rows := tensor.FromSlice(2, 3, []float32{1, 2, 3, 4, 5, 6})
	for round := 0; round < 2; round++ {
		ctx, cancel := context.WithCancel(context.Background())
		addrc := make(chan string, 1)
		errc := make(chan error, 1)
		var logs bytes.Buffer
		go func() {
			errc <- run(ctx, []string{"--listen", "127.0.0.1:0", "--dir", dir}, &logs, func(a string) { addrc <- a })
		}()
		var addr string
		select {
		case addr = <-addrc:
		case err := <-errc:
			t.Fatalf("server exited: %v\n%s", err, logs.String())
		case <-time.After(30 * time.Second):
			t.Fatal("server did not start")
		}
		fs, err := rpc.DialFeatures(addr)
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			if err := fs.Create(ctx, store.AttrInfo{Key: key, Rows: 5, Cols: 3}); err != nil {
				t.Fatal(err)
			}
			if err := fs.Put(ctx, key, []int64{4, 0}, rows); err != nil {
				t.Fatal(err)
			}
		}
		got := tensor.New(2, 3)
		if err := fs.Get(ctx, key, []int64{4, 0}, got); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if tensor.MaxAbsDiff(got, rows) != 0 {
			t.Fatalf("round %d: got %v, want %v", round, got, rows)
		}
		_ = fs.Close()
		cancel()
		if err := <-errc; err != nil {
			t.Fatalf("round %d: run: %v", round, err)
		}
	}
}

func TestBadFlags(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--listen", "127.0.0.1:0", "extra"}, &out, nil); err == nil {
		t.Fatal("extra argument accepted")
	}
}
