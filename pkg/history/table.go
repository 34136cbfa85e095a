package history

import (
	"errors"
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Errors a table or pool returns; match them with errors.Is.
var (
	ErrOutOfRange = errors.New("history: row out of range")
	ErrShape      = errors.New("history: shape mismatch")
	ErrClosed     = errors.New("history: closed")
	ErrCorrupt    = errors.New("history: corrupt table file")
	ErrIO         = errors.New("history: table file I/O failed")
)

// Range is a contiguous run of rows [Offset, Offset+Count).
type Range struct {
	Offset, Count int64
}

// Table is one history: Rows() x Dim() float32 values.
//
// Implementations must allow concurrent calls that touch disjoint rows (a
// pull of halo rows runs beside a push of in-batch rows) and need not order
// overlapping ones: the Pool does that.
type Table interface {
	Rows() int
	Dim() int
	// ReadRows sets dst row i to row ids[i]. dst is len(ids) x Dim().
	ReadRows(dst *tensor.Dense, ids []int32) error
	// ReadRange sets dst to rows [offset, offset+dst.Rows).
	ReadRange(dst *tensor.Dense, offset int64) error
	// WriteRange stores src as rows [offset, offset+src.Rows).
	WriteRange(offset int64, src *tensor.Dense) error
	// Reset sets every row to zero.
	Reset() error
	Close() error
}

// checkRead validates a ReadRows request against a table of n x dim.
func checkRead(n, dim int, dst *tensor.Dense, ids []int32) error {
	if dst.Rows != len(ids) || dst.Cols != dim {
		return fmt.Errorf("%w: read %d ids of dim %d into %s", ErrShape, len(ids), dim, dst.Shape())
	}
	for i, id := range ids {
		if id < 0 || int(id) >= n {
			return fmt.Errorf("%w: id %d at position %d, table has %d rows", ErrOutOfRange, id, i, n)
		}
	}
	return nil
}

// checkRange validates a contiguous access of m's rows at offset.
func checkRange(op string, n, dim int, m *tensor.Dense, offset int64) error {
	if m.Cols != dim {
		return fmt.Errorf("%w: %s of %s into a table of dim %d", ErrShape, op, m.Shape(), dim)
	}
	if offset < 0 || offset+int64(m.Rows) > int64(n) {
		return fmt.Errorf("%w: %s rows [%d, %d) of a table of %d rows", ErrOutOfRange, op, offset, offset+int64(m.Rows), n)
	}
	return nil
}
