package main

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gnnscale/gnnscale/pkg/train"
)

// TestEpochMetrics: the gauges follow the epochs; an epoch that was not
// evaluated leaves the accuracies of the last evaluated one.
func TestEpochMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newEpochMetrics(reg)
	m.observe(train.Epoch{Seed: 3, Epoch: 1, Loss: 2, TrainAcc: 0.5, ValAcc: 0.4, TestAcc: 0.3, BestValAcc: 0.4, BestTestAcc: 0.3, EpochSeconds: 0.1, EvalSeconds: 0.05})
	m.observe(train.Epoch{Seed: 3, Epoch: 2, Loss: 1.5, TrainAcc: math.NaN(), ValAcc: math.NaN(), TestAcc: math.NaN(), BestValAcc: 0.4, BestTestAcc: 0.3, EpochSeconds: 0.1})
	tests := []struct {
		c    prometheus.Collector
		want float64
	}{
		{m.epoch.WithLabelValues("3"), 2},
		{m.loss.WithLabelValues("3"), 1.5},
		{m.acc.WithLabelValues("3", "val"), 0.4},
		{m.best.WithLabelValues("3", "test"), 0.3},
	}
	for _, tt := range tests {
		if got := testutil.ToFloat64(tt.c); got != tt.want {
			t.Errorf("%v = %v, want %v", tt.c, got, tt.want)
		}
	}
	if n := testutil.CollectAndCount(m.seconds); n != 2 {
		t.Errorf("%d epoch-time series, want 2 (train, eval)", n)
	}
}

// TestRunMetricsFlag: --metrics serves while training.
func TestRunMetricsFlag(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"--metrics", "127.0.0.1:0", "--set", "output.dir=" + dir,
		"--set", "dataset.sbm.nodes=2000", "--set", "train.epochs=1", "--set", "gas.num_parts=4", "--set", "gas.parts_per_batch=2"},
		&stdout, &stderr, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "metrics serving") {
		t.Fatalf("no metrics server in the log:\n%s", stderr.String())
	}
	if err := run(context.Background(), []string{"--metrics", "nonsense", "--set", "output.dir=" + filepath.Join(dir, "x")}, &stdout, &stderr, false); err == nil ||
		!strings.Contains(err.Error(), "--metrics") {
		t.Fatalf("a bad --metrics address: %v", err)
	}
}
