package partition

import (
	"bufio"
	"fmt"
	"io"
	"math"
)

// readGraphSeq is the one-line-at-a-time reader of the vertex lines that
// ReadGraph's parallel pipeline replaced, kept as the reference it is
// tested against (same graph, or an error at the same line with the same
// message). The header is read by the same readHeader.
func readGraphSeq(r io.Reader, name string) (*Graph, error) {
	lr := &lineReader{r: bufio.NewReaderSize(r, 1<<16)}
	ferr := func(line int, format string, args ...any) error {
		return &FormatError{Name: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	h, err := readHeader(lr, name)
	if err != nil {
		return nil, err
	}
	n, m, hasSize, hasVW, hasEW, hdrLine := h.n, h.m, h.hasSize, h.hasVW, h.hasEW, h.line
	nHint := min(n, 1<<22)
	g := &Graph{Xadj: make([]int64, 1, nHint+1)}
	g.Adjncy = make([]int32, 0, min(2*m, 1<<24))
	if hasVW {
		g.VWgt = make([]int32, 0, nHint)
	}
	if hasEW {
		g.EWgt = make([]int32, 0, min(2*m, 1<<24))
	}
	var line []byte
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
		if _, ok, err := f.next(); ok || err != nil || f.i < len(f.b) { // the old reader missed err: it accepted a trailing "A"
			return nil, ferr(lr.line, "extra line after %d vertices", n)
		}
	}
	if int64(len(g.Adjncy)) != 2*m {
		return nil, ferr(hdrLine, "header says %d edges but the vertex lines hold %d adjacency entries (want %d: each edge in both endpoints' lines)", m, len(g.Adjncy), 2*m)
	}
	if v, msg := g.check(1); msg != "" {
		if v >= 0 {
			return nil, ferr(int(lines[v]), "%s", msg)
		}
		return nil, ferr(0, "%s", msg)
	}
	return g, nil
}
