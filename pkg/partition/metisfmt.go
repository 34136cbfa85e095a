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
	for f.i < len(f.b) && isSpace(f.b[f.i]) {
		f.i++
	}
	if f.i >= len(f.b) {
		return 0, false, nil
	}
	start := f.i
	for f.i < len(f.b) && !isSpace(f.b[f.i]) {
		c := f.b[f.i]
		if c < '0' || c > '9' {
			for f.i < len(f.b) && !isSpace(f.b[f.i]) {
				f.i++
			}
			return 0, false, fmt.Errorf("%q is not a non-negative integer", f.b[start:f.i])
		}
		if v > (math.MaxInt64-9)/10 {
			return 0, false, fmt.Errorf("%q is too large", f.b[start:])
		}
		v = v*10 + int64(c-'0')
		f.i++
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

// ReadGraph reads a graph in METIS's .graph format: '%' comment lines; a
// header "n m [fmt [ncon]]" where fmt's digits flag vertex sizes (ignored),
// vertex weights and edge weights, and ncon must be 1; then one line per
// vertex listing its weight (if flagged) and its 1-based neighbours, each
// followed by the edge weight (if flagged). The result satisfies
// [Graph.Validate]: ids in range, no self loops, m matching the entries,
// symmetric weights. Errors are *FormatError values naming the line, and
// wrap ErrFormat; name is used only in messages.
func ReadGraph(r io.Reader, name string) (*Graph, error) {
	size := regularFileSize(r)
	lr := &lineReader{r: bufio.NewReaderSize(r, readBufferSize(size))}
	ferr := func(line int, format string, args ...any) error {
		return &FormatError{Name: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	var line []byte
	var err error
	for {
		line, err = lr.next()
		if err == io.EOF {
			return nil, ferr(0, "no header line")
		}
		if err != nil {
			return nil, fmt.Errorf("partition: read %s: %w", name, err)
		}
		if len(line) > 0 && line[0] == '%' {
			continue
		}
		break
	}
	hdrLine := lr.line
	f := fields{b: line}
	var hdr []int64
	for {
		v, ok, err := f.next()
		if err != nil {
			return nil, ferr(hdrLine, "header: %v", err)
		}
		if !ok {
			break
		}
		hdr = append(hdr, v)
	}
	if len(hdr) < 2 || len(hdr) > 4 {
		return nil, ferr(hdrLine, "header: want \"n m [fmt [ncon]]\", got %d fields", len(hdr))
	}
	n, m := hdr[0], hdr[1]
	if n > math.MaxInt32-1 {
		return nil, ferr(hdrLine, "header: %d vertices exceed the int32 id range", n)
	}
	var hasSize, hasVW, hasEW bool
	if len(hdr) >= 3 {
		fmtv := hdr[2]
		if fmtv > 111 || fmtv%10 > 1 || fmtv/10%10 > 1 || fmtv/100 > 1 {
			return nil, ferr(hdrLine, "header: fmt %d: want digits 0/1 (sizes, vertex weights, edge weights)", fmtv)
		}
		hasSize, hasVW, hasEW = fmtv/100 == 1, fmtv/10%10 == 1, fmtv%10 == 1
	}
	if len(hdr) == 4 && hdr[3] != 1 {
		return nil, ferr(hdrLine, "header: ncon %d: only one vertex weight per vertex is supported", hdr[3])
	}
	if m > math.MaxInt32 {
		return nil, ferr(hdrLine, "header: %d edges exceed the supported %d", m, math.MaxInt32/2)
	}
	// Capacities follow the header only up to a bound, so a lying header
	// cannot make the reader allocate more than the file can fill.
	nHint := min(n, 1<<22)
	g := &Graph{Xadj: make([]int64, 1, nHint+1)}
	capHint := min(2*m, 1<<24)
	if size >= 0 {
		// Every entry takes at least two bytes ("1 "), so the file size
		// bounds what the header may claim.
		capHint = min(2*m, size/2+1)
	}
	g.Adjncy = make([]int32, 0, capHint)
	if hasVW {
		g.VWgt = make([]int32, 0, nHint)
	}
	if hasEW {
		g.EWgt = make([]int32, 0, capHint)
	}
	lines := make([]int32, 0, nHint) // line of each vertex, for error messages
	for v := int64(0); v < n; v++ {
		for {
			line, err = lr.next()
			if err == io.EOF {
				return nil, ferr(lr.line, "file ends after %d of %d vertex lines", v, n)
			}
			if err != nil {
				return nil, fmt.Errorf("partition: read %s: %w", name, err)
			}
			if len(line) > 0 && line[0] == '%' {
				continue
			}
			break
		}
		ln := lr.line
		lines = append(lines, int32(min(ln, math.MaxInt32)))
		f := fields{b: line}
		get := func(what string) (int64, bool, error) {
			x, ok, err := f.next()
			if err != nil {
				return 0, false, ferr(ln, "vertex %d: %s: %v", v+1, what, err)
			}
			return x, ok, nil
		}
		if hasSize {
			if _, ok, err := get("size"); err != nil {
				return nil, err
			} else if !ok {
				return nil, ferr(ln, "vertex %d: missing size", v+1)
			}
		}
		if hasVW {
			w, ok, err := get("weight")
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, ferr(ln, "vertex %d: missing weight", v+1)
			}
			if w > math.MaxInt32 {
				return nil, ferr(ln, "vertex %d: weight %d too large", v+1, w)
			}
			g.VWgt = append(g.VWgt, int32(w))
		}
		for {
			u, ok, err := get("neighbour")
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			if u < 1 || u > n {
				return nil, ferr(ln, "vertex %d: neighbour %d out of range [1, %d]", v+1, u, n)
			}
			if u == v+1 {
				return nil, ferr(ln, "vertex %d: self loop", v+1)
			}
			if int64(len(g.Adjncy)) >= 2*m {
				return nil, ferr(ln, "vertex %d: more adjacency entries than the header's 2*%d", v+1, m)
			}
			g.Adjncy = append(g.Adjncy, int32(u-1))
			if hasEW {
				w, ok, err := get("edge weight")
				if err != nil {
					return nil, err
				}
				if !ok {
					return nil, ferr(ln, "vertex %d: neighbour %d has no edge weight", v+1, u)
				}
				if w < 1 || w > math.MaxInt32 {
					return nil, ferr(ln, "vertex %d: edge to %d: weight %d out of range [1, %d]", v+1, u, w, math.MaxInt32)
				}
				g.EWgt = append(g.EWgt, int32(w))
			}
		}
		g.Xadj = append(g.Xadj, int64(len(g.Adjncy)))
	}
	for {
		line, err = lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("partition: read %s: %w", name, err)
		}
		if len(line) > 0 && line[0] == '%' {
			continue
		}
		f := fields{b: line}
		if _, ok, _ := f.next(); ok || f.i < len(f.b) {
			return nil, ferr(lr.line, "extra line after %d vertices", n)
		}
	}
	if int64(len(g.Adjncy)) != 2*m {
		return nil, ferr(hdrLine, "header says %d edges but the vertex lines hold %d adjacency entries (want %d: each edge in both endpoints' lines)", m, len(g.Adjncy), 2*m)
	}
	if err := g.Validate(); err != nil {
		if v, ok := g.asymmetricVertex(); !ok {
			return nil, ferr(int(lines[v]), "vertex %d: %s", v+1, g.describeAsymmetry(v, 1))
		}
		return nil, &FormatError{Name: name, Msg: err.Error()}
	}
	return g, nil
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
