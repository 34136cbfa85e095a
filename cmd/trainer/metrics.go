package main

import (
	"math"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gnnscale/gnnscale/pkg/train"
)

// epochMetrics exports what metrics.jsonl records, as the epochs end.
type epochMetrics struct {
	epoch, loss, best *prometheus.GaugeVec
	acc               *prometheus.GaugeVec
	seconds           *prometheus.HistogramVec
}

func newEpochMetrics(reg prometheus.Registerer) *epochMetrics {
	m := &epochMetrics{
		epoch: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "gnnscale_train_epoch",
			Help: "The last epoch finished, by seed."}, []string{"seed"}),
		loss: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "gnnscale_train_loss",
			Help: "Training loss of the last epoch, by seed."}, []string{"seed"}),
		best: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "gnnscale_train_best_accuracy",
			Help: "Accuracy at the selected epoch so far (best validation), by seed and split (val, test)."}, []string{"seed", "split"}),
		acc: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "gnnscale_train_accuracy",
			Help: "Accuracy of the last evaluated epoch, by seed and split (train, val, test)."}, []string{"seed", "split"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gnnscale_train_epoch_seconds",
			Help:    "Time of an epoch's training steps (phase train) and evaluation (phase eval).",
			Buckets: prometheus.ExponentialBuckets(1e-3, 2, 20)}, []string{"phase"}),
	}
	reg.MustRegister(m.epoch, m.loss, m.best, m.acc, m.seconds)
	return m
}

func (m *epochMetrics) observe(e train.Epoch) {
	seed := strconv.FormatUint(e.Seed, 10)
	m.epoch.WithLabelValues(seed).Set(float64(e.Epoch))
	m.loss.WithLabelValues(seed).Set(e.Loss)
	for split, v := range map[string]float64{"train": e.TrainAcc, "val": e.ValAcc, "test": e.TestAcc} {
		if !math.IsNaN(v) { // not evaluated this epoch
			m.acc.WithLabelValues(seed, split).Set(v)
		}
	}
	m.best.WithLabelValues(seed, "val").Set(e.BestValAcc)
	m.best.WithLabelValues(seed, "test").Set(e.BestTestAcc)
	m.seconds.WithLabelValues("train").Observe(e.EpochSeconds)
	if e.EvalSeconds > 0 {
		m.seconds.WithLabelValues("eval").Observe(e.EvalSeconds)
	}
}
