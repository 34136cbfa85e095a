package ingest

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// rowSource is a stream of feature rows.
type rowSource interface {
	Shape() (int64, int)
	Read(dst *tensor.Dense) (int, error)
	Close() error
}

// openFeatures opens Options.Features, or the data set's feature file if
// it has one (nil if neither).
func openFeatures(ctx context.Context, o Options) (rowSource, string, error) {
	path := o.Features
	switch {
	case strings.HasSuffix(path, ".npy"):
		r, err := OpenNPY(path)
		return r, path, err
	case strings.HasSuffix(path, ".parquet") || strings.HasSuffix(path, ".pq"):
		r, err := OpenParquet(ctx, path, o.Column)
		return r, path, err
	case path != "":
		return nil, "", fmt.Errorf("ingest: features file %s: want a .npy or .parquet file", path)
	}
	path = filepath.Join(o.Dataset, dataset.FeatureFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, "", nil
	}
	n, err := readCount(filepath.Join(o.Dataset, dataset.NumNodesFile), "node count")
	if err != nil {
		return nil, "", err
	}
	fr, err := dataset.OpenFeatureReader(path, 0)
	if err != nil {
		return nil, "", err
	}
	dim, err := fr.Dim()
	if err != nil && !errors.Is(err, io.EOF) {
		fr.Close()
		return nil, "", err
	}
	return &csvSource{fr: fr, rows: n, cols: dim, path: path}, path, nil
}

// csvSource adapts dataset.FeatureReader, checking the row count.
type csvSource struct {
	fr   *dataset.FeatureReader
	rows int64
	cols int
	read int64
	path string
}

func (c *csvSource) Shape() (int64, int) { return c.rows, c.cols }

func (c *csvSource) Close() error { return c.fr.Close() }

func (c *csvSource) Read(dst *tensor.Dense) (int, error) {
	k, err := c.fr.Read(dst.RowView(0, int(min(int64(dst.Rows), max(c.rows-c.read, 1)))))
	c.read += int64(k)
	if c.read > c.rows {
		return k, fmt.Errorf("ingest: %s has more than %d feature rows", c.path, c.rows)
	}
	if errors.Is(err, io.EOF) && c.read < c.rows {
		return k, fmt.Errorf("ingest: %s: %w: %d feature rows for %d nodes", c.path, dataset.ErrTruncated, c.read, c.rows)
	}
	return k, err
}

// readCount reads a count file (one non-negative integer on one line, as
// raw/num-node-list.csv.gz), as int64 so edge counts above 2^31 work.
func readCount(path, what string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, &FileError{Path: path, Err: err}
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return 0, &FileError{Path: path, Err: fmt.Errorf("%w: not gzip: %v", ErrFormat, err)}
	}
	b, err := io.ReadAll(io.LimitReader(zr, 64))
	if err != nil {
		return 0, &FileError{Path: path, Err: fmt.Errorf("%w: %v", ErrTruncated, err)}
	}
	text := strings.TrimSpace(string(b))
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil || v < 0 || strings.ContainsAny(text, "\n,") {
		return 0, &FileError{Path: path, Where: "line 1", Err: fmt.Errorf("%w: %s %q is not one non-negative integer", ErrFormat, what, text)}
	}
	return v, nil
}

// readEdges streams raw/edge.csv.gz into a COO and checks its count.
func readEdges(ctx context.Context, o Options, n int) (graph.COO, error) {
	coo := graph.COO{NumNodes: n}
	path := filepath.Join(o.Dataset, dataset.EdgeFile)
	m, err := readCount(filepath.Join(o.Dataset, dataset.NumEdgesFile), "edge count")
	if err != nil {
		return coo, err
	}
	r, err := dataset.OpenEdgeReader(path, n)
	if err != nil {
		return coo, err
	}
	defer r.Close()
	coo.Src, coo.Dst = make([]int32, 0, m), make([]int32, 0, m)
	o.Progress.Start("edges", m, "edges")
	src, dst := make([]int32, 1<<16), make([]int32, 1<<16)
	for {
		if err := ctx.Err(); err != nil {
			return coo, err
		}
		k, err := r.Read(src, dst)
		coo.Src, coo.Dst = append(coo.Src, src[:k]...), append(coo.Dst, dst[:k]...)
		o.Progress.Add(int64(k))
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return coo, err
		}
	}
	o.Progress.Done()
	if int64(len(coo.Src)) != m {
		return coo, fmt.Errorf("ingest: %s: %d edges, %s says %d", path, len(coo.Src), dataset.NumEdgesFile, m)
	}
	return coo, nil
}
