package ingest

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// ParquetReader streams float rows from a Parquet file through arrow-go's
// pqarrow, in one of two layouts:
//
//   - list: one column of FixedSizeList, List or LargeList of float32 or
//     float64, one list per row (every list of the same length), as
//     GNNScale's own Arrow batches are;
//   - columns: every float32/float64 column is one feature, in schema order.
//
// Nulls and non-finite values are rejected naming the row and column.
type ParquetReader struct {
	path   string
	f      *os.File
	pf     *file.Reader
	rr     pqarrow.RecordReader
	rows   int64
	cols   int
	list   int   // index of the list column, or -1
	fields []int // float columns in the columns layout
	rec    arrow.RecordBatch
	off    int   // next row within rec
	row    int64 // rows returned so far
}

type listArray interface {
	arrow.Array
	ListValues() arrow.Array
	ValueOffsets(i int) (start, end int64)
}

// OpenParquet opens path. column picks the list or float column to read
// ("" chooses: the only list column, else every float column).
func OpenParquet(ctx context.Context, path, column string) (*ParquetReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	p := &ParquetReader{path: path, f: f, list: -1}
	ok := false
	defer func() {
		if !ok {
			p.Close()
		}
	}()
	p.pf, err = file.NewParquetReader(f)
	if err != nil {
		return nil, formatErr(path, "", "not a Parquet file: %v", err)
	}
	fr, err := pqarrow.NewFileReader(p.pf, pqarrow.ArrowReadProperties{BatchSize: 16384}, memory.DefaultAllocator)
	if err != nil {
		return nil, formatErr(path, "schema", "%v", err)
	}
	schema, err := fr.Schema()
	if err != nil {
		return nil, formatErr(path, "schema", "%v", err)
	}
	p.rows = p.pf.NumRows()
	var lists, floats []int
	for i, fd := range schema.Fields() {
		if column != "" && fd.Name != column {
			continue
		}
		switch t := fd.Type.(type) {
		case *arrow.FixedSizeListType, *arrow.ListType, *arrow.LargeListType:
			if isFloat(t.(arrow.ListLikeType).Elem()) {
				lists = append(lists, i)
			}
		default:
			if isFloat(fd.Type) {
				floats = append(floats, i)
			}
		}
	}
	var cols []int
	switch {
	case len(lists) == 1:
		p.list, cols = lists[0], lists
		if fl, isFixed := schema.Field(p.list).Type.(*arrow.FixedSizeListType); isFixed {
			p.cols = int(fl.Len())
		}
	case len(lists) > 1:
		return nil, formatErr(path, "schema", "%d float list columns; choose one with --column", len(lists))
	case len(floats) > 0:
		p.fields, cols, p.cols = floats, floats, len(floats)
	default:
		var names []string
		for _, fd := range schema.Fields() {
			names = append(names, fd.Name+" "+fd.Type.String())
		}
		want := "a float list column or float columns"
		if column != "" {
			want = fmt.Sprintf("column %q as a float list or float column", column)
		}
		return nil, formatErr(path, "schema", "want %s; file has %s", want, strings.Join(names, ", "))
	}
	p.rr, err = fr.GetRecordReader(ctx, cols, nil)
	if err != nil {
		return nil, formatErr(path, "", "%v", err)
	}
	if p.list >= 0 && p.cols == 0 && p.rows > 0 {
		// A variable-length list: take the width from the first row.
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.rec != nil {
			l := p.rec.Column(0).(listArray)
			s, e := l.ValueOffsets(0)
			p.cols = int(e - s)
		}
	}
	if p.cols < 1 {
		return nil, formatErr(path, "schema", "rows have no values")
	}
	ok = true
	return p, nil
}

func isFloat(t arrow.DataType) bool {
	return t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64
}

// Shape returns the number of rows and columns.
func (p *ParquetReader) Shape() (int64, int) { return p.rows, p.cols }

// next loads the next record batch (nil at the end).
func (p *ParquetReader) next() error {
	if p.rec != nil {
		p.rec.Release()
		p.rec = nil
	}
	if !p.rr.Next() {
		if err := p.rr.Err(); err != nil && err != io.EOF {
			return formatErr(p.path, fmt.Sprintf("row %d", p.row), "%v", err)
		}
		return nil
	}
	p.rec = p.rr.RecordBatch()
	p.rec.Retain()
	p.off = 0
	return nil
}

// Read fills up to dst.Rows rows of dst and returns how many; 0, io.EOF
// after the last row.
func (p *ParquetReader) Read(dst *tensor.Dense) (int, error) {
	if dst.Cols != p.cols {
		return 0, fmt.Errorf("ingest: %s: destination has %d columns, file has %d", p.path, dst.Cols, p.cols)
	}
	n := 0
	for n < dst.Rows {
		if p.rec == nil || p.off >= int(p.rec.NumRows()) {
			if err := p.next(); err != nil {
				return n, err
			}
			if p.rec == nil {
				break
			}
			continue
		}
		k := min(dst.Rows-n, int(p.rec.NumRows())-p.off)
		if err := p.copyRows(dst.RowView(n, n+k), p.off); err != nil {
			return n, err
		}
		p.off += k
		p.row += int64(k)
		n += k
	}
	if n == 0 {
		if p.row != p.rows {
			return 0, &FileError{Path: p.path, Where: fmt.Sprintf("row %d", p.row),
				Err: fmt.Errorf("%w: file metadata says %d rows", ErrTruncated, p.rows)}
		}
		return 0, io.EOF
	}
	return n, nil
}

// copyRows converts rows [off, off+dst.Rows) of the current batch.
func (p *ParquetReader) copyRows(dst *tensor.Dense, off int) error {
	bad := func(i, j int, why string) error {
		return &FileError{Path: p.path, Where: fmt.Sprintf("row %d col %d", p.row+int64(i), j), Err: fmt.Errorf("%w: %s", ErrFormat, why)}
	}
	if p.list >= 0 {
		l, ok := p.rec.Column(0).(listArray)
		if !ok {
			return formatErr(p.path, "", "column is a %s, not a list", p.rec.Column(0).DataType())
		}
		vals := l.ListValues()
		for i := 0; i < dst.Rows; i++ {
			if l.IsNull(off + i) {
				return bad(i, 0, "null row")
			}
			s, e := l.ValueOffsets(off + i)
			if int(e-s) != p.cols {
				return bad(i, 0, fmt.Sprintf("list of %d values, want %d", e-s, p.cols))
			}
			row := dst.Row(i)
			for j := range row {
				v, null := floatAt(vals, int(s)+j)
				if null {
					return bad(i, j, "null value")
				}
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return bad(i, j, fmt.Sprintf("value %v is not finite", v))
				}
				row[j] = v
			}
		}
		return nil
	}
	for j := range p.fields {
		col := p.rec.Column(j)
		for i := 0; i < dst.Rows; i++ {
			v, null := floatAt(col, off+i)
			if null {
				return bad(i, j, "null value")
			}
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return bad(i, j, fmt.Sprintf("value %v is not finite", v))
			}
			dst.Set(i, j, v)
		}
	}
	return nil
}

func floatAt(a arrow.Array, i int) (float32, bool) {
	if a.IsNull(i) {
		return 0, true
	}
	switch x := a.(type) {
	case *array.Float32:
		return x.Value(i), false
	case *array.Float64:
		return float32(x.Value(i)), false
	}
	return 0, true
}

// Close releases the file.
func (p *ParquetReader) Close() error {
	if p.rec != nil {
		p.rec.Release()
		p.rec = nil
	}
	if p.rr != nil {
		p.rr.Release()
		p.rr = nil
	}
	return p.f.Close()
}
