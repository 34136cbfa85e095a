package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// writeParquet writes rows in record batches of batch rows, in the given
// layout: "fixed" (FixedSizeList<float32>), "list" (List<float64>) or
// "columns" (one float32 column per feature plus an int64 id column).
func writeParquet(t *testing.T, layout string, rows [][]float64, batch int, null [2]int) string {
	t.Helper()
	cols := len(rows[0])
	mem := memory.DefaultAllocator
	var schema *arrow.Schema
	switch layout {
	case "fixed":
		schema = arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.FixedSizeListOf(int32(cols), arrow.PrimitiveTypes.Float32)}}, nil)
	case "list":
		schema = arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64},
			{Name: "emb", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64), Nullable: true}}, nil)
	case "columns":
		fs := []arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}
		for j := 0; j < cols; j++ {
			fs = append(fs, arrow.Field{Name: "f" + string(rune('a'+j)), Type: arrow.PrimitiveTypes.Float32, Nullable: true})
		}
		schema = arrow.NewSchema(fs, nil)
	}
	path := filepath.Join(t.TempDir(), "x.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(int64(2*batch))), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	for lo := 0; lo < len(rows); lo += batch {
		hi := min(lo+batch, len(rows))
		b := array.NewRecordBuilder(mem, schema)
		for i := lo; i < hi; i++ {
			isNull := func(j int) bool { return i == null[0] && j == null[1] }
			switch layout {
			case "fixed":
				lb := b.Field(0).(*array.FixedSizeListBuilder)
				lb.Append(true)
				for _, v := range rows[i] {
					lb.ValueBuilder().(*array.Float32Builder).Append(float32(v))
				}
			case "list":
				b.Field(0).(*array.Int64Builder).Append(int64(i))
				lb := b.Field(1).(*array.ListBuilder)
				if isNull(0) {
					lb.AppendNull()
					continue
				}
				lb.Append(true)
				for _, v := range rows[i] {
					lb.ValueBuilder().(*array.Float64Builder).Append(v)
				}
			case "columns":
				b.Field(0).(*array.Int64Builder).Append(int64(i))
				for j, v := range rows[i] {
					if isNull(j) {
						b.Field(1 + j).(*array.Float32Builder).AppendNull()
					} else {
						b.Field(1 + j).(*array.Float32Builder).Append(float32(v))
					}
				}
			}
		}
		rec := b.NewRecordBatch()
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		b.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func testRows(n, cols int) [][]float64 {
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = make([]float64, cols)
		for j := range rows[i] {
			rows[i][j] = float64(i*100+j) / 8
		}
	}
	return rows
}

func TestParquetLayouts(t *testing.T) {
	rows := testRows(1000, 5)
	for _, layout := range []string{"fixed", "list", "columns"} {
		t.Run(layout, func(t *testing.T) {
			path := writeParquet(t, layout, rows, 128, [2]int{-1, -1})
			r, err := OpenParquet(t.Context(), path, "")
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if n, c := r.Shape(); n != 1000 || c != 5 {
				t.Fatalf("shape %dx%d", n, c)
			}
			m := readAll(t, r)
			for i := range rows {
				for j, v := range rows[i] {
					if m.At(i, j) != float32(v) {
						t.Fatalf("row %d col %d = %v, want %v", i, j, m.At(i, j), v)
					}
				}
			}
		})
	}
}

func TestParquetErrors(t *testing.T) {
	rows := testRows(300, 3)
	tests := []struct {
		name   string
		path   func(t *testing.T) string
		column string
		want   string
	}{
		{"null list row", func(t *testing.T) string { return writeParquet(t, "list", rows, 64, [2]int{150, 0}) }, "", "row 150 col 0: malformed file: null row"},
		{"null value", func(t *testing.T) string { return writeParquet(t, "columns", rows, 64, [2]int{77, 2}) }, "", "row 77 col 2: malformed file: null value"},
		{"no such column", func(t *testing.T) string { return writeParquet(t, "fixed", rows, 64, [2]int{-1, -1}) }, "y", `want column "y"`},
		{"not parquet", func(t *testing.T) string { return writeTemp(t, "x.parquet", []byte("hello, world")) }, "", "not a Parquet file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := OpenParquet(t.Context(), tt.path(t), tt.column)
			if err == nil {
				defer r.Close()
				_, c := r.Shape()
				for err == nil {
					var k int
					k, err = r.Read(newDense(100, c))
					if k == 0 && err == nil {
						t.Fatal("no progress")
					}
				}
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrFormat) {
				t.Fatalf("got %v, want an ErrFormat error containing %q", err, tt.want)
			}
		})
	}
}
