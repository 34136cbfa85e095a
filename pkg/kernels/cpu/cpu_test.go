package cpu_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/kernels/kernelstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestConformance runs the whole suite with the default settings, with one
// worker, and with a grain of 1, three workers and a single-threaded BLAS
// so that even tiny inputs are split (every split boundary gets exercised,
// Gemm's row split included).
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []cpu.Option
	}{
		{"default", nil},
		{"serial", []cpu.Option{cpu.WithWorkers(1)}},
		{"split", []cpu.Option{cpu.WithWorkers(3), cpu.WithGrain(1), cpu.WithBLASThreads(1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "serial" && (raceEnabled || testing.Short()) {
				t.Skip("one worker starts no goroutines: nothing for -race to find; skipped in -short")
			}
			kernelstest.TestBackend(t, cpu.New(tc.opts...))
		})
	}
}
