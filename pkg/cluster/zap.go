package cluster

import "go.uber.org/zap"

// zapNop is the etcd client's logger: its messages (reconnects, retries)
// are the client's business; this package reports what matters through
// slog.
func zapNop() *zap.Logger { return zap.NewNop() }
