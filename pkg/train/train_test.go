package train

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/checkpoint"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func TestHelpers(t *testing.T) {
	x := tensor.FromSlice(3, 3, []float32{1, 1, 2, 0, 0, 0, 0.2, 0.2, 0})
	n := NormalizeFeatures(x)
	want := []float32{0.25, 0.25, 0.5, 0, 0, 0, 0.2, 0.2, 0} // row sums clamped to >= 1
	for i, v := range n.Data {
		if math.Abs(float64(v-want[i])) > 1e-6 {
			t.Fatalf("NormalizeFeatures = %v, want %v", n.Data, want)
		}
	}
	logits := tensor.FromSlice(3, 2, []float32{1, 2, 3, 0, 5, 5})
	if acc := Accuracy(logits, []int32{1, 1, 0}, []int32{0, 1, 2}); math.Abs(acc-2.0/3) > 1e-9 {
		t.Fatalf("Accuracy = %v, want 2/3 (ties pick the first)", acc)
	}
	if m, s := meanStd([]float64{1, 2, 3, 4}); m != 2.5 || math.Abs(s-1.2909944) > 1e-6 {
		t.Fatalf("meanStd = %v, %v", m, s)
	}
	if median([]float64{5, 1, 3, 2}) != 2.5 {
		t.Fatal("median of even count")
	}
}

func smallConfig(t *testing.T, model string) *Config {
	layers := "2"
	if model == "gcn2" {
		layers = "4"
	}
	c, err := Parse([]byte(`
mode: full
dataset: {name: tiny, generator: sbm, sbm: {nodes: 600, classes: 4, features: 16, avg_degree: 8, homophily: 0.8, signal: 0.5, train_frac: 0.2, valid_frac: 0.2}}
model: {name: `+model+`, hidden: 16, dropout: 0.3, layers: `+layers+`}
optim: {lr: 0.01, weight_decay: 5e-4}
train: {epochs: 40}
`), []string{"output.dir=" + t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRunWritesOutputs trains on a small SBM graph and checks every output
// of a run, that the models learn (well above chance), and that the saved
// checkpoint is the best-validation model.
func TestRunWritesOutputs(t *testing.T) {
	for _, model := range []string{"gcn", "gat", "sage", "appnp", "gcn2", "gin"} {
		t.Run(model, func(t *testing.T) {
			cfg := smallConfig(t, model)
			var progress bytes.Buffer
			summaryPath := filepath.Join(t.TempDir(), "s.json")
			s, err := Run(context.Background(), cfg, cpu.New(), RunOptions{Seeds: 2, SummaryPath: summaryPath, Progress: &progress})
			if err != nil {
				t.Fatal(err)
			}
			if s.Seeds != 2 || len(s.Runs) != 2 || s.Dataset != "tiny" || s.Model != model || s.Mode != "full" {
				t.Fatalf("summary %+v", s)
			}
			if s.TestAccMean < 50 { // 4 classes: chance is 25
				t.Errorf("test accuracy %.1f%%: the model did not learn", s.TestAccMean)
			}
			if s.EpochSecondsMedian <= 0 || s.PeakRSSBytes <= 0 {
				t.Errorf("timing %v, rss %v", s.EpochSecondsMedian, s.PeakRSSBytes)
			}
			var fromFile Summary
			b, _ := os.ReadFile(summaryPath)
			if err := json.Unmarshal(b, &fromFile); err != nil || fromFile.TestAccMean != s.TestAccMean {
				t.Fatalf("summary file: %v %s", err, b)
			}
			dir := s.OutputDir
			lines, _ := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
			if n := strings.Count(string(lines), "\n"); n != 2*40 {
				t.Errorf("metrics.jsonl has %d lines, want 80", n)
			}
			for _, f := range []string{"config.yaml", "curves.png", "summary.json", "checkpoints/seed0.safetensors", "checkpoints/seed1.safetensors"} {
				if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
					t.Errorf("output %s: %v", f, err)
				}
			}
			if !strings.Contains(progress.String(), "epoch 40/40") {
				t.Errorf("progress output lacks the last epoch:\n%s", progress.String())
			}

			// The checkpoint restores into a fresh model that reproduces the
			// best validation accuracy of seed 1.
			f, err := checkpoint.Load(filepath.Join(dir, "checkpoints", "seed1.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			if f.Metadata["seed"] != "1" || !strings.Contains(f.Metadata["config"], "name: "+model) {
				t.Errorf("metadata %v", f.Metadata)
			}
			d, err := LoadData(context.Background(), cfg.Dataset)
			if err != nil {
				t.Fatal(err)
			}
			m, err := models.Build(cfg.Model, d.X.Cols, d.NumClasses, rand.New(rand.NewPCG(99, 99)))
			if err != nil {
				t.Fatal(err)
			}
			if err := checkpoint.Restore(f, m.Params()); err != nil {
				t.Fatal(err)
			}
			tp := newTape()
			_, val, _ := Evaluate(tp, m, d)
			if math.Abs(val-s.Runs[1].ValAcc) > 1e-9 {
				t.Errorf("restored model: val %.4f, run reported %.4f", val, s.Runs[1].ValAcc)
			}
		})
	}
}

// TestDeterministic checks that a seed fixes the whole run.
func TestDeterministic(t *testing.T) {
	cfg := smallConfig(t, "gat")
	cfg.Train.Epochs = 15
	d, err := LoadData(context.Background(), cfg.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	var losses [2][]float64
	for i := range losses {
		if _, _, err := FullBatch(context.Background(), cfg, d, 7, cpu.New(), func(e Epoch) { losses[i] = append(losses[i], e.Loss) }); err != nil {
			t.Fatal(err)
		}
	}
	for e := range losses[0] {
		if losses[0][e] != losses[1][e] {
			t.Fatalf("epoch %d: loss %v then %v with the same seed", e+1, losses[0][e], losses[1][e])
		}
	}
}

// TestCoraConfigs trains shipped cora configs for one seed on the real
// data set (skipped without it unless GNNSCALE_REQUIRE_DATASETS=1): the
// full-batch GCN and the neighbour-sampled GraphSAGE.
func TestCoraConfigs(t *testing.T) {
	root := datasetsRoot()
	if _, err := os.Stat(filepath.Join(root, "cora")); err != nil {
		if os.Getenv("GNNSCALE_REQUIRE_DATASETS") == "1" {
			t.Fatalf("cora not found under %s", root)
		}
		t.Skip("cora not found under", root)
	}
	for _, tt := range []struct {
		config string
		min    float64 // test accuracy (%) for seed 0
	}{
		{"gcn-cora", 79},           // published 81.5
		{"neighbor-sage-cora", 79}, // 81.48 over seeds 0-9
	} {
		t.Run(tt.config, func(t *testing.T) {
			b, err := os.ReadFile("../../configs/" + tt.config + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Parse(b, []string{"dataset.root=" + root, "output.dir=" + t.TempDir(), "output.no_plot=true"})
			if err != nil {
				t.Fatal(err)
			}
			s, err := Run(context.Background(), cfg, cpu.New(), RunOptions{Seeds: 1})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s seed 0: test %.2f%%", tt.config, s.TestAccMean)
			if s.TestAccMean < tt.min {
				t.Fatalf("%s test accuracy %.2f%%, want >= %v", tt.config, s.TestAccMean, tt.min)
			}
		})
	}
}

func newTape() *ad.Tape { return ad.New(cpu.New()) }
