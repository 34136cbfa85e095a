//go:build unix

package train

import (
	"syscall"
	"testing"
	"time"
)

// cpuNow is the CPU time (user + system, all threads) the process has
// spent, so benchmarks on a shared machine can report CPU time per
// operation beside wall time.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the "cpu-ms/op" metric for the CPU time since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuNow()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
