package dataset

import (
	"errors"
	"fmt"
)

// Sentinels wrapped by every loader error, for errors.Is.
var (
	// ErrTruncated: a file ends early (a cut gzip stream, fewer lines than
	// its count file says).
	ErrTruncated = errors.New("truncated")
	// ErrCorrupt: a gzip stream is damaged (bad header, checksum or data).
	ErrCorrupt = errors.New("corrupt gzip data")
	// ErrSyntax: a field is not a number of the expected kind.
	ErrSyntax = errors.New("syntax error")
	// ErrSchema: a line has the wrong number of fields, or a file the
	// wrong shape (e.g. a count file with two lines).
	ErrSchema = errors.New("schema mismatch")
	// ErrRange: a value is out of range (node id >= node count, negative
	// class, non-finite feature, split ids not ascending).
	ErrRange = errors.New("out of range")
	// ErrCount: a file holds more lines than its count file says.
	ErrCount = errors.New("count mismatch")
)

// Error describes a problem in a data file, shaped like [io/fs.PathError]:
// the file, the 1-based line (0 when the problem is not on one line), the
// 1-based comma-separated field (0 for the whole line) and the cause, which
// wraps one of the sentinels above (or an I/O error).
type Error struct {
	Path  string
	Line  int64
	Field int
	Err   error
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Field > 0:
		return fmt.Sprintf("dataset: %s:%d: field %d: %v", e.Path, e.Line, e.Field, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("dataset: %s:%d: %v", e.Path, e.Line, e.Err)
	default:
		return fmt.Sprintf("dataset: %s: %v", e.Path, e.Err)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// fieldErr returns an *Error whose cause wraps kind with a message.
func fieldErr(path string, line int64, field int, kind error, format string, args ...any) *Error {
	return &Error{Path: path, Line: line, Field: field, Err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
}
