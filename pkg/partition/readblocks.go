package partition

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"sync"
)

// parsedBlock is one block of whole lines of a .graph file's body and,
// once a parser has been over it, its vertex lines.
type parsedBlock struct {
	data      []byte
	firstLine int   // line number of data's first line
	newlines  int   // newlines in data (the producer counts them)
	readErr   error // the read that ended the input, if it failed
	done      chan struct{}

	recs []record      // one per non-comment line
	adj  []int32       // 0-based neighbours of all records, in order
	ew   []int32       // their edge weights, if the file has them
	errs []recordError // problems, by record, in order
}

// record is one non-comment line as a parser sees it: it cannot know
// which vertex (if any) the line is, so checks that need that are the
// assembler's.
type record struct {
	line     int32
	entries  int32 // entries in adj (up to a problem, if any)
	vw       int32
	nonblank bool
}

// recordError is a problem in record rec; the message is "vertex %d: "
// + format with args, the vertex number filled in by the assembler.
type recordError struct {
	rec    int
	format string
	args   []any
}

// blockPipeline reads a file's body in blocks of whole lines, parses the
// blocks on several goroutines and hands them, in file order, to a
// consumer.
type blockPipeline struct {
	r         io.Reader
	firstLine int
	blockSize int
	workers   int
	h         graphHeader
	name      string // for read errors
	lines     int    // lines in the file, once run has returned nil
}

func newBlockPipeline(r io.Reader, name string, firstLine, blockSize, workers int, h graphHeader) *blockPipeline {
	return &blockPipeline{r: r, name: name, firstLine: firstLine, blockSize: blockSize, workers: max(workers, 1), h: h}
}

// run feeds every block to add in order and returns add's first error or
// a read error. Every goroutine it starts has ended when it returns.
func (p *blockPipeline) run(add func(*parsedBlock) error) error {
	inFlight := p.workers + 2
	free := make(chan *parsedBlock, inFlight)
	for range inFlight {
		free <- new(parsedBlock)
	}
	order := make(chan *parsedBlock, inFlight)
	work := make(chan *parsedBlock, inFlight)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(order)
		defer close(work)
		p.produce(free, order, work, quit)
	}()
	for range p.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				parseBlock(b, p.h)
				close(b.done)
			}
		}()
	}
	var err error
	for b := range order {
		<-b.done
		if b.readErr != nil {
			err = fmt.Errorf("partition: read %s: %w", p.name, b.readErr)
			break
		}
		if err = add(b); err != nil {
			break
		}
		free <- b
	}
	close(quit) // the producer stops; the workers finish what it queued
	wg.Wait()
	return err
}

// produce reads blocks of whole lines into free blocks and queues them
// both for parsing and, in order, for the consumer.
func (p *blockPipeline) produce(free, order, work chan *parsedBlock, quit chan struct{}) {
	line := p.firstLine
	var carry []byte // a partial last line, moved to the next block
	send := func(b *parsedBlock) bool {
		b.done = make(chan struct{})
		select {
		case order <- b:
		case <-quit:
			return false
		}
		select {
		case work <- b:
			return true
		case <-quit:
			close(b.done) // never parsed; the consumer has stopped
			return false
		}
	}
	for {
		var b *parsedBlock
		select {
		case b = <-free:
		case <-quit:
			return
		}
		buf := b.data[:0]
		if cap(buf) < p.blockSize {
			buf = make([]byte, 0, p.blockSize)
		}
		buf = append(buf, carry...)
		eof := false
		for {
			k, err := io.ReadFull(p.r, buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+k]
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				eof = true
			} else if err != nil {
				b.data, b.readErr = buf[:0], err
				send(b)
				return
			}
			if eof || bytes.LastIndexByte(buf, '\n') >= 0 {
				break
			}
			// One line longer than the block: grow it.
			buf = append(buf, 0)[:len(buf)]
		}
		cut := len(buf)
		if !eof {
			cut = bytes.LastIndexByte(buf, '\n') + 1
		}
		carry = append(carry[:0], buf[cut:]...)
		b.data, b.firstLine = buf[:cut], line
		b.newlines = bytes.Count(b.data, []byte{'\n'})
		line += b.newlines
		if eof && cut > 0 && buf[cut-1] != '\n' {
			line++ // a last line without a newline
		}
		if len(b.data) > 0 && !send(b) {
			return
		}
		if eof {
			p.lines = line - 1
			return
		}
	}
}

// parseBlock parses b's lines into records, entries and problems.
func parseBlock(b *parsedBlock, h graphHeader) {
	b.recs, b.adj, b.ew, b.errs = b.recs[:0], b.adj[:0], b.ew[:0], b.errs[:0]
	data := b.data
	// Room for the most the block can hold (an entry takes at least two
	// bytes, a line one), so the slices never grow while parsing; a
	// recycled block keeps its slices.
	if most := len(data)/2 + 1; cap(b.adj) < most {
		b.adj = make([]int32, 0, most)
		if h.hasEW {
			b.ew = make([]int32, 0, most)
		}
	}
	if most := b.newlines + 1; cap(b.recs) < most {
		b.recs = make([]record, 0, most)
	}
	for line := b.firstLine; len(data) > 0; line++ {
		var ln []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			ln, data = data[:i], data[i+1:]
		} else {
			ln, data = data, nil
		}
		for len(ln) > 0 && ln[len(ln)-1] == '\r' {
			ln = ln[:len(ln)-1]
		}
		if len(ln) > 0 && ln[0] == '%' {
			continue
		}
		parseRecord(b, ln, int32(min(line, math.MaxInt32)), h)
	}
}

// parseRecord parses one vertex line into a record, its entries and, at
// its first problem, an error for the record.
func parseRecord(b *parsedBlock, ln []byte, line int32, h graphHeader) {
	rec := record{line: line}
	for _, c := range ln {
		if !isSpace(c) {
			rec.nonblank = true
			break
		}
	}
	if format, args := parseFields(b, &rec, ln, h); format != "" {
		b.errs = append(b.errs, recordError{rec: len(b.recs), format: format, args: args})
	}
	b.recs = append(b.recs, rec)
}

// parseFields reads a vertex line's size, weight and entries into rec and
// b. It stops at the first problem and returns it as a format and its
// arguments ("" for none).
func parseFields(b *parsedBlock, rec *record, ln []byte, h graphHeader) (string, []any) {
	f := fields{b: ln}
	if h.hasSize {
		if _, ok, err := f.next(); err != nil {
			return "size: %v", []any{err}
		} else if !ok {
			return "missing size", nil
		}
	}
	if h.hasVW {
		w, ok, err := f.next()
		if err != nil {
			return "weight: %v", []any{err}
		}
		if !ok {
			return "missing weight", nil
		}
		if w > math.MaxInt32 {
			return "weight %d too large", []any{w}
		}
		rec.vw = int32(w)
	}
	for {
		u, ok, err := f.next()
		if err != nil {
			return "neighbour: %v", []any{err}
		}
		if !ok {
			return "", nil
		}
		if u < 1 || u > h.n {
			return "neighbour %d out of range [1, %d]", []any{u, h.n}
		}
		// The entry counts from here: the assembler checks it for a self
		// loop and the header's entry count before any problem with its
		// weight, as a sequential reader would.
		b.adj = append(b.adj, int32(u-1))
		rec.entries++
		if !h.hasEW {
			continue
		}
		w, ok, err := f.next()
		switch {
		case err != nil:
			b.ew = append(b.ew, 0)
			return "edge weight: %v", []any{err}
		case !ok:
			b.ew = append(b.ew, 0)
			return "neighbour %d has no edge weight", []any{u}
		case w < 1 || w > math.MaxInt32:
			b.ew = append(b.ew, 0)
			return "edge to %d: weight %d out of range [1, %d]", []any{u, w, math.MaxInt32}
		}
		b.ew = append(b.ew, int32(w))
	}
}
