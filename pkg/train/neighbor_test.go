package train

import (
	"context"
	"log/slog"
	"math"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpctest"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
)

func neighborConfig(t *testing.T, model string, sets ...string) *Config {
	t.Helper()
	cfg := smallConfig(t, model)
	cfg.Mode = "neighbor"
	cfg.Neighbor = NeighborConfig{Fanouts: []int{5, 5}, BatchSize: 32}
	for _, s := range sets {
		k, v, _ := strings.Cut(s, "=")
		switch k {
		case "workers":
			cfg.Neighbor.Workers = int(v[0] - '0')
		case "all":
			cfg.Neighbor.Fanouts = []int{-1, -1}
			cfg.Neighbor.BatchSize = 1 << 20
			cfg.Model.Dropout = 0
		}
	}
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestNeighborBatchLearns: neighbour-sampled mini-batches train every
// model kind well above chance (4 classes), and the result does not
// depend on the number of sampling workers.
func TestNeighborBatchLearns(t *testing.T) {
	ctx := context.Background()
	for _, model := range []string{"sage", "gcn", "gat", "gin"} {
		t.Run(model, func(t *testing.T) {
			var losses [2][]float64
			var res [2]*SeedResult
			for i, w := range []string{"workers=1", "workers=3"} {
				cfg := neighborConfig(t, model, w)
				d, err := LoadData(ctx, cfg.Dataset)
				if err != nil {
					t.Fatal(err)
				}
				r, _, err := NeighborBatch(ctx, cfg, d, 3, cpu.New(), func(e Epoch) { losses[i] = append(losses[i], e.Loss) })
				if err != nil {
					t.Fatal(err)
				}
				res[i] = r
			}
			if res[0].ValAcc < 0.6 || res[0].TestAcc < 0.6 {
				t.Errorf("val %.3f test %.3f, want both >= 0.6 (chance 0.25)", res[0].ValAcc, res[0].TestAcc)
			}
			if losses[0][len(losses[0])-1] >= losses[0][0] {
				t.Errorf("loss went from %v to %v", losses[0][0], losses[0][len(losses[0])-1])
			}
			for e := range losses[0] {
				if losses[0][e] != losses[1][e] {
					t.Fatalf("epoch %d: loss %v with 1 sampling worker, %v with 3", e+1, losses[0][e], losses[1][e])
				}
			}
		})
	}
}

// TestNeighborAllEqualsFull: sampling every neighbour over as many hops
// as the model has layers, with one batch holding every training node
// and no dropout, a SAGE epoch's loss is the full-batch loss (the seeds'
// outputs see exactly their full 2-hop neighbourhoods), for the first
// epoch (same initial parameters) and, since each epoch is one identical
// step, for every epoch after.
func TestNeighborAllEqualsFull(t *testing.T) {
	ctx := context.Background()
	cfg := neighborConfig(t, "sage", "all=1")
	cfg.Train.Epochs = 5
	d, err := LoadData(ctx, cfg.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	var nb, full []float64
	if _, _, err := NeighborBatch(ctx, cfg, d, 5, cpu.New(), func(e Epoch) { nb = append(nb, e.Loss) }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := FullBatch(ctx, cfg, d, 5, cpu.New(), func(e Epoch) { full = append(full, e.Loss) }); err != nil {
		t.Fatal(err)
	}
	for e := range full {
		if math.Abs(nb[e]-full[e]) > 1e-5*math.Abs(full[e]) {
			t.Errorf("epoch %d: neighbour loss %.7f, full-batch %.7f", e+1, nb[e], full[e])
		}
	}
}

func TestNeighborConfigErrors(t *testing.T) {
	for _, tt := range []struct{ sets, want string }{
		{"neighbor.fanouts=[]", "neighbor.fanouts: empty"},
		{"neighbor.fanouts=[10, 0]", "neighbor.fanouts[1]: 0"},
		{"neighbor.fanouts=[-2]", "neighbor.fanouts[0]: -2"},
		{"neighbor.batch_size=-1", "neighbor.batch_size: -1"},
		{"neighbor.workers=-1", "neighbor.workers: -1"},
	} {
		c, err := Parse([]byte("mode: neighbor\ndataset: {name: x, generator: sbm}\nmodel: {name: sage}\n"), []string{tt.sets})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate = %v, want an error naming %q", tt.sets, err, tt.want)
		}
	}
	c, err := Parse([]byte("mode: neighbor\ndataset: {name: x, generator: sbm}\nmodel: {name: sage, layers: 3}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Neighbor.Fanouts) != 3 || c.Neighbor.Fanouts[2] != 10 || c.Neighbor.BatchSize != 1024 {
		t.Errorf("defaults: %+v, want 10 per layer and batch 1024", c.Neighbor)
	}
}

// TestNeighborThroughServers: mode neighbor trains from a prepared GAS
// data folder whose rows are on a feature server and whose topology is
// cut over two graph shards that sample (SampleHop), the second shard
// two replicas of which one is dead by the time training starts, and
// learns; the same training from the folder's own store (sampled on the
// trainer) is identical, epoch for epoch, since servers draw what the
// trainer would.
func TestNeighborThroughServers(t *testing.T) {
	ctx := context.Background()
	serve := func(fs store.FeatureStore, gs store.GraphStore) (string, func()) {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var once sync.Once
		stop := rpctest.ServeOn(lis, fs, gs)
		t.Cleanup(func() { once.Do(stop) })
		return lis.Addr().String(), func() { once.Do(stop) }
	}
	f := store.NewFeatures(memstore.New())
	t.Cleanup(func() { f.Close() })
	faddr, _ := serve(f, nil)
	var addrs []string
	var stops []func()
	for range 3 {
		g := store.NewGraph(memstore.New())
		t.Cleanup(func() { g.Close() })
		a, stop := serve(nil, g)
		addrs, stops = append(addrs, a), append(stops, stop)
	}
	gaddrs := []string{addrs[0], addrs[1] + "|" + addrs[2]}
	dir := t.TempDir()
	base := []string{"mode=neighbor", "neighbor.fanouts=[5, 5]", "neighbor.batch_size=32",
		"output.no_plot=true", "output.no_checkpoint=true"}
	// The folder's own store, and the servers, hold the same data.
	for _, sets := range [][]string{
		{"gas.store=" + filepath.Join(dir, "local")},
		{"gas.store=" + filepath.Join(dir, "remote"), "gas.feature_server=" + faddr, "gas.graph_server=" + strings.Join(gaddrs, ",")},
	} {
		cfg := gasConfig(t, "sage", append(base, sets...)...)
		if _, err := PrepareGASStore(ctx, cfg, discard()); err != nil {
			t.Fatal(err)
		}
	}
	stops[1]() // shard 1 goes on with its other replica
	stops[1]() // shard 1 goes on with its other replica
	var losses [2][]float64
	var accs [2]float64
	for i, sets := range [][]string{
		{"gas.store=" + filepath.Join(dir, "local")},
		{"gas.store=" + filepath.Join(dir, "remote"), "gas.feature_server=" + faddr, "gas.graph_server=" + strings.Join(gaddrs, ","),
			"gas.server_wait=1"}, // for the dead replica
	} {
		cfg := gasConfig(t, "sage", append(base, sets...)...)
		var logs syncBuffer
		s, err := Run(ctx, cfg, cpu.New(), RunOptions{Seeds: 1, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			OnEpoch: func(e Epoch) { losses[i] = append(losses[i], e.Loss) }})
		if err != nil {
			t.Fatal(err)
		}
		accs[i] = s.TestAccMean
		want := "on=\"trainer (from the stores' neighbour lists)\""
		if i == 1 {
			want = "on=\"graph servers\""
		}
		if !strings.Contains(logs.String(), want) {
			t.Errorf("run %d: the log does not say it samples %s:\n%s", i, want, logs.String())
		}
		if i == 1 && !strings.Contains(logs.String(), "replica unavailable, reading from another") {
			t.Errorf("the dead replica was never noticed:\n%s", logs.String())
		}
	}
	t.Logf("test accuracy %.2f%% (both ways)", accs[1])
	if accs[1] < 60 {
		t.Errorf("test accuracy %.2f%% through the servers, want >= 60 (chance 25)", accs[1])
	}
	if len(losses[0]) != len(losses[1]) {
		t.Fatalf("%d epochs locally, %d through the servers", len(losses[0]), len(losses[1]))
	}
	for e := range losses[0] {
		if losses[0][e] != losses[1][e] {
			t.Fatalf("epoch %d: loss %v from the folder, %v through the servers", e+1, losses[0][e], losses[1][e])
		}
	}
	if accs[0] != accs[1] {
		t.Errorf("test accuracy %.4f from the folder, %.4f through the servers", accs[0], accs[1])
	}
}
