package train

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// TestCrossEntropy checks the float64 validation loss against the tape's
// CrossEntropy op (an independent implementation) on random logits, and
// against the closed form for uniform logits.
func TestCrossEntropy(t *testing.T) {
	seed := uint64(20261122)
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	x := tensor.New(50, 7)
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64() * 5)
	}
	labels := make([]int32, x.Rows)
	for i := range labels {
		labels[i] = int32(r.IntN(x.Cols))
	}
	rows := []int32{0, 3, 4, 17, 18, 30, 49}
	tp := ad.New(cpu.New())
	want := float64(tp.CrossEntropy(tp.Const(x), labels, rows).Scalar())
	if got := CrossEntropy(x, labels, rows); math.Abs(got-want) > 1e-5*math.Max(1, want) {
		t.Errorf("CrossEntropy = %v, tape says %v", got, want)
	}
	if got := CrossEntropy(tensor.New(3, 4), []int32{0, 1, 2}, []int32{0, 2}); math.Abs(got-math.Log(4)) > 1e-12 {
		t.Errorf("uniform logits: %v, want log 4", got)
	}
	if !math.IsNaN(CrossEntropy(x, labels, nil)) {
		t.Error("no rows: want NaN")
	}
}

// TestSelectionAndPatience checks both selection criteria against the
// per-epoch metrics, and that early stopping ends a seed exactly patience
// epochs after the selected one.
func TestSelectionAndPatience(t *testing.T) {
	for _, tc := range []struct {
		sel      string
		patience int
	}{{SelectValAcc, 0}, {SelectValAcc, 8}, {SelectValLoss, 0}, {SelectValLoss, 8}} {
		t.Run(tc.sel+"/"+map[bool]string{false: "all", true: "early"}[tc.patience > 0], func(t *testing.T) {
			cfg := smallConfig(t, "gcn")
			cfg.Train.Epochs = 150
			cfg.Train.Select = tc.sel
			cfg.Train.Patience = tc.patience
			cfg.Model.Dropout = 0.6
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			d, err := LoadData(context.Background(), cfg.Dataset)
			if err != nil {
				t.Fatal(err)
			}
			var eps []Epoch
			res, m, err := FullBatch(context.Background(), cfg, d, 3, cpu.New(), func(e Epoch) { eps = append(eps, e) })
			if err != nil {
				t.Fatal(err)
			}
			if res.EpochsRun != len(eps) {
				t.Fatalf("EpochsRun %d, %d epochs reported", res.EpochsRun, len(eps))
			}
			// The selected epoch by brute force over the metrics.
			want := 0
			for i, e := range eps {
				switch {
				case want == 0:
					want = i + 1
				case tc.sel == SelectValAcc && e.ValAcc > eps[want-1].ValAcc:
					want = i + 1
				case tc.sel == SelectValLoss && e.ValLoss <= eps[want-1].ValLoss:
					want = i + 1
				}
			}
			if res.BestEpoch != want {
				t.Fatalf("selected epoch %d, want %d", res.BestEpoch, want)
			}
			b := eps[want-1]
			if res.ValAcc != b.ValAcc || res.TestAcc != b.TestAcc || res.ValLoss != b.ValLoss {
				t.Errorf("result %+v does not match epoch %+v", res, b)
			}
			if tc.patience > 0 {
				if res.EpochsRun == cfg.Train.Epochs {
					t.Fatalf("early stopping never triggered in %d epochs (best %d)", res.EpochsRun, res.BestEpoch)
				}
				if res.EpochsRun-res.BestEpoch != tc.patience {
					t.Errorf("stopped at %d, best %d, patience %d", res.EpochsRun, res.BestEpoch, tc.patience)
				}
			} else if res.EpochsRun != cfg.Train.Epochs {
				t.Errorf("trained %d epochs, want all %d", res.EpochsRun, cfg.Train.Epochs)
			}
			// The returned model is the selected epoch's.
			acc, vl := evaluate(newTape(), m, d)
			if acc[1] != res.ValAcc || math.Abs(vl-res.ValLoss) > 1e-9 {
				t.Errorf("returned model: val %v loss %v, selected %v %v", acc[1], vl, res.ValAcc, res.ValLoss)
			}
		})
	}
}

func TestNoValidationNodes(t *testing.T) {
	cfg := smallConfig(t, "gcn")
	d, err := LoadData(context.Background(), cfg.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	d.Split.Valid = nil
	if _, _, err := FullBatch(context.Background(), cfg, d, 0, cpu.New(), nil); err == nil || !strings.Contains(err.Error(), "no validation nodes") {
		t.Fatalf("FullBatch without validation nodes: %v", err)
	}
}

func TestValidateSelection(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"mode: full\ndataset: {name: x}\ntrain: {select: best}\n", "train.select"},
		{"mode: full\ndataset: {name: x}\ntrain: {patience: -1}\n", "train.patience"},
		{"mode: gas\ndataset: {name: x}\ntrain: {patience: 10}\n", "train.patience"},
		{"mode: gas\ndataset: {name: x}\ntrain: {select: val_loss}\n", "train.select"},
	} {
		c, err := Parse([]byte(tc.yaml), nil)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Validate()
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: Validate = %v, want an error naming %s", tc.yaml, err, tc.want)
		}
	}
}
