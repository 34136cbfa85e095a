package partition

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves a goroutine running (the
// parallel reader's pipeline, the parallel loops).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
