package dataset

import (
	"errors"
	"fmt"
	gzip "github.com/klauspost/compress/gzip"
	"io"
	"math"
	"os"
	"runtime"
	"sync"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// gzFile is an open gzip-compressed file.
type gzFile struct {
	f  *os.File
	zr *gzip.Reader
}

// openGz opens a gzip file; errors are *Error values naming path.
func openGz(path string) (*gzFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		if errors.Is(err, io.EOF) {
			return nil, &Error{Path: path, Err: fmt.Errorf("%w: empty file, not gzip", ErrTruncated)}
		}
		return nil, streamErr(path, 0, err)
	}
	return &gzFile{f: f, zr: zr}, nil
}

func (g *gzFile) Close() error {
	if g == nil {
		return nil
	}
	err := g.zr.Close()
	if err2 := g.f.Close(); err == nil {
		err = err2
	}
	return err
}

// EdgeReader streams an edge file, one "src,dst" edge per line, in chunks.
// It is not safe for concurrent use.
type EdgeReader struct {
	lr       *lineReader
	numNodes int64
	closer   io.Closer
}

// NewEdgeReader reads edges from the uncompressed text r; path names r in
// errors. Node ids must be in [0, numNodes) (numNodes < 0: any int32).
func NewEdgeReader(r io.Reader, path string, numNodes int) *EdgeReader {
	return &EdgeReader{lr: newLineReader(r, path), numNodes: int64(numNodes)}
}

// OpenEdgeReader opens a gzip-compressed edge file (raw/edge.csv.gz).
func OpenEdgeReader(path string, numNodes int) (*EdgeReader, error) {
	gz, err := openGz(path)
	if err != nil {
		return nil, err
	}
	r := NewEdgeReader(gz.zr, path, numNodes)
	r.closer = gz
	return r, nil
}

// Read fills src and dst (which must have equal lengths) with up to
// len(src) edges and returns how many. At the end of the file it returns
// 0, io.EOF. A malformed line returns the edges before it and an *Error
// naming the line and field (ErrSyntax, ErrSchema, ErrRange); a damaged
// stream returns an *Error wrapping ErrTruncated or ErrCorrupt.
func (r *EdgeReader) Read(src, dst []int32) (int, error) {
	if len(src) != len(dst) {
		panic("dataset: EdgeReader.Read: len(src) != len(dst)")
	}
	for i := range src {
		b, err := r.lr.next()
		if err != nil {
			if err == io.EOF && i > 0 {
				return i, nil
			}
			return i, err
		}
		comma := -1
		for k, c := range b {
			if c == ',' {
				comma = k
				break
			}
		}
		if comma < 0 {
			return i, fieldErr(r.lr.path, r.lr.line, 0, ErrSchema, "%d field(s), want 2 (src,dst)", countFields(b))
		}
		if n := countFields(b); n != 2 {
			return i, fieldErr(r.lr.path, r.lr.line, 0, ErrSchema, "%d fields, want 2 (src,dst)", n)
		}
		s, err := r.lr.parseID(b[:comma], 1, r.numNodes, "node id")
		if err != nil {
			return i, err
		}
		d, err := r.lr.parseID(b[comma+1:], 2, r.numNodes, "node id")
		if err != nil {
			return i, err
		}
		src[i], dst[i] = s, d
	}
	return len(src), nil
}

// Line returns the number of lines read so far.
func (r *EdgeReader) Line() int64 { return r.lr.line }

// Close closes the file opened by OpenEdgeReader (no-op otherwise).
func (r *EdgeReader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// FeatureReader streams a feature file, line i holding the comma-separated
// float features of node i, into row chunks. It is not safe for
// concurrent use.
type FeatureReader struct {
	lr      *lineReader
	dim     int
	pending []byte // first line, read by Dim before any Read
	has     bool
	batch   []byte // text of the lines of one Read
	offs    []int  // start of each line in batch
	closer  io.Closer
}

// NewFeatureReader reads features from the uncompressed text r; path
// names r in errors. dim is the expected number of features per line; with
// dim <= 0 it is taken from the first line.
func NewFeatureReader(r io.Reader, path string, dim int) *FeatureReader {
	return &FeatureReader{lr: newLineReader(r, path), dim: dim}
}

// OpenFeatureReader opens a gzip-compressed feature file
// (raw/node-feat.csv.gz).
func OpenFeatureReader(path string, dim int) (*FeatureReader, error) {
	gz, err := openGz(path)
	if err != nil {
		return nil, err
	}
	r := NewFeatureReader(gz.zr, path, dim)
	r.closer = gz
	return r, nil
}

// Dim returns the number of features per row, reading the first line if
// it was not given. An empty file has dimension 0 and returns io.EOF.
func (r *FeatureReader) Dim() (int, error) {
	if r.dim > 0 {
		return r.dim, nil
	}
	b, err := r.lr.next()
	if err != nil {
		return 0, err
	}
	if len(b) == 0 {
		return 0, fieldErr(r.lr.path, r.lr.line, 0, ErrSchema, "empty line")
	}
	r.pending = append(r.pending[:0], b...)
	r.has = true
	r.dim = countFields(b)
	return r.dim, nil
}

// Read fills up to dst.Rows rows of dst (whose Cols must equal Dim) with
// the next rows and returns how many. At the end of the file it returns 0,
// io.EOF. Errors are *Error values as for [EdgeReader.Read]; rows before a
// malformed line are filled and counted. The lines of one call are read
// sequentially and parsed in parallel (GOMAXPROCS goroutines, all joined
// before Read returns), so larger dst give more parallelism.
func (r *FeatureReader) Read(dst *tensor.Dense) (int, error) {
	dim, err := r.Dim()
	if err != nil {
		return 0, err
	}
	if dst.Cols != dim {
		return 0, fmt.Errorf("dataset: FeatureReader.Read: destination has %d columns, file has %d features", dst.Cols, dim)
	}
	// Gather the text of up to dst.Rows lines.
	r.batch, r.offs = r.batch[:0], r.offs[:0]
	first := r.lr.line + 1
	if r.has {
		first = r.lr.line
	}
	var readErr error
	for len(r.offs) < dst.Rows {
		var b []byte
		if r.has {
			b, r.has = r.pending, false
		} else if b, readErr = r.lr.next(); readErr != nil {
			break
		}
		r.offs = append(r.offs, len(r.batch))
		r.batch = append(r.batch, b...)
	}
	rows := len(r.offs)
	r.offs = append(r.offs, len(r.batch))
	if rows == 0 {
		return 0, readErr
	}
	// Parse rows in parallel; keep the error of the first bad row.
	bad, badErr := rows, error(nil)
	var mu sync.Mutex
	parseRows(rows, dim, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if err := parseFloatRow(r.lr.path, first+int64(i), r.batch[r.offs[i]:r.offs[i+1]], dst.Row(i)); err != nil {
				mu.Lock()
				if i < bad {
					bad, badErr = i, err
				}
				mu.Unlock()
				return
			}
		}
	})
	if badErr != nil {
		return bad, badErr
	}
	if readErr == io.EOF {
		readErr = nil
	}
	return rows, readErr
}

// parseRows splits rows into contiguous ranges, one per goroutine (at most
// GOMAXPROCS, and only when there is enough work), and waits for them.
func parseRows(rows, dim int, fn func(lo, hi int)) {
	w := min(runtime.GOMAXPROCS(0), rows*max(dim, 1)/(1<<16))
	if w <= 1 {
		fn(0, rows)
		return
	}
	var wg sync.WaitGroup
	per := (rows + w - 1) / w
	for lo := 0; lo < rows; lo += per {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(rows, lo+per))
	}
	wg.Wait()
}

// Line returns the number of lines read so far.
func (r *FeatureReader) Line() int64 { return r.lr.line }

// Close closes the file opened by OpenFeatureReader (no-op otherwise).
func (r *FeatureReader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// IntReader streams a file of one non-negative integer per line (labels,
// split node ids, counts). It is not safe for concurrent use.
type IntReader struct {
	lr     *lineReader
	limit  int64
	what   string
	closer io.Closer
}

// NewIntReader reads integers in [0, limit) (limit < 0: [0, 2^31)) from
// the uncompressed text r; what names the values in messages ("label").
func NewIntReader(r io.Reader, path string, limit int64, what string) *IntReader {
	return &IntReader{lr: newLineReader(r, path), limit: limit, what: what}
}

// OpenIntReader opens a gzip-compressed file of integers.
func OpenIntReader(path string, limit int64, what string) (*IntReader, error) {
	gz, err := openGz(path)
	if err != nil {
		return nil, err
	}
	r := NewIntReader(gz.zr, path, limit, what)
	r.closer = gz
	return r, nil
}

// Read fills dst with up to len(dst) values, as [EdgeReader.Read].
func (r *IntReader) Read(dst []int32) (int, error) {
	for i := range dst {
		b, err := r.lr.next()
		if err != nil {
			if err == io.EOF && i > 0 {
				return i, nil
			}
			return i, err
		}
		if n := countFields(b); n != 1 {
			return i, fieldErr(r.lr.path, r.lr.line, 0, ErrSchema, "%d fields, want 1 (%s)", n, r.what)
		}
		v, err := r.lr.parseID(b, 1, r.limit, r.what)
		if err != nil {
			return i, err
		}
		dst[i] = v
	}
	return len(dst), nil
}

// Line returns the number of lines read so far.
func (r *IntReader) Line() int64 { return r.lr.line }

// Close closes the file opened by OpenIntReader (no-op otherwise).
func (r *IntReader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// readCount reads a count file (raw/num-node-list.csv.gz): exactly one
// line holding one non-negative integer.
func readCount(path string) (int64, error) {
	gz, err := openGz(path)
	if err != nil {
		return 0, err
	}
	defer gz.Close()
	lr := newLineReader(gz.zr, path)
	b, err := lr.next()
	if err == io.EOF {
		return 0, &Error{Path: path, Err: fmt.Errorf("%w: no count line", ErrSchema)}
	}
	if err != nil {
		return 0, err
	}
	x, ok := parseUint(b)
	if !ok {
		return 0, fieldErr(path, 1, 1, ErrSyntax, "count %s is not a non-negative integer", quote(b))
	}
	if x > math.MaxInt64/2 {
		return 0, fieldErr(path, 1, 1, ErrRange, "count %d too large", x)
	}
	if _, err := lr.next(); err != io.EOF {
		if err != nil {
			return 0, err
		}
		return 0, fieldErr(path, 2, 0, ErrSchema, "more than one line (one graph expected)")
	}
	return int64(x), nil
}
