package ingest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// npyBytes builds a .npy file with the given header dict and data.
func npyBytes(dict string, data []byte) []byte {
	total := 10 + len(dict) + 1
	dict += strings.Repeat(" ", (64-total%64)%64) + "\n"
	var b bytes.Buffer
	b.WriteString(npyMagic)
	b.Write([]byte{1, 0})
	binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	b.WriteString(dict)
	b.Write(data)
	return b.Bytes()
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readAll(t *testing.T, r rowSource) *tensor.Dense {
	t.Helper()
	rows, cols := r.Shape()
	m := tensor.New(int(rows), cols)
	got := 0
	for got < m.Rows {
		k, err := r.Read(m.RowView(got, min(got+3, m.Rows))) // odd chunks
		got += k
		if err != nil {
			t.Fatalf("read after %d rows: %v", got, err)
		}
	}
	if k, err := r.Read(tensor.New(1, cols)); k != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("read past the end: %d, %v", k, err)
	}
	return m
}

func TestNPYRoundTrip(t *testing.T) {
	vals := []float64{1, -2.5, 3e10, 0, 1e-3, 7, 8, -9, 10, 11}
	le := func(width int, big bool) []byte {
		var b bytes.Buffer
		var bo binary.ByteOrder = binary.LittleEndian
		if big {
			bo = binary.BigEndian
		}
		for _, v := range vals {
			if width == 4 {
				binary.Write(&b, bo, float32(v))
			} else {
				binary.Write(&b, bo, v)
			}
		}
		return b.Bytes()
	}
	tests := []struct {
		name, dict string
		data       []byte
		rows, cols int
	}{
		{"f4 2-D", "{'descr': '<f4', 'fortran_order': False, 'shape': (5, 2), }", le(4, false), 5, 2},
		{"f8 2-D", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 5), }", le(8, false), 2, 5},
		{"f4 big-endian", "{'descr': '>f4', 'fortran_order': False, 'shape': (10,), }", le(4, true), 10, 1},
		{"f8 1-D fortran", "{'descr': '<f8', 'fortran_order': True, 'shape': (10,)}", le(8, false), 10, 1},
		{"double quotes, no spaces", `{"descr":"<f4","fortran_order":False,"shape":(1,10)}`, le(4, false), 1, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := OpenNPY(writeTemp(t, "a.npy", npyBytes(tt.dict, tt.data)))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if rows, cols := r.Shape(); rows != int64(tt.rows) || cols != tt.cols {
				t.Fatalf("shape %dx%d, want %dx%d", rows, cols, tt.rows, tt.cols)
			}
			m := readAll(t, r)
			for i, v := range vals {
				if m.Data[i] != float32(v) {
					t.Fatalf("value %d = %v, want %v", i, m.Data[i], float32(v))
				}
			}
		})
	}
}

func TestNPYWriterHeader(t *testing.T) {
	var b bytes.Buffer
	if err := WriteNPYHeader(&b, 3, 2); err != nil {
		t.Fatal(err)
	}
	if b.Len()%64 != 0 {
		t.Fatalf("header of %d bytes is not 64-aligned", b.Len())
	}
	for _, v := range []float32{1, 2, 3, 4, 5, 6} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	r, err := OpenNPY(writeTemp(t, "w.npy", b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if m := readAll(t, r); m.At(2, 1) != 6 {
		t.Fatalf("read back %v", m)
	}
}

func TestNPYErrors(t *testing.T) {
	good := "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"
	data := make([]byte, 24)
	nan := make([]byte, 24)
	binary.LittleEndian.PutUint32(nan[4*3:], math.Float32bits(float32(math.NaN())))
	tests := []struct {
		name string
		file []byte
		want string
		is   error
	}{
		{"empty", nil, "too short", ErrFormat},
		{"magic", []byte("PK\x03\x04 this is a zip file"), "not a .npy file", ErrFormat},
		{"version", append([]byte(npyMagic+"\x09\x00"), 0, 0), "unsupported .npy version 9.0", ErrFormat},
		{"short header", npyBytes(good, data)[:30], "file ends inside the 118-byte header", ErrFormat},
		{"dtype", npyBytes(strings.Replace(good, "<f4", "<i8", 1), data), "header field 'descr': malformed file: dtype \"<i8\"", ErrFormat},
		{"fortran", npyBytes(strings.Replace(good, "False", "True", 1), data), "Fortran-order", ErrFormat},
		{"3-D", npyBytes(strings.Replace(good, "(3, 2)", "(3, 2, 2)", 1), data), "3 dimensions", ErrFormat},
		{"no shape", npyBytes("{'descr': '<f4', 'fortran_order': False}", data), "header field 'shape'", ErrFormat},
		{"extra key", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,2), 'x': 1}", data), "unsupported value", ErrFormat},
		{"syntax", npyBytes("{'descr' '<f4'}", data), "want ':'", ErrFormat},
		{"truncated data", npyBytes(good, data[:13]), "row 1: truncated", ErrTruncated},
		{"nan", npyBytes(good, nan), "row 1 col 1 (NaN)", ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := OpenNPY(writeTemp(t, "bad.npy", tt.file))
			if err == nil {
				_, err = r.Read(tensor.New(3, 2))
				r.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, tt.is) {
				t.Fatalf("got %v, want an error containing %q wrapping %v", err, tt.want, tt.is)
			}
			if !strings.Contains(err.Error(), "bad.npy") {
				t.Fatalf("error %v does not name the file", err)
			}
		})
	}
}

// FuzzNPY: any bytes either fail with ErrFormat/ErrTruncated or parse to a
// header whose rows read back without panicking.
func FuzzNPY(f *testing.F) {
	f.Add(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", make([]byte, 16)))
	f.Add(npyBytes("{'descr': '>f8', 'fortran_order': True, 'shape': (3,), }", make([]byte, 24)))
	f.Add(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", nil))
	f.Add([]byte(npyMagic + "\x02\x00\x10\x00\x00\x00{'shape': (1,1)}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseNPYHeader(bytes.NewReader(b), "fuzz.npy")
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		if h.cols < 1 || h.rows < 0 || (h.width != 4 && h.width != 8) || h.dataOff > int64(len(b)) {
			t.Fatalf("accepted header %+v for %d bytes", h, len(b))
		}
		n := &NPYReader{path: "fuzz.npy", h: h, r: bufioReader(b[h.dataOff:])}
		dst := tensor.New(int(min(h.rows, 4)), min(h.cols, 1<<12))
		if dst.Cols != h.cols {
			return
		}
		if _, err := n.Read(dst); err != nil && !errors.Is(err, ErrFormat) && !errors.Is(err, ErrTruncated) && !errors.Is(err, io.EOF) {
			t.Fatalf("read error %v", err)
		}
	})
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }

func newDense(r, c int) *tensor.Dense { return tensor.New(r, c) }
