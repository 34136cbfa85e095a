package rpc

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// kinds maps each store sentinel (and the context errors) to its wire kind
// and status code; the first match wins.
var kinds = []struct {
	err  error
	kind rpcpb.StoreError_Kind
	code codes.Code
}{
	{store.ErrNotFound, rpcpb.StoreError_KIND_NOT_FOUND, codes.NotFound},
	{store.ErrOutOfRange, rpcpb.StoreError_KIND_OUT_OF_RANGE, codes.OutOfRange},
	{store.ErrShape, rpcpb.StoreError_KIND_SHAPE, codes.FailedPrecondition},
	{store.ErrExists, rpcpb.StoreError_KIND_EXISTS, codes.AlreadyExists},
	{store.ErrInvalid, rpcpb.StoreError_KIND_INVALID, codes.InvalidArgument},
	{store.ErrClosed, rpcpb.StoreError_KIND_CLOSED, codes.Unavailable},
	{store.ErrNotLeader, rpcpb.StoreError_KIND_NOT_LEADER, codes.FailedPrecondition},
	{context.Canceled, rpcpb.StoreError_KIND_CANCELED, codes.Canceled},
	{context.DeadlineExceeded, rpcpb.StoreError_KIND_DEADLINE, codes.DeadlineExceeded},
}

// toStatus turns a store error into a gRPC status error carrying a
// StoreError detail; errors without a sentinel become INTERNAL.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	d := &rpcpb.StoreError{Row: store.NoRow, Message: err.Error()}
	var se *store.Error
	if errors.As(err, &se) {
		d.Op, d.Key, d.Row, d.Message = se.Op, se.Key, se.Row, se.Err.Error()
	}
	var le *store.LeaderError
	if errors.As(err, &le) {
		d.Leader = le.Leader
	}
	code := codes.Internal
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			d.Kind, code = k.kind, k.code
			break
		}
	}
	st, derr := status.New(code, err.Error()).WithDetails(d)
	if derr != nil {
		return status.Error(code, err.Error())
	}
	return st.Err()
}

// remoteError is the underlying error of a store error that came over the
// wire: the server's message, wrapping the matching local sentinel so that
// errors.Is works as on a local store.
type remoteError struct {
	msg      string
	sentinel error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.sentinel }

// fromStatus turns an error returned by a client call back into a store
// error: a *store.Error wrapping the sentinel of its StoreError detail.
// Cancellation and deadlines without a detail (the client's own context
// ended) become the context errors; other transport errors are returned
// wrapped for op.
func fromStatus(op string, err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return &store.Error{Op: op, Row: store.NoRow, Err: err}
	}
	for _, d := range st.Details() {
		se, ok := d.(*rpcpb.StoreError)
		if !ok {
			continue
		}
		var sentinel error
		for _, k := range kinds {
			if k.kind == se.Kind {
				sentinel = k.err
				break
			}
		}
		if se.Kind == rpcpb.StoreError_KIND_NOT_LEADER {
			sentinel = &store.LeaderError{Leader: se.Leader} // wraps store.ErrNotLeader
		}
		inner := error(&remoteError{msg: se.Message, sentinel: sentinel})
		if sentinel == nil {
			inner = errors.New(se.Message)
		}
		if se.Op == "" {
			se.Op = op
		}
		return &store.Error{Op: se.Op, Key: se.Key, Row: se.Row, Err: inner}
	}
	switch st.Code() {
	case codes.Canceled:
		return &store.Error{Op: op, Row: store.NoRow, Err: context.Canceled}
	case codes.DeadlineExceeded:
		return &store.Error{Op: op, Row: store.NoRow, Err: context.DeadlineExceeded}
	case codes.Unavailable:
		// No store answered: the connection failed or the server is
		// stopping (a stopping store's own ErrClosed has a detail).
		return &store.Error{Op: op, Row: store.NoRow, Err: &remoteError{msg: "unavailable: " + st.Message(), sentinel: store.ErrUnavailable}}
	}
	return &store.Error{Op: op, Row: store.NoRow, Err: err}
}
