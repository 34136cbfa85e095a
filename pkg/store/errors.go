package store

import (
	"context"
	"errors"
	"fmt"
)

// Sentinel errors. Every error a store returns wraps at most one of them, so
// callers (and the gRPC boundary, which maps them to status codes) decide
// with errors.Is.
var (
	// ErrNotFound: the attribute, edge type or row does not exist (a row
	// never written, or removed).
	ErrNotFound = errors.New("not found")
	// ErrOutOfRange: a row or node id outside the declared id space.
	ErrOutOfRange = errors.New("out of range")
	// ErrShape: a tensor whose dimensions disagree with the request or with
	// the attribute (the "dimension mismatch" of the interfaces).
	ErrShape = errors.New("dimension mismatch")
	// ErrExists: Create of an attribute that already exists.
	ErrExists = errors.New("already exists")
	// ErrInvalid: a malformed request that is none of the above (an empty
	// name, a negative size, an inconsistent edge index).
	ErrInvalid = errors.New("invalid argument")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store closed")
	// ErrUnavailable: a remote store could not be reached (its server is
	// down, stopping or cut off); another replica may answer.
	ErrUnavailable = errors.New("unavailable")
	// ErrNotLeader: a write reached a replica of a raft group that is not
	// the group's leader, so nothing was written. The error is a
	// *LeaderError naming the leader when one is known; the write may be
	// sent there.
	ErrNotLeader = errors.New("not the leader")
)

// LeaderError is the ErrNotLeader of a replicated store: Leader is the
// address clients reach the group's leader at (its feature service), or ""
// when no leader is known (an election is running).
type LeaderError struct {
	Leader string
}

func (e *LeaderError) Error() string {
	if e.Leader == "" {
		return ErrNotLeader.Error() + " (no leader known)"
	}
	return ErrNotLeader.Error() + " (leader at " + e.Leader + ")"
}

// Unwrap returns ErrNotLeader.
func (e *LeaderError) Unwrap() error { return ErrNotLeader }

// NoRow is the Row of an [Error] that concerns no particular row.
const NoRow = -1

// Error is the error type of every store operation, shaped like
// fs.PathError: the operation, the attribute or edge type it concerned, the
// offending row or node id (NoRow if none) and the underlying error, which
// wraps one of the sentinels or a context error.
//
//	store: get paper/x: row 17: out of range [0, 10) at ids[3]
type Error struct {
	Op  string // "get", "put", "remove", "create", "drop", "info", "put-edges", "neighbors", ...
	Key string // attribute "group/name" or edge type "src/rel/dst"; "" if none
	Row int64  // offending row or node id, or NoRow
	Err error
}

func (e *Error) Error() string {
	s := "store: " + e.Op
	if e.Key != "" {
		s += " " + e.Key
	}
	if e.Row != NoRow {
		s += fmt.Sprintf(": row %d", e.Row)
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// wrapErr turns any error from a backend into an *Error for op and key,
// keeping an *Error the backend already built (filling a missing key) and
// keeping context errors recognisable.
func wrapErr(op, key string, err error) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		if se.Key == "" || se.Op == "" {
			c := *se
			if c.Key == "" {
				c.Key = key
			}
			if c.Op == "" {
				c.Op = op
			}
			return &c
		}
		return err
	}
	return &Error{Op: op, Key: key, Row: NoRow, Err: err}
}

// RowError returns an *Error about one row, for backends that detect a
// missing row (ErrNotFound) while reading.
func RowError(op string, key Key, row int64, err error) error {
	return &Error{Op: op, Key: key.String(), Row: row, Err: err}
}

// rangeErr names an id outside [0, n) and its position in the request.
func rangeErr(op, key string, id, n int64, pos int) error {
	return &Error{Op: op, Key: key, Row: id, Err: fmt.Errorf("%w [0, %d) at ids[%d]", ErrOutOfRange, n, pos)}
}

// ctxErr returns ctx's error wrapped for op, or nil.
func ctxErr(ctx context.Context, op, key string) error {
	if err := ctx.Err(); err != nil {
		return &Error{Op: op, Key: key, Row: NoRow, Err: err}
	}
	return nil
}
