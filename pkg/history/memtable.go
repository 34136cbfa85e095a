package history

import (
	"sync/atomic"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// MemTable is a Table held in memory.
type MemTable struct {
	data   *tensor.Dense
	closed atomic.Bool
}

// NewMemTable returns a zeroed rows x dim table.
func NewMemTable(rows, dim int) *MemTable { return &MemTable{data: tensor.New(rows, dim)} }

func (t *MemTable) Rows() int { return t.data.Rows }
func (t *MemTable) Dim() int  { return t.data.Cols }

// Data returns the table's matrix (aliased), for inspection in tests and
// exact inference that reads a whole layer.
func (t *MemTable) Data() *tensor.Dense { return t.data }

func (t *MemTable) ReadRows(dst *tensor.Dense, ids []int32) error {
	if t.closed.Load() {
		return ErrClosed
	}
	if err := checkRead(t.data.Rows, t.data.Cols, dst, ids); err != nil {
		return err
	}
	for i, id := range ids {
		copy(dst.Row(i), t.data.Row(int(id)))
	}
	return nil
}

func (t *MemTable) ReadRange(dst *tensor.Dense, offset int64) error {
	if t.closed.Load() {
		return ErrClosed
	}
	if err := checkRange("read", t.data.Rows, t.data.Cols, dst, offset); err != nil {
		return err
	}
	dst.Copy(t.data.RowView(int(offset), int(offset)+dst.Rows))
	return nil
}

func (t *MemTable) WriteRange(offset int64, src *tensor.Dense) error {
	if t.closed.Load() {
		return ErrClosed
	}
	if err := checkRange("write", t.data.Rows, t.data.Cols, src, offset); err != nil {
		return err
	}
	t.data.RowView(int(offset), int(offset)+src.Rows).Copy(src)
	return nil
}

func (t *MemTable) Reset() error {
	if t.closed.Load() {
		return ErrClosed
	}
	t.data.Zero()
	return nil
}

func (t *MemTable) Close() error {
	t.closed.Store(true)
	return nil
}
