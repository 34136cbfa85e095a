//go:build unix

package cpu_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuClock measures the CPU time (user + system, all threads) the process
// spends, so benchmarks on a shared machine can report CPU time per
// operation beside wall time.
type cpuClock struct{ start time.Duration }

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock{start: cpuNow()} }

// report adds the "cpu-ms/op" metric.
func (c cpuClock) report(b *testing.B) {
	b.ReportMetric(float64(cpuNow()-c.start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
