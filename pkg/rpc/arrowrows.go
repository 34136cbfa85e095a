package rpc

import (
	"bytes"
	"fmt"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/mem"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// rowsColumn is the name of the one column of a rows record batch.
const rowsColumn = "x"

// rowsSchema is the schema of rows of width cols: one non-nullable column
// "x" of FixedSizeList<float32>[cols].
func rowsSchema(cols int) *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{{
		Name: rowsColumn,
		Type: arrow.FixedSizeListOfNonNullable(int32(cols), arrow.PrimitiveTypes.Float32),
	}}, nil)
}

// encodeRows appends to buf an Arrow IPC stream holding one record batch
// of m.Rows lists of m.Cols float32 values, and returns the extended
// buffer (see pooledRowsBuffer for one that fits). A contiguous m is
// written without an intermediate copy.
func encodeRows(m *tensor.Dense, buf []byte) ([]byte, error) {
	vals := m.Data[:m.Rows*m.Cols]
	if !m.Contiguous() {
		vals = make([]float32, m.Rows*m.Cols)
		tensor.FromSlice(m.Rows, m.Cols, vals).Copy(m)
	}
	schema := rowsSchema(m.Cols)
	child := array.NewData(arrow.PrimitiveTypes.Float32, len(vals),
		[]*memory.Buffer{nil, memory.NewBufferBytes(float32Bytes(vals))}, nil, 0, 0)
	defer child.Release()
	list := array.NewData(schema.Field(0).Type, m.Rows, []*memory.Buffer{nil}, []arrow.ArrayData{child}, 0, 0)
	defer list.Release()
	col := array.MakeFromData(list)
	defer col.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(m.Rows))
	defer rec.Release()
	out := bytes.NewBuffer(buf)
	w := ipc.NewWriter(out, ipc.WithSchema(schema))
	if err := w.Write(rec); err != nil {
		return nil, fmt.Errorf("encode rows: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encode rows: %w", err)
	}
	return out.Bytes(), nil
}

// ipcOverhead bounds what a rows stream adds to its values: the schema and
// record batch messages, padding and the end-of-stream marker.
const ipcOverhead = 1024

// pooledRowsBuffer returns a buffer of gRPC's pool with room for the
// stream of rows x cols values; put it back when done.
func pooledRowsBuffer(rows, cols int) *[]byte {
	return mem.DefaultBufferPool().Get(rows*cols*4 + ipcOverhead)
}

// decodeRows reads an Arrow IPC stream written by encodeRows (or any
// writer of the same schema, in one or more record batches) of rows of
// width cols. With dst non-nil the rows go into dst, which must have
// exactly as many rows as the stream; with dst nil a tensor of the
// stream's rows is allocated (bounded by the stream's own size). Any other
// schema, nulls or a row count that differs from dst's is an error.
func decodeRows(b []byte, cols int, dst *tensor.Dense) (m *tensor.Dense, err error) {
	msgs, err := splitIPC(b)
	if err != nil {
		return nil, fmt.Errorf("decode rows: %w", err)
	}
	// The checks bound what the reader allocates; a panic in it on some
	// other malformed input must not take a server down.
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("decode rows: %w: %v", errIPC, p)
		}
	}()
	// The record batches' values are read in place from b.
	r, err := ipc.NewReaderFromMessageReader(&messages{msgs: msgs})
	if err != nil {
		return nil, fmt.Errorf("decode rows: %w", err)
	}
	defer r.Release()
	if err := checkRowsSchema(r.Schema(), cols); err != nil {
		return nil, err
	}
	type batch struct {
		vals []float32
		n    int
	}
	var batches []batch
	total := 0
	for r.Next() {
		rec := r.RecordBatch()
		col, ok := rec.Column(0).(*array.FixedSizeList)
		if !ok || col.NullN() > 0 {
			return nil, fmt.Errorf("decode rows: column %q must be a FixedSizeList without nulls", rowsColumn)
		}
		n := col.Len()
		vals, ok := col.ListValues().(*array.Float32)
		if !ok || vals.NullN() > 0 {
			return nil, fmt.Errorf("decode rows: list values must be float32 without nulls")
		}
		start, _ := col.ValueOffsets(0)
		fv := vals.Float32Values()
		if start < 0 || int64(len(fv)) < start+int64(n)*int64(cols) {
			return nil, fmt.Errorf("decode rows: %d values for %d rows of %d", len(fv), n, cols)
		}
		// The record is released by the next call to Next: keep a copy
		// only when its values must outlive it.
		rec.Retain()
		defer rec.Release()
		batches = append(batches, batch{fv[start : start+int64(n)*int64(cols)], n})
		total += n
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("decode rows: %w", err)
	}
	if dst == nil {
		dst = tensor.New(total, cols)
	} else if total != dst.Rows {
		return nil, fmt.Errorf("decode rows: %d rows, want %d", total, dst.Rows)
	}
	at := 0
	for _, bt := range batches {
		for i := 0; i < bt.n; i++ {
			copy(dst.Row(at+i), bt.vals[i*cols:(i+1)*cols])
		}
		at += bt.n
	}
	return dst, nil
}

// checkRowsSchema accepts exactly the schema of rowsSchema(cols).
func checkRowsSchema(s *arrow.Schema, cols int) error {
	if s.NumFields() != 1 {
		return fmt.Errorf("decode rows: %d columns, want 1 (%q)", s.NumFields(), rowsColumn)
	}
	ft, ok := s.Field(0).Type.(*arrow.FixedSizeListType)
	if !ok || ft.Elem().ID() != arrow.FLOAT32 {
		return fmt.Errorf("decode rows: column type %s, want fixed_size_list<float32>[%d]", s.Field(0).Type, cols)
	}
	if int(ft.Len()) != cols {
		return fmt.Errorf("decode rows: rows of %d values, want %d", ft.Len(), cols)
	}
	return nil
}

// float32Bytes views v's memory as bytes (little-endian on every platform
// Go's arrow supports, as Arrow requires).
func float32Bytes(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*4)
}
