package servecmd

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
)

// registerPebble exports the Pebble store's cache and disk figures.
func registerPebble(reg prometheus.Registerer, b *pebblestore.Backend) {
	for _, m := range []struct {
		name, help string
		counter    bool
		value      func(pebblestore.Stats) int64
	}{
		{"gnnscale_store_row_cache_hits_total", "Rows served from the store's row cache.", true, func(s pebblestore.Stats) int64 { return s.RowCacheHits }},
		{"gnnscale_store_row_cache_misses_total", "Rows the row cache did not hold.", true, func(s pebblestore.Stats) int64 { return s.RowCacheMisses }},
		{"gnnscale_store_row_cache_bytes", "Bytes held by the row cache.", false, func(s pebblestore.Stats) int64 { return s.RowCacheBytes }},
		{"gnnscale_store_block_cache_hits_total", "Pebble block cache hits.", true, func(s pebblestore.Stats) int64 { return s.BlockCacheHits }},
		{"gnnscale_store_block_cache_misses_total", "Pebble block cache misses.", true, func(s pebblestore.Stats) int64 { return s.BlockCacheMisses }},
		{"gnnscale_store_disk_bytes", "Bytes the Pebble store uses on disk.", false, func(s pebblestore.Stats) int64 { return int64(s.DiskBytes) }},
	} {
		f := func() float64 { return float64(m.value(b.Stats())) }
		if m.counter {
			reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: m.name, Help: m.help}, f))
		} else {
			reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: m.name, Help: m.help}, f))
		}
	}
}
