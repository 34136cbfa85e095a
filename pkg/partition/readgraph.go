package partition

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
)

// ReadGraph reads a graph in METIS's .graph format: '%' comment lines; a
// header "n m [fmt [ncon]]" where fmt's digits flag vertex sizes (ignored),
// vertex weights and edge weights, and ncon must be 1; then one line per
// vertex listing its weight (if flagged) and its 1-based neighbours, each
// followed by the edge weight (if flagged). The result satisfies
// [Graph.Validate]: ids in range, no self loops, m matching the entries,
// symmetric weights. Errors are *FormatError values naming the line (the
// first bad line of the file), and wrap ErrFormat; name is used only in
// messages.
//
// The vertex lines are parsed in parallel: one goroutine reads blocks of
// whole lines, GOMAXPROCS goroutines parse them, and the caller's
// goroutine appends the parsed blocks in file order, so at most a few
// blocks exist at once besides the graph itself.
func ReadGraph(r io.Reader, name string) (*Graph, error) {
	size := regularFileSize(r)
	return readGraph(r, name, size, readBlockSize(size))
}

// readBlockSize is 1 MiB, or less for a smaller file.
func readBlockSize(size int64) int {
	const most = 1 << 20
	if size < 0 {
		return most
	}
	return int(min(most, max(size+1, 4096)))
}

// graphHeader is a parsed header line.
type graphHeader struct {
	n, m         int64
	hasSize      bool
	hasVW, hasEW bool
	line         int // the header's line number
}

// readGraph is ReadGraph with the file size (-1 if unknown) and the block
// size given (tests use tiny blocks).
func readGraph(r io.Reader, name string, size int64, blockSize int) (*Graph, error) {
	br := bufio.NewReaderSize(r, readBufferSize(size))
	lr := &lineReader{r: br}
	h, err := readHeader(lr, name)
	if err != nil {
		return nil, err
	}
	// Capacities follow the header only up to a bound, so a lying header
	// cannot make the reader allocate more than the file can fill.
	nHint := min(h.n, 1<<22)
	capHint := min(2*h.m, 1<<24)
	if size >= 0 {
		// Every entry takes at least two bytes ("1 "), so the file size
		// bounds what the header may claim.
		capHint = min(2*h.m, size/2+1)
	}
	a := &assembler{h: h, name: name, g: &Graph{Xadj: make([]int64, 1, nHint+1), Adjncy: make([]int32, 0, capHint)}}
	if h.hasVW {
		a.g.VWgt = make([]int32, 0, nHint)
	}
	if h.hasEW {
		a.g.EWgt = make([]int32, 0, capHint)
	}
	p := newBlockPipeline(br, name, lr.line+1, blockSize, runtime.GOMAXPROCS(0), h)
	err = p.run(a.add)
	if err == nil {
		err = a.finish(p.lines)
	}
	if err != nil {
		return nil, err
	}
	g := a.g
	if v, msg := g.check(1); msg != "" {
		if v >= 0 {
			return nil, &FormatError{Name: name, Line: a.lineOf(v), Msg: msg}
		}
		return nil, &FormatError{Name: name, Msg: msg}
	}
	return g, nil
}

// readHeader skips comment lines and parses the header.
func readHeader(lr *lineReader, name string) (graphHeader, error) {
	ferr := func(line int, format string, args ...any) error {
		return &FormatError{Name: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	var line []byte
	var err error
	for {
		line, err = lr.next()
		if err == io.EOF {
			return graphHeader{}, ferr(0, "no header line")
		}
		if err != nil {
			return graphHeader{}, fmt.Errorf("partition: read %s: %w", name, err)
		}
		if len(line) == 0 || line[0] != '%' {
			break
		}
	}
	h := graphHeader{line: lr.line}
	f := fields{b: line}
	var hdr []int64
	for {
		v, ok, err := f.next()
		if err != nil {
			return h, ferr(h.line, "header: %v", err)
		}
		if !ok {
			break
		}
		hdr = append(hdr, v)
	}
	if len(hdr) < 2 || len(hdr) > 4 {
		return h, ferr(h.line, "header: want \"n m [fmt [ncon]]\", got %d fields", len(hdr))
	}
	h.n, h.m = hdr[0], hdr[1]
	if h.n > math.MaxInt32-1 {
		return h, ferr(h.line, "header: %d vertices exceed the int32 id range", h.n)
	}
	if len(hdr) >= 3 {
		fmtv := hdr[2]
		if fmtv > 111 || fmtv%10 > 1 || fmtv/10%10 > 1 || fmtv/100 > 1 {
			return h, ferr(h.line, "header: fmt %d: want digits 0/1 (sizes, vertex weights, edge weights)", fmtv)
		}
		h.hasSize, h.hasVW, h.hasEW = fmtv/100 == 1, fmtv/10%10 == 1, fmtv%10 == 1
	}
	if len(hdr) == 4 && hdr[3] != 1 {
		return h, ferr(h.line, "header: ncon %d: only one vertex weight per vertex is supported", hdr[3])
	}
	if h.m > math.MaxInt32 {
		return h, ferr(h.line, "header: %d edges exceed the supported %d", h.m, math.MaxInt32/2)
	}
	return h, nil
}

// assembler appends parsed blocks to the graph in file order and finds
// the errors that depend on a line's place in the file: which vertex it
// is, whether it comes after the last vertex, self loops, and the entry
// count the header allows.
type assembler struct {
	h    graphHeader
	name string
	g    *Graph
	// marks locate vertex lines for error messages: vertex v is on line
	// marks[i].line + v - marks[i].v for the last mark with marks[i].v <= v
	// (a mark starts every run of consecutive lines).
	marks []lineMark
}

type lineMark struct{ v, line int }

func (a *assembler) ferr(line int, format string, args ...any) error {
	return &FormatError{Name: a.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// add appends block b's records. Self loops are left to the graph check
// that follows assembly (which reports the lowest such vertex, and needs
// no pass over the entries here); an error found here first looks for a
// self loop before it, so the error reported is always the first in the
// file, as a one-line-at-a-time reader finds it.
func (a *assembler) add(b *parsedBlock) error {
	g, n, m2 := a.g, a.h.n, 2*a.h.m
	e := 0 // b's next entry
	nextErr := 0
	for i, rec := range b.recs {
		var perr *recordError
		if nextErr < len(b.errs) && b.errs[nextErr].rec == i {
			perr = &b.errs[nextErr]
			nextErr++
		}
		v := int64(g.NumNodes())
		if v >= n {
			if rec.nonblank {
				return a.fail(nil, int(rec.line), "extra line after %d vertices", n)
			}
			continue
		}
		if k := len(a.marks); k == 0 || a.marks[k-1].line+int(v)-a.marks[k-1].v != int(rec.line) {
			a.marks = append(a.marks, lineMark{v: int(v), line: int(rec.line)})
		}
		cnt := int(rec.entries)
		src := b.adj[e : e+cnt]
		if over := int64(len(g.Adjncy)+cnt) - m2; over > 0 {
			keep := cnt - int(over) // entries before the one past the header's count
			return a.fail(src[:keep+1], int(rec.line), "vertex %d: more adjacency entries than the header's 2*%d", v+1, a.h.m)
		}
		if perr != nil {
			return a.fail(src, int(rec.line), "vertex %d: "+perr.format, append([]any{v + 1}, perr.args...)...)
		}
		g.Adjncy = append(g.Adjncy, src...)
		if a.h.hasEW {
			g.EWgt = append(g.EWgt, b.ew[e:e+cnt]...)
		}
		if a.h.hasVW {
			g.VWgt = append(g.VWgt, rec.vw)
		}
		g.Xadj = append(g.Xadj, int64(len(g.Adjncy)))
		e += cnt
	}
	return nil
}

// fail returns the error at line, unless a self loop comes first: in the
// vertices assembled so far, or among pending, the entries of the next
// vertex read before the problem.
func (a *assembler) fail(pending []int32, line int, format string, args ...any) error {
	g := a.g
	n := g.NumNodes()
	for v := range n {
		for _, u := range g.Adjncy[g.Xadj[v]:g.Xadj[v+1]] {
			if int(u) == v {
				return a.ferr(a.lineOf(v), "vertex %d: self loop", v+1)
			}
		}
	}
	for _, u := range pending {
		if int(u) == n {
			return a.ferr(line, "vertex %d: self loop", n+1)
		}
	}
	return a.ferr(line, format, args...)
}

// finish checks the counts once every block is in; lines is the number of
// lines in the file.
func (a *assembler) finish(lines int) error {
	g, n := a.g, a.h.n
	if v := int64(g.NumNodes()); v < n {
		return a.fail(nil, lines, "file ends after %d of %d vertex lines", v, n)
	}
	if int64(len(g.Adjncy)) != 2*a.h.m {
		return a.fail(nil, a.h.line, "header says %d edges but the vertex lines hold %d adjacency entries (want %d: each edge in both endpoints' lines)", a.h.m, len(g.Adjncy), 2*a.h.m)
	}
	return nil
}

// lineOf returns the line of vertex v (0-based).
func (a *assembler) lineOf(v int) int {
	i := sort.Search(len(a.marks), func(i int) bool { return a.marks[i].v > v }) - 1
	if i < 0 {
		return 0
	}
	return a.marks[i].line + v - a.marks[i].v
}
