package gnn_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Parallel loops start goroutines; every one must be joined.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
