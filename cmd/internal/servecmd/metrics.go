package servecmd

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
)

// serveMetrics serves reg at http://addr/metrics until stop is called.
func serveMetrics(addr string, reg *prometheus.Registry, log *slog.Logger) (stop func(), err error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err)
		}
	}()
	log.Info("metrics serving", "addr", lis.Addr().String(), "path", "/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}

// registerPebble exports the Pebble store's cache and disk figures.
func registerPebble(reg prometheus.Registerer, b *pebblestore.Backend) {
	stat := func(f func(pebblestore.Stats) float64) func() float64 {
		return func() float64 { return f(b.Stats()) }
	}
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gnnscale_store_row_cache_hits_total",
			Help: "Rows served from the store's row cache."}, stat(func(s pebblestore.Stats) float64 { return float64(s.RowCacheHits) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gnnscale_store_row_cache_misses_total",
			Help: "Rows the row cache did not hold."}, stat(func(s pebblestore.Stats) float64 { return float64(s.RowCacheMisses) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gnnscale_store_row_cache_bytes",
			Help: "Bytes held by the row cache."}, stat(func(s pebblestore.Stats) float64 { return float64(s.RowCacheBytes) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gnnscale_store_block_cache_hits_total",
			Help: "Pebble block cache hits."}, stat(func(s pebblestore.Stats) float64 { return float64(s.BlockCacheHits) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gnnscale_store_block_cache_misses_total",
			Help: "Pebble block cache misses."}, stat(func(s pebblestore.Stats) float64 { return float64(s.BlockCacheMisses) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gnnscale_store_disk_bytes",
			Help: "Bytes the Pebble store uses on disk."}, stat(func(s pebblestore.Stats) float64 { return float64(s.DiskBytes) })),
	)
}
