package rpc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// Replicated is what a FeatureServer uses of a store that is one replica
// of a raft group (pkg/replica's *Replica): the raft index it has applied
// and a wait for an index.
type Replicated interface {
	// AppliedIndex is the index of the last entry in the local store.
	AppliedIndex() uint64
	// WaitApplied blocks until AppliedIndex() >= index or ctx ends.
	WaitApplied(ctx context.Context, index uint64) error
}

// NewReplicatedFeatureServer returns a server over fs, the store of one
// replica r. Beyond NewFeatureServer's: write responses carry the raft
// index the write is visible at; a GetRows with min_index waits until r
// has applied it; a write that fs refuses with a *store.LeaderError is
// forwarded once to the leader's address (a forwarded request is not
// forwarded again), and answered after r has applied it too, so the
// writer reads its write from this server. Close the server to close the
// connections it opened to leaders.
func NewReplicatedFeatureServer(fs store.FeatureStore, r Replicated) *FeatureServer {
	s := NewFeatureServer(fs)
	s.rep = r
	s.fwd = &forwarder{conns: map[string]*grpc.ClientConn{}}
	return s
}

// Close closes the connections opened to forward writes.
func (s *FeatureServer) Close() error {
	if s.fwd == nil {
		return nil
	}
	return s.fwd.close()
}

// index returns the index a write response carries.
func (s *FeatureServer) index() uint64 {
	if s.rep == nil {
		return 0
	}
	return s.rep.AppliedIndex()
}

// waitIndex serves a read at or after index.
func (s *FeatureServer) waitIndex(ctx context.Context, op string, key store.Key, index uint64) error {
	if index == 0 || s.rep == nil {
		return nil
	}
	if err := s.rep.WaitApplied(ctx, index); err != nil {
		return &store.Error{Op: op, Key: key.String(), Row: store.NoRow, Err: err}
	}
	return nil
}

// forwardedKey marks a request a follower forwarded to the leader.
const forwardedKey = "gnnscale-forwarded"

// leaderOf returns the leader to forward a write to after err, or "".
func (s *FeatureServer) leaderOf(ctx context.Context, err error) string {
	var le *store.LeaderError
	if s.fwd == nil || !errors.As(err, &le) || le.Leader == "" {
		return ""
	}
	if md, ok := metadata.FromIncomingContext(ctx); ok && len(md.Get(forwardedKey)) > 0 {
		return "" // the leader moved again: the client decides
	}
	return le.Leader
}

// forwardTries bounds how often a write is forwarded to a leader whose
// address refused the connection (a leader that just died: the next try
// finds its successor).
const forwardTries = 50

// writeOrForward runs a write on the local replica and, when the replica
// is not the leader, forwards it with call to the leader. A forward that
// the leader's address refused was not sent, so the write is tried again
// (locally first: the replica may have learnt a new leader) after a short
// pause; any other forward failure is returned as is, since the write may
// have happened. The result is a gRPC status error or nil.
func writeOrForward[Resp interface{ GetIndex() uint64 }](ctx context.Context, s *FeatureServer, local func() (Resp, error), call func(context.Context, rpcpb.FeatureStoreClient) (Resp, error)) (Resp, error) {
	var zero Resp
	for try := 1; ; try++ {
		resp, err := local()
		addr := s.leaderOf(ctx, err)
		if addr == "" {
			if err != nil {
				return zero, toStatus(err)
			}
			return resp, nil
		}
		resp, err = forward(ctx, s, addr, call)
		if !notSent(err) || try == forwardTries {
			return resp, err
		}
		select {
		case <-ctx.Done():
			return zero, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// notSent reports a call that failed because its target refused the
// connection, before anything was sent.
func notSent(err error) bool {
	st, ok := status.FromError(err)
	return ok && st.Code() == codes.Unavailable &&
		(strings.Contains(st.Message(), "connection refused") || strings.Contains(st.Message(), "while dialing"))
}

// forward sends a write to the leader at addr with call and, once it
// succeeded, waits until this replica has applied it. It returns the
// leader's answer (a status error passes through unchanged).
func forward[Resp interface{ GetIndex() uint64 }](ctx context.Context, s *FeatureServer, addr string, call func(context.Context, rpcpb.FeatureStoreClient) (Resp, error)) (Resp, error) {
	var zero Resp
	c, err := s.fwd.client(addr)
	if err != nil {
		return zero, toStatus(&store.Error{Op: "forward", Row: store.NoRow, Err: fmt.Errorf("%w: %v", store.ErrUnavailable, err)})
	}
	resp, err := call(metadata.AppendToOutgoingContext(ctx, forwardedKey, "1"), c)
	if err != nil {
		return zero, err
	}
	if err := s.rep.WaitApplied(ctx, resp.GetIndex()); err != nil {
		return zero, toStatus(&store.Error{Op: "forward", Row: store.NoRow, Err: err})
	}
	return resp, nil
}

// forwarder keeps one connection per leader address.
type forwarder struct {
	mu     sync.Mutex
	conns  map[string]*grpc.ClientConn
	closed bool
}

func (f *forwarder) client(addr string) (rpcpb.FeatureStoreClient, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, store.ErrClosed
	}
	cc, ok := f.conns[addr]
	if !ok {
		var err error
		if cc, err = grpc.NewClient(addr, DialOptions()...); err != nil {
			return nil, err
		}
		f.conns[addr] = cc
	}
	return rpcpb.NewFeatureStoreClient(cc), nil
}

func (f *forwarder) close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	var errs []error
	for _, cc := range f.conns {
		errs = append(errs, cc.Close())
	}
	f.conns = nil
	return errors.Join(errs...)
}
