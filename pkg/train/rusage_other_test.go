//go:build !unix

package train

import (
	"testing"
	"time"
)

func cpuNow() time.Duration { return 0 }

func reportCPU(*testing.B, time.Duration) {}
