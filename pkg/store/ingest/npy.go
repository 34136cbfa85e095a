package ingest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// nativeLE reports whether the host stores float32 little-endian.
var nativeLE = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// floatBytes views f as bytes.
func floatBytes(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f))
}

// ErrFormat marks a malformed input file; errors wrap it inside a
// *FileError naming the file and the place.
var ErrFormat = errors.New("malformed file")

// FileError names the file, and the header field or the row and column of
// a problem in it.
type FileError struct {
	Path  string
	Where string // "header field 'descr'", "row 17 col 3", "" for the whole file
	Err   error
}

func (e *FileError) Error() string {
	if e.Where == "" {
		return "ingest: " + e.Path + ": " + e.Err.Error()
	}
	return "ingest: " + e.Path + ": " + e.Where + ": " + e.Err.Error()
}

func (e *FileError) Unwrap() error { return e.Err }

func formatErr(path, where, format string, a ...any) error {
	return &FileError{Path: path, Where: where, Err: fmt.Errorf("%w: "+format, append([]any{ErrFormat}, a...)...)}
}

// npyHeader is the parsed header of a .npy file.
type npyHeader struct {
	bigEndian bool
	width     int // 4 (float32) or 8 (float64)
	rows      int64
	cols      int
	dataOff   int64 // offset of the first data byte
}

const npyMagic = "\x93NUMPY"

// parseNPYHeader reads and checks the header of a .npy file (format
// versions 1.0, 2.0 and 3.0): a C-order (or 1-column) array of
// little- or big-endian float32 or float64 with one or two dimensions.
func parseNPYHeader(r io.Reader, path string) (npyHeader, error) {
	var h npyHeader
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		return h, formatErr(path, "", "file is too short for a .npy header")
	}
	if string(pre[:6]) != npyMagic {
		return h, formatErr(path, "magic", "not a .npy file (starts with %q)", pre[:6])
	}
	major := pre[6]
	var hlen int
	switch major {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return h, formatErr(path, "header length", "truncated")
		}
		hlen = int(binary.LittleEndian.Uint16(pre[8:10]))
		h.dataOff = 10 + int64(hlen)
	case 2, 3:
		var l [4]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return h, formatErr(path, "header length", "truncated")
		}
		hlen = int(binary.LittleEndian.Uint32(l[:]))
		h.dataOff = 12 + int64(hlen)
	default:
		return h, formatErr(path, "version", "unsupported .npy version %d.%d", major, pre[7])
	}
	if hlen > 1<<20 {
		return h, formatErr(path, "header length", "%d bytes is not plausible", hlen)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return h, formatErr(path, "header", "file ends inside the %d-byte header", hlen)
	}
	d, err := parsePyDict(strings.TrimRight(string(hdr), " \n\x00"))
	if err != nil {
		return h, formatErr(path, "header", "%v", err)
	}
	for k := range d {
		if k != "descr" && k != "fortran_order" && k != "shape" {
			return h, formatErr(path, "header", "unknown key %q", k)
		}
	}
	descr, ok := d["descr"].(string)
	if !ok {
		return h, formatErr(path, "header field 'descr'", "missing or not a string")
	}
	switch descr {
	case "<f4", "|f4", "=f4":
		h.width = 4
	case "<f8", "=f8":
		h.width = 8
	case ">f4":
		h.width, h.bigEndian = 4, true
	case ">f8":
		h.width, h.bigEndian = 8, true
	default:
		return h, formatErr(path, "header field 'descr'", "dtype %q is not float32 or float64", descr)
	}
	fortran, ok := d["fortran_order"].(bool)
	if !ok {
		return h, formatErr(path, "header field 'fortran_order'", "missing or not a bool")
	}
	shape, ok := d["shape"].([]int64)
	if !ok {
		return h, formatErr(path, "header field 'shape'", "missing or not a tuple of integers")
	}
	switch len(shape) {
	case 1:
		h.rows, h.cols = shape[0], 1
	case 2:
		h.rows = shape[0]
		if shape[1] < 1 || shape[1] > math.MaxInt32 {
			return h, formatErr(path, "header field 'shape'", "%d columns", shape[1])
		}
		h.cols = int(shape[1])
	default:
		return h, formatErr(path, "header field 'shape'", "%d dimensions, want 1 or 2", len(shape))
	}
	if h.rows < 0 || h.rows > (1<<62)/int64(h.cols*h.width) {
		return h, formatErr(path, "header field 'shape'", "%d rows", h.rows)
	}
	if fortran && h.cols > 1 && h.rows > 1 {
		return h, formatErr(path, "header field 'fortran_order'", "Fortran-order 2-D arrays are not supported; save with np.ascontiguousarray")
	}
	return h, nil
}

// parsePyDict parses the Python dict literal of a .npy header: string
// keys; values are strings, True/False, or tuples of integers.
func parsePyDict(s string) (map[string]any, error) {
	p := &pyParser{s: s}
	p.skip()
	if !p.eat('{') {
		return nil, fmt.Errorf("want '{' at byte %d", p.i)
	}
	d := map[string]any{}
	for {
		p.skip()
		if p.eat('}') {
			break
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skip()
		if !p.eat(':') {
			return nil, fmt.Errorf("want ':' after key %q at byte %d", k, p.i)
		}
		p.skip()
		v, err := p.value()
		if err != nil {
			return nil, fmt.Errorf("key %q: %v", k, err)
		}
		if _, dup := d[k]; dup {
			return nil, fmt.Errorf("duplicate key %q", k)
		}
		d[k] = v
		p.skip()
		if p.eat(',') {
			continue
		}
		p.skip()
		if !p.eat('}') {
			return nil, fmt.Errorf("want ',' or '}' at byte %d", p.i)
		}
		break
	}
	p.skip()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("trailing text at byte %d", p.i)
	}
	return d, nil
}

type pyParser struct {
	s string
	i int
}

func (p *pyParser) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *pyParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyParser) str() (string, error) {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", fmt.Errorf("want a quoted string at byte %d", p.i)
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", fmt.Errorf("unterminated string at byte %d", p.i)
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, nil
}

func (p *pyParser) value() (any, error) {
	switch {
	case p.i >= len(p.s):
		return nil, errors.New("missing value")
	case p.s[p.i] == '\'' || p.s[p.i] == '"':
		return p.str()
	case strings.HasPrefix(p.s[p.i:], "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "False"):
		p.i += 5
		return false, nil
	case p.s[p.i] == '(':
		p.i++
		var t []int64
		for {
			p.skip()
			if p.eat(')') {
				return append([]int64{}, t...), nil
			}
			j := p.i
			for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
				j++
			}
			if j == p.i {
				return nil, fmt.Errorf("want an integer at byte %d", p.i)
			}
			v, err := strconv.ParseInt(p.s[p.i:j], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("integer %q: %v", p.s[p.i:j], err)
			}
			t = append(t, v)
			p.i = j
			p.skip()
			if p.eat(')') {
				return t, nil
			}
			if !p.eat(',') {
				return nil, fmt.Errorf("want ',' or ')' at byte %d", p.i)
			}
		}
	}
	return nil, fmt.Errorf("unsupported value at byte %d", p.i)
}

// NPYReader streams the rows of a 1-D or 2-D float32/float64 .npy file
// as float32 (float64 values are rounded to the nearest float32; values
// that are not finite are rejected, naming the row and column).
type NPYReader struct {
	path string
	h    npyHeader
	f    *os.File
	r    *bufio.Reader
	row  int64
	buf  []byte
}

// OpenNPY opens path and checks its header and size.
func OpenNPY(path string) (*NPYReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	r := bufio.NewReaderSize(f, 1<<20)
	h, err := parseNPYHeader(r, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, &FileError{Path: path, Err: err}
	}
	want := h.dataOff + h.rows*int64(h.cols*h.width)
	if st.Size() < want {
		f.Close()
		full := (st.Size() - h.dataOff) / int64(h.cols*h.width)
		return nil, &FileError{Path: path, Where: fmt.Sprintf("row %d", max(full, 0)),
			Err: fmt.Errorf("%w: file has %d bytes, shape (%d, %d) needs %d", ErrTruncated, st.Size(), h.rows, h.cols, want)}
	}
	return &NPYReader{path: path, h: h, f: f, r: r}, nil
}

// ErrTruncated marks a file shorter than its header says.
var ErrTruncated = errors.New("truncated")

// Shape returns the number of rows and columns.
func (n *NPYReader) Shape() (int64, int) { return n.h.rows, n.h.cols }

// Read fills up to dst.Rows rows of dst (dst.Cols must equal the file's
// column count) and returns how many; 0, io.EOF after the last row.
func (n *NPYReader) Read(dst *tensor.Dense) (int, error) {
	if dst.Cols != n.h.cols {
		return 0, fmt.Errorf("ingest: %s: destination has %d columns, file has %d", n.path, dst.Cols, n.h.cols)
	}
	rows := int(min(int64(dst.Rows), n.h.rows-n.row))
	if rows == 0 {
		return 0, io.EOF
	}
	rowBytes := n.h.cols * n.h.width
	if n.h.width == 4 && !n.h.bigEndian && nativeLE && dst.Contiguous() {
		// Fast path: the rows' bytes are the destination's bytes.
		out := floatBytes(dst.Data[:rows*n.h.cols])
		if k, err := io.ReadFull(n.r, out); err != nil {
			return 0, &FileError{Path: n.path, Where: fmt.Sprintf("row %d", n.row+int64(k/rowBytes)), Err: fmt.Errorf("%w: %v", ErrTruncated, err)}
		}
		for i := 0; i < rows; i++ {
			for j, v := range dst.Row(i) {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return i, &FileError{Path: n.path, Where: fmt.Sprintf("row %d col %d (%v)", n.row+int64(i), j, v), Err: errNonFinite}
				}
			}
		}
		n.row += int64(rows)
		return rows, nil
	}
	if cap(n.buf) < rowBytes {
		n.buf = make([]byte, rowBytes)
	}
	b := n.buf[:rowBytes]
	for i := 0; i < rows; i++ {
		if _, err := io.ReadFull(n.r, b); err != nil {
			return i, &FileError{Path: n.path, Where: fmt.Sprintf("row %d", n.row), Err: fmt.Errorf("%w: %v", ErrTruncated, err)}
		}
		if err := decodeRow(dst.Row(i), b, n.h); err != nil {
			return i, &FileError{Path: n.path, Where: fmt.Sprintf("row %d %s", n.row, err.Error()), Err: errNonFinite}
		}
		n.row++
	}
	return rows, nil
}

var errNonFinite = fmt.Errorf("%w: value is not finite", ErrFormat)

// decodeRow converts one stored row; the error names the column.
func decodeRow(dst []float32, b []byte, h npyHeader) error {
	var bo binary.ByteOrder = binary.LittleEndian
	if h.bigEndian {
		bo = binary.BigEndian
	}
	for j := range dst {
		var v float32
		if h.width == 4 {
			v = math.Float32frombits(bo.Uint32(b[4*j:]))
		} else {
			v = float32(math.Float64frombits(bo.Uint64(b[8*j:])))
		}
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("col %d (%v)", j, v)
		}
		dst[j] = v
	}
	return nil
}

// Close closes the file.
func (n *NPYReader) Close() error { return n.f.Close() }

// WriteNPYHeader writes the header of a C-order little-endian float32
// array of rows x cols (version 1.0, padded to 64 bytes), for tools that
// produce .npy files; the rows follow as raw little-endian float32.
func WriteNPYHeader(w io.Writer, rows int64, cols int) error {
	d := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols)
	total := 10 + len(d) + 1
	pad := (64 - total%64) % 64
	d += strings.Repeat(" ", pad) + "\n"
	var pre [10]byte
	copy(pre[:], npyMagic)
	pre[6], pre[7] = 1, 0
	binary.LittleEndian.PutUint16(pre[8:], uint16(len(d)))
	if _, err := w.Write(pre[:]); err != nil {
		return err
	}
	_, err := io.WriteString(w, d)
	return err
}
