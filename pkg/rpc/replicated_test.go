package rpc

import (
	"errors"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/store"
)

// TestNotLeaderCrossesTheWire: store.ErrNotLeader comes out of the client
// as it went into the server, with the leader's address.
func TestNotLeaderCrossesTheWire(t *testing.T) {
	for _, leader := range []string{"10.0.0.1:7070", ""} {
		in := &store.Error{Op: "put", Key: "paper/x", Row: store.NoRow, Err: &store.LeaderError{Leader: leader}}
		err := fromStatus("put", toStatus(in))
		var le *store.LeaderError
		if !errors.Is(err, store.ErrNotLeader) || !errors.As(err, &le) || le.Leader != leader {
			t.Fatalf("leader %q after the wire: %v", leader, err)
		}
	}
}
