package train

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/gas"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpctest"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
)

func gasConfig(t *testing.T, model string, sets ...string) *Config {
	t.Helper()
	layers := "2"
	if model == "gcn2" {
		layers = "4"
	}
	c, err := Parse([]byte(`
dataset: {name: tiny, generator: sbm, sbm: {nodes: 600, classes: 4, features: 16, avg_degree: 8, homophily: 0.8, signal: 0.5, train_frac: 0.2, valid_frac: 0.2}}
model: {name: `+model+`, hidden: 16, dropout: 0.3, layers: `+layers+`, k: 4}
optim: {lr: 0.01, weight_decay: 5e-4}
train: {epochs: 30}
gas: {num_parts: 8, parts_per_batch: 2}
`), append([]string{"output.dir=" + t.TempDir()}, sets...))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGASRun: mode gas is the default, every GAS model learns on a small
// SBM graph, and the run writes its outputs with the GAS measurements.
func TestGASRun(t *testing.T) {
	for _, model := range []string{"gcn", "sage", "gat", "appnp", "gcn2"} {
		t.Run(model, func(t *testing.T) {
			cfg := gasConfig(t, model)
			if cfg.Mode != "gas" {
				t.Fatalf("default mode %q, want gas", cfg.Mode)
			}
			sumPath := filepath.Join(t.TempDir(), "s.json")
			s, err := Run(context.Background(), cfg, cpu.New(), RunOptions{Seeds: 1, SummaryPath: sumPath})
			if err != nil {
				t.Fatal(err)
			}
			if s.Mode != "gas" || len(s.Runs) != 1 {
				t.Fatalf("summary %+v", s)
			}
			if s.TestAccMean < 50 { // 4 classes: chance is 25
				t.Errorf("test accuracy %.1f%%: the model did not learn", s.TestAccMean)
			}
			var js map[string]any
			data, err := os.ReadFile(sumPath)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &js); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"io_seconds_median", "train_peak_rss_bytes", "nodes", "gas", "test_acc_mean"} {
				if _, ok := js[k]; !ok {
					t.Errorf("summary has no %s", k)
				}
			}
			for _, f := range []string{"config.yaml", "metrics.jsonl", "summary.json"} {
				if _, err := os.Stat(filepath.Join(s.OutputDir, f)); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func losses(t *testing.T, cfg *Config, d *GASData) []GASEpoch {
	t.Helper()
	var eps []GASEpoch
	if _, _, err := GAS(context.Background(), cfg, d, 3, cpu.New(cpu.WithWorkers(2)), func(e GASEpoch) { eps = append(eps, e) }); err != nil {
		t.Fatal(err)
	}
	return eps
}

func sameEpochs(t *testing.T, what string, got, want []GASEpoch) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d epochs, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i].Epoch, want[i].Epoch
		if math.Float64bits(g.Loss) != math.Float64bits(w.Loss) || g.ValAcc != w.ValAcc || g.TestAcc != w.TestAcc || g.TrainAcc != w.TrainAcc {
			t.Fatalf("%s: epoch %d: loss %v acc %v/%v/%v, want loss %v acc %v/%v/%v", what, g.Epoch,
				g.Loss, g.TrainAcc, g.ValAcc, g.TestAcc, w.Loss, w.TrainAcc, w.ValAcc, w.TestAcc)
		}
	}
}

// agreeReference returns the config the agreement tests vary, its data
// in memory and its run on them.
func agreeReference(t *testing.T) (*Config, *GASData, []GASEpoch) {
	cfg := gasConfig(t, "gcn", "gas.partitioner=range", "train.epochs=8", "model.layers=3")
	d, err := LoadGAS(context.Background(), cfg, discard())
	if err != nil {
		t.Fatal(err)
	}
	return cfg, d, losses(t, cfg, d)
}

// TestGASModesAgree: synchronous and asynchronous history I/O, memory and
// file histories, and data read through a Pebble GAS store instead of
// memory all give bit-identical training runs.
func TestGASModesAgree(t *testing.T) {
	ctx := context.Background()
	cfg, d, want := agreeReference(t)

	sync := *cfg
	sync.GAS.Sync = true
	sameEpochs(t, "sync", losses(t, &sync, d), want)

	file := *cfg
	file.GAS.Histories, file.GAS.HistoryDir = "file", t.TempDir()
	file.GAS.PoolSize, file.GAS.IOWorkers = 1, 3
	sameEpochs(t, "file histories", losses(t, &file, d), want)

	st := *cfg
	st.GAS.Store = filepath.Join(t.TempDir(), "gasdata")
	if _, err := PrepareGASStore(ctx, &st, discard()); err != nil {
		t.Fatal(err)
	}
	if _, err := PrepareGASStore(ctx, &st, discard()); err == nil {
		t.Fatal("prepare over an existing folder succeeded")
	}
	sd, err := LoadGAS(ctx, &st, discard())
	if err != nil {
		t.Fatal(err)
	}
	defer sd.Close()
	if sd.InMemory {
		t.Fatal("store data reports itself in memory")
	}
	sameEpochs(t, "store", losses(t, &st, sd), want)

	// Features, labels and split on a feature server over loopback gRPC,
	// the topology in the folder.
	remote := *cfg
	remote.GAS.Store = filepath.Join(t.TempDir(), "gasdata")
	remote.GAS.FeatureServer = serveFeatures(t)
	if _, err := PrepareGASStore(ctx, &remote, discard()); err != nil {
		t.Fatal(err)
	}
	rd, err := LoadGAS(ctx, &remote, discard())
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	sameEpochs(t, "feature server", losses(t, &remote, rd), want)

	// Rows on a feature server, topology on a graph server: the folder
	// holds only the book.
	both := *cfg
	both.GAS.Store = filepath.Join(t.TempDir(), "gasdata")
	both.GAS.FeatureServer = serveFeatures(t)
	both.GAS.GraphServer = serveGraph(t)
	if _, err := PrepareGASStore(ctx, &both, discard()); err != nil {
		t.Fatal(err)
	}
	if ents, err := os.ReadDir(both.GAS.Store); err != nil || len(ents) != 1 || ents[0].Name() != gas.BookFile {
		t.Fatalf("folder with both servers holds %v (%v), want only %s", ents, err, gas.BookFile)
	}
	bd, err := LoadGAS(ctx, &both, discard())
	if err != nil {
		t.Fatal(err)
	}
	defer bd.Close()
	sameEpochs(t, "feature and graph servers", losses(t, &both, bd), want)

	// The topology cut over two graph servers, each holding the
	// neighbourhoods of half the partitions.
	sharded := *cfg
	sharded.GAS.Store = filepath.Join(t.TempDir(), "gasdata")
	g1, g2 := serveGraph(t), serveGraph(t)
	sharded.GAS.GraphServer = g1 + "," + g2
	if _, err := PrepareGASStore(ctx, &sharded, discard()); err != nil {
		t.Fatal(err)
	}
	shd, err := LoadGAS(ctx, &sharded, discard())
	if err != nil {
		t.Fatal(err)
	}
	defer shd.Close()
	sameEpochs(t, "two graph servers", losses(t, &sharded, shd), want)
	for _, servers := range []string{g2 + "," + g1, g1} {
		bad := sharded
		bad.GAS.GraphServer = servers
		if d, err := LoadGAS(ctx, &bad, discard()); err == nil {
			d.Close()
			t.Fatalf("graph servers %s accepted for a topology written to %s", servers, sharded.GAS.GraphServer)
		}
	}
}

// serveFeatures and serveGraph start a feature or graph server over a
// fresh memory store on a loopback port, stopped at cleanup, and return
// its address.
func serveFeatures(t *testing.T) string {
	local := store.NewFeatures(memstore.New())
	t.Cleanup(func() { _ = local.Close() })
	return rpctest.Serve(t, local, nil)
}

func serveGraph(t *testing.T) string {
	local := store.NewGraph(memstore.New())
	t.Cleanup(func() { _ = local.Close() })
	return rpctest.Serve(t, nil, local)
}

// TestFeatureServerWait: training waits for a feature server that comes
// up late.
func TestFeatureServerWait(t *testing.T) {
	ctx := context.Background()
	local := store.NewFeatures(memstore.New())
	defer local.Close()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := rpctest.ServeOn(lis, local, nil)
	cfg := gasConfig(t, "gcn", "gas.partitioner=range")
	cfg.GAS.Store = filepath.Join(t.TempDir(), "gasdata")
	cfg.GAS.FeatureServer = lis.Addr().String()
	if _, err := PrepareGASStore(ctx, cfg, discard()); err != nil {
		t.Fatal(err)
	}
	stop()
	late := make(chan func(), 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		lis, err := net.Listen("tcp", cfg.GAS.FeatureServer)
		if err != nil {
			late <- func() {}
			return
		}
		late <- rpctest.ServeOn(lis, local, nil)
	}()
	defer func() { (<-late)() }()
	cfg.GAS.ServerWait = 20
	d, err := LoadGAS(ctx, cfg, discard())
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
}

func TestGASConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		sets []string
		want string
	}{
		{[]string{"model.name=gin"}, "no GAS form"},
		{[]string{"gas.partitioner=random"}, "gas.partitioner"},
		{[]string{"gas.histories=cloud"}, "gas.histories"},
		{[]string{"gas.pool_size=-1"}, "gas.pool_size"},
		{[]string{"gas.num_parts=4", "gas.parts_per_batch=5"}, "exceeds"},
		{[]string{"gas.feature_server=127.0.0.1:7070"}, "needs gas.store"},
		{[]string{"gas.store=/tmp/x", "gas.server_wait=-2"}, "gas.server_wait"},
		{[]string{"gas.graph_server=127.0.0.1:7071"}, "needs gas.store"},
		{[]string{"gas.store=/tmp/x", "gas.feature_server=a:1,b:1"}, "not sharded"},
	} {
		t.Run(strings.Join(tt.sets, ","), func(t *testing.T) {
			c, err := Parse([]byte("dataset: {name: x, generator: sbm}\nmodel: {name: gcn}\n"), tt.sets)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate()
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error naming %q", err, tt.want)
			}
		})
	}
	t.Run("feature server down", func(t *testing.T) {
		ctx := context.Background()
		cfg := gasConfig(t, "gcn", "gas.partitioner=range")
		cfg.GAS.Store = filepath.Join(t.TempDir(), "gasdata")
		cfg.GAS.FeatureServer = serveFeatures(t)
		if _, err := PrepareGASStore(ctx, cfg, discard()); err != nil {
			t.Fatal(err)
		}
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		cfg.GAS.FeatureServer = lis.Addr().String() // nobody answers
		cfg.GAS.ServerWait = -1
		lis.Close()
		if _, err := LoadGAS(ctx, cfg, discard()); err == nil || !strings.Contains(err.Error(), cfg.GAS.FeatureServer) {
			t.Fatalf("LoadGAS = %v, want an error naming %s", err, cfg.GAS.FeatureServer)
		}
	})
	t.Run("missing store", func(t *testing.T) {
		cfg := gasConfig(t, "gcn", "gas.store="+filepath.Join(t.TempDir(), "none"))
		if _, err := LoadGAS(context.Background(), cfg, discard()); err == nil || !strings.Contains(err.Error(), "book.json") {
			t.Fatalf("LoadGAS = %v, want an error naming book.json", err)
		}
	})
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestReplicaFailover: with the rows on two feature-server replicas and
// the topology on two graph shards of two replicas each, training
// survives one feature replica dead from the start and one graph replica
// stopped while it runs, with results bit-identical to in-memory data.
func TestReplicaFailover(t *testing.T) {
	ctx := context.Background()
	cfg, _, want := agreeReference(t)

	type server struct {
		addr string
		stop func()
	}
	start := func(fs store.FeatureStore, gs store.GraphStore) *server {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s := &server{addr: lis.Addr().String()}
		var once sync.Once
		stop := rpctest.ServeOn(lis, fs, gs)
		s.stop = func() { once.Do(stop) }
		t.Cleanup(s.stop)
		return s
	}
	var fsrv, gsrv []*server
	for range 2 {
		f := store.NewFeatures(memstore.New())
		t.Cleanup(func() { f.Close() })
		fsrv = append(fsrv, start(f, nil))
	}
	for range 4 {
		g := store.NewGraph(memstore.New())
		t.Cleanup(func() { g.Close() })
		gsrv = append(gsrv, start(nil, g))
	}
	rep := *cfg
	rep.GAS.Store = filepath.Join(t.TempDir(), "gasdata")
	rep.GAS.FeatureServer = fsrv[0].addr + "|" + fsrv[1].addr
	rep.GAS.GraphServer = gsrv[0].addr + "|" + gsrv[1].addr + "," + gsrv[2].addr + "|" + gsrv[3].addr
	rep.GAS.ServerWait = -1
	if _, err := PrepareGASStore(ctx, &rep, discard()); err != nil {
		t.Fatal(err)
	}
	fsrv[0].stop() // dead before training starts
	rd, err := LoadGAS(ctx, &rep, discard())
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	go func() {
		time.Sleep(50 * time.Millisecond)
		gsrv[3].stop() // dies while training runs
	}()
	sameEpochs(t, "replicas, two of them stopped", losses(t, &rep, rd), want)
}
