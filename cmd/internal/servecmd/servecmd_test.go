package servecmd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs svc with args until the returned stop, which returns Run's
// error; it returns the address served.
func start(t *testing.T, svc Service, args ...string) (addr string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		errc <- Run(ctx, svc, append([]string{"--listen", "127.0.0.1:0"}, args...), &logs, func(a string) { addrc <- a })
	}()
	select {
	case addr = <-addrc:
	case err := <-errc:
		cancel()
		t.Fatalf("%s exited: %v\n%s", svc.Name, err, logs.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("%s did not start", svc.Name)
	}
	return addr, func() error { cancel(); return <-errc }
}

// TestRestart: data written through a Pebble-backed server is there after
// the server stops and a new one opens the same directory, for both
// services.
func TestRestart(t *testing.T) {
	ctx := context.Background()
	key := store.Key{Group: "paper", Name: "x"}
	rows := tensor.FromSlice(2, 3, []float32{1, 2, 3, 4, 5, 6})
	coo := graph.COO{NumNodes: 4, Src: []int32{0, 1, 2, 3}, Dst: []int32{1, 2, 1, 0}}
	tests := []struct {
		svc         Service
		write, read func(t *testing.T, addr string)
	}{
		{Features, func(t *testing.T, addr string) {
			fs := dialFeatures(t, addr)
			if err := fs.Create(ctx, store.AttrInfo{Key: key, Rows: 5, Cols: 3}); err != nil {
				t.Fatal(err)
			}
			if err := fs.Put(ctx, key, []int64{4, 0}, rows); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, addr string) {
			got := tensor.New(2, 3)
			if err := dialFeatures(t, addr).Get(ctx, key, []int64{4, 0}, got); err != nil {
				t.Fatal(err)
			}
			if tensor.MaxAbsDiff(got, rows) != 0 {
				t.Fatalf("got %v, want %v", got, rows)
			}
		}},
		{Graph, func(t *testing.T, addr string) {
			if err := dialGraph(t, addr).PutEdges(ctx, store.DefaultEdgeType, store.FromCOO(coo)); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, addr string) {
			var adj graph.Adjacency
			if err := dialGraph(t, addr).Neighbors(ctx, store.DefaultEdgeType, []int32{1, 3}, &adj); err != nil {
				t.Fatal(err)
			}
			// In-neighbours of 1 are 0 and 2 (edge ids 0, 2); of 3 none.
			if !slices.Equal(adj.Indptr, []int64{0, 2, 2}) || !slices.Equal(adj.Nbrs, []int32{0, 2}) || !slices.Equal(adj.EdgeID, []int64{0, 2}) {
				t.Fatalf("neighbours %+v", adj)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.svc.Name, func(t *testing.T) {
			dir := t.TempDir()
			for round := 0; round < 2; round++ {
				addr, stop := start(t, tt.svc, "--dir", dir)
				if round == 0 {
					tt.write(t, addr)
				}
				tt.read(t, addr)
				if err := stop(); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
		})
	}
}

func dialFeatures(t *testing.T, addr string) *store.Features {
	fs, err := rpc.DialFeatures(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fs.Close() })
	return fs
}

func dialGraph(t *testing.T, addr string) *store.Graph {
	g, err := rpc.DialGraph(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--listen", "127.0.0.1:0", "extra"}, {"--dir"}, {"--listen", "not-an-address"}} {
		var out bytes.Buffer
		if err := Run(context.Background(), Features, args, &out, nil); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// TestMetrics: with --metrics the server exports its calls by method and
// code, their bytes, and the Pebble store's figures.
func TestMetrics(t *testing.T) {
	ctx := context.Background()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	maddr := lis.Addr().String()
	lis.Close()
	addr, stop := start(t, Features, "--dir", t.TempDir(), "--metrics", maddr)
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	fs := dialFeatures(t, addr)
	key := store.Key{Name: "x"}
	if err := fs.Create(ctx, store.AttrInfo{Key: key, Rows: 4, Cols: 2}); err != nil {
		t.Fatal(err)
	}
	if err := fs.Put(ctx, key, []int64{1}, tensor.New(1, 2)); err != nil {
		t.Fatal(err)
	}
	if err := fs.Get(ctx, key, []int64{1}, tensor.New(1, 2)); err != nil {
		t.Fatal(err)
	}
	if err := fs.Get(ctx, key, []int64{2}, tensor.New(1, 2)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get of an absent row: %v", err)
	}
	text := scrape(t, maddr)
	for _, want := range []string{
		`gnnscale_rpc_calls_total{code="OK",method="/gnnscale.v1.FeatureStore/GetRows"} 1`,
		`gnnscale_rpc_calls_total{code="NotFound",method="/gnnscale.v1.FeatureStore/GetRows"} 1`,
		`gnnscale_rpc_calls_total{code="OK",method="/gnnscale.v1.FeatureStore/PutRows"} 1`,
		`gnnscale_rpc_call_seconds_count{method="/gnnscale.v1.FeatureStore/GetRows"} 2`,
		`gnnscale_rpc_sent_bytes_total{method="/gnnscale.v1.FeatureStore/GetRows"}`,
		`gnnscale_store_disk_bytes`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// scrape returns the text of the metrics served at maddr.
func scrape(t *testing.T, maddr string) string {
	t.Helper()
	resp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}
