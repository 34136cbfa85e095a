package servecmd

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gnnscale/gnnscale/pkg/replica"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
)

// registerRaft exports a raft replica's applied index and role.
func registerRaft(reg prometheus.Registerer, r *replica.Replica) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gnnscale_raft_applied_index", Help: "Index of the last raft log entry applied to this replica's store."},
			func() float64 { return float64(r.AppliedIndex()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gnnscale_raft_leader", Help: "1 while this replica leads its raft group, else 0."},
			func() float64 {
				if r.IsLeader() {
					return 1
				}
				return 0
			}),
	)
}

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
