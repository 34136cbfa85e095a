package servecmd

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
)

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
