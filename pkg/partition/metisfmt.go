package partition

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
)

// ErrFormat marks malformed METIS .graph or .part input.
var ErrFormat = errors.New("malformed input")

// FormatError locates a problem in a METIS file: Line is 1-based (0 when
// the problem is not tied to a line).
type FormatError struct {
	Name string // file name as given to the reader
	Line int
	Msg  string
}

func (e *FormatError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("partition: %s:%d: %s", e.Name, e.Line, e.Msg)
	}
	return fmt.Sprintf("partition: %s: %s", e.Name, e.Msg)
}

// Unwrap makes errors.Is(err, ErrFormat) true.
func (e *FormatError) Unwrap() error { return ErrFormat }

// lineReader hands out lines without their newline, counting them.
type lineReader struct {
	r    *bufio.Reader
	line int
	buf  []byte
}

func (lr *lineReader) next() ([]byte, error) {
	b, err := lr.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		lr.buf = append(lr.buf[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = lr.r.ReadSlice('\n')
			lr.buf = append(lr.buf, b...)
		}
		b = lr.buf
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(b) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	lr.line++
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b, nil
}

// fields is a scanner of unsigned decimal integers in one line.
type fields struct {
	b []byte
	i int
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }

// next returns the next integer; ok is false at the end of the line; err
// names a token that is not a non-negative integer (or overflows int64).
func (f *fields) next() (v int64, ok bool, err error) {
	b, i := f.b, f.i
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i >= len(b) {
		f.i = i
		return 0, false, nil
	}
	start := i
	for i < len(b) {
		d := b[i] - '0'
		if d > 9 {
			break
		}
		v = v*10 + int64(d)
		i++
	}
	if i < len(b) && !isSpace(b[i]) {
		for i < len(b) && !isSpace(b[i]) {
			i++
		}
		f.i = i
		return 0, false, fmt.Errorf("%q is not a non-negative integer", b[start:i])
	}
	f.i = i
	if i-start > 18 { // 18 digits cannot overflow; more might
		v = 0
		for _, c := range b[start:i] {
			if v > (math.MaxInt64-9)/10 {
				return 0, false, fmt.Errorf("%q is too large", b[start:])
			}
			v = v*10 + int64(c-'0')
		}
	}
	return v, true, nil
}

// regularFileSize returns r's size if r is a regular file, else -1.
func regularFileSize(r io.Reader) int64 {
	if f, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return st.Size()
		}
	}
	return -1
}

// readBufferSize is 64 KiB, or less for a smaller file (size from
// regularFileSize). Reads of 64 KiB cost no more time than larger ones (a
// 110 MB graph reads in the same time with 1 MiB), and on small graphs
// every page of the buffer is resident memory: the earlier 1 MiB was two
// thirds of what a run on Cora allocated.
func readBufferSize(size int64) int {
	const most = 64 << 10
	if size < 0 {
		return most
	}
	return int(min(most, max(size+1, 4096)))
}

// WriteGraph writes g in METIS's .graph format (1-based ids; the fmt field
// is present only when g has vertex or edge weights).
func WriteGraph(w io.Writer, g *Graph) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	n := g.NumNodes()
	fmtv := ""
	switch {
	case g.VWgt != nil && g.EWgt != nil:
		fmtv = " 011"
	case g.VWgt != nil:
		fmtv = " 010"
	case g.EWgt != nil:
		fmtv = " 001"
	}
	fmt.Fprintf(bw, "%d %d%s\n", n, g.NumEdges(), fmtv)
	var buf []byte
	for v := 0; v < n; v++ {
		buf = buf[:0]
		sep := false
		if g.VWgt != nil {
			buf = strconv.AppendInt(buf, int64(g.VWgt[v]), 10)
			sep = true
		}
		for e := g.Xadj[v]; e < g.Xadj[v+1]; e++ {
			if sep {
				buf = append(buf, ' ')
			}
			sep = true
			buf = strconv.AppendInt(buf, int64(g.Adjncy[e])+1, 10)
			if g.EWgt != nil {
				buf = append(buf, ' ')
				buf = strconv.AppendInt(buf, int64(g.EWgt[e]), 10)
			}
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("partition: write graph: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("partition: write graph: %w", err)
	}
	return nil
}

// WritePart writes a partition in gpmetis's .part format: one 0-based part
// id per line, line i for vertex i.
func WritePart(w io.Writer, part []int32) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var buf []byte
	for _, p := range part {
		buf = strconv.AppendInt(buf[:0], int64(p), 10)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("partition: write part: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("partition: write part: %w", err)
	}
	return nil
}

// ReadPart reads a .part file for n vertices and k parts (one id in
// [0, k) per line). Errors are *FormatError values naming the line.
func ReadPart(r io.Reader, name string, n, k int) ([]int32, error) {
	lr := &lineReader{r: bufio.NewReaderSize(r, 1<<16)}
	part := make([]int32, 0, min(n, 1<<24))
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("partition: read %s: %w", name, err)
		}
		f := fields{b: line}
		p, ok, err := f.next()
		if err != nil {
			return nil, &FormatError{Name: name, Line: lr.line, Msg: err.Error()}
		}
		if !ok {
			continue // blank line
		}
		if _, more, _ := f.next(); more || f.i < len(f.b) {
			return nil, &FormatError{Name: name, Line: lr.line, Msg: "more than one field"}
		}
		if p >= int64(k) {
			return nil, &FormatError{Name: name, Line: lr.line, Msg: fmt.Sprintf("part %d out of range [0, %d)", p, k)}
		}
		if len(part) == n {
			return nil, &FormatError{Name: name, Line: lr.line, Msg: fmt.Sprintf("more than %d part ids", n)}
		}
		part = append(part, int32(p))
	}
	if len(part) != n {
		return nil, &FormatError{Name: name, Msg: fmt.Sprintf("%d part ids for %d vertices", len(part), n)}
	}
	return part, nil
}
