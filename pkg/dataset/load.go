package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Files of the OGB node-property raw layout, relative to a data set folder.
const (
	EdgeFile     = "raw/edge.csv.gz"
	FeatureFile  = "raw/node-feat.csv.gz"
	LabelFile    = "raw/node-label.csv.gz"
	NumNodesFile = "raw/num-node-list.csv.gz"
	NumEdgesFile = "raw/num-edge-list.csv.gz"
	SplitDir     = "split"
)

// SplitFiles are the files of one split folder, split/<name>/.
var SplitFiles = [3]string{"train.csv.gz", "valid.csv.gz", "test.csv.gz"}

// LoadOptions tune [Load]. A nil *LoadOptions means the defaults.
type LoadOptions struct {
	// Split names the folder under split/ to load; "" picks the only one,
	// or the first in lexical order when there are several.
	Split string
	// NoFeatures skips raw/node-feat.csv.gz (Features stays nil).
	NoFeatures bool
}

// Splits lists the split names of the data set in dir (the folders under
// split/), sorted. A data set without split/ has none.
func Splits(dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, SplitDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &Error{Path: filepath.Join(dir, SplitDir), Err: err}
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// Load reads the data set in dir, in the OGB node-property raw layout
// (docs/datasets.md): the node and edge counts, the edges, the features and
// labels (each optional: a missing file leaves the field nil) and one
// split. Files are read concurrently and streamed; memory is the result
// plus O(1) buffers per file. Every line is checked against the counts
// (node ids in range, one feature row and one label per node, as many edge
// lines as num-edge-list says, split ids ascending and disjoint).
//
// Errors are *Error values naming the file, line and field, wrapping
// ErrTruncated, ErrCorrupt, ErrSyntax, ErrSchema, ErrRange or ErrCount; a
// missing required file wraps fs.ErrNotExist. The data set's name is the
// base name of dir and NumClasses is the largest label plus one.
func Load(ctx context.Context, dir string, opts *LoadOptions) (*Dataset, error) {
	if opts == nil {
		opts = &LoadOptions{}
	}
	path := func(rel string) string { return filepath.Join(dir, rel) }
	n64, err := readCount(path(NumNodesFile))
	if err != nil {
		return nil, err
	}
	if n64 > math.MaxInt32 {
		return nil, fieldErr(path(NumNodesFile), 1, 1, ErrRange, "node count %d above 2^31-1", n64)
	}
	n := int(n64)
	m, err := readCount(path(NumEdgesFile))
	if err != nil {
		return nil, err
	}
	split, err := pickSplit(dir, opts.Split)
	if err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ds := &Dataset{Name: filepath.Base(filepath.Clean(dir)), Split: Split{Name: split}}
	jobs := []func() error{
		func() (err error) { ds.Graph, err = loadEdges(ctx, path(EdgeFile), n, m); return },
		func() (err error) { ds.Labels, ds.NumClasses, err = loadLabels(ctx, path(LabelFile), n); return },
		func() error { return loadSplit(ctx, dir, split, n, &ds.Split) },
	}
	if !opts.NoFeatures {
		jobs = append(jobs, func() (err error) { ds.Features, err = loadFeatures(ctx, path(FeatureFile), n); return })
	}
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = job(); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	// The first real error in a fixed order; cancellations caused by it
	// come second.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// pickSplit resolves the split name (see LoadOptions.Split).
func pickSplit(dir, want string) (string, error) {
	names, err := Splits(dir)
	if err != nil {
		return "", err
	}
	if want == "" {
		if len(names) == 0 {
			return "", nil
		}
		return names[0], nil
	}
	if !slices.Contains(names, want) {
		return "", &Error{Path: filepath.Join(dir, SplitDir, want), Err: fmt.Errorf("split %q not found (have %v): %w", want, names, os.ErrNotExist)}
	}
	return want, nil
}

// maxLines bounds how many lines of at least minBytes bytes the gzip file
// at path can hold: deflate expands at most 1032:1. Used to refuse a
// count file that promises more than the data file can hold before
// allocating for it.
func maxLines(path string, minBytes int64) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, &Error{Path: path, Err: err}
	}
	return (st.Size()*1032 + 1024) / minBytes, nil
}

const readChunk = 1 << 16

func loadEdges(ctx context.Context, path string, n int, m int64) (graph.COO, error) {
	limit, err := maxLines(path, 4) // "0,0\n"
	if err != nil {
		return graph.COO{}, err
	}
	if m > limit {
		return graph.COO{}, &Error{Path: path, Err: fmt.Errorf("%w: num-edge-list says %d edges, a file of this size holds at most %d", ErrTruncated, m, limit)}
	}
	r, err := OpenEdgeReader(path, n)
	if err != nil {
		return graph.COO{}, err
	}
	defer r.Close()
	g := graph.COO{NumNodes: n, Src: make([]int32, m), Dst: make([]int32, m)}
	var done int64
	for done < m {
		if err := ctx.Err(); err != nil {
			return graph.COO{}, err
		}
		hi := min(m, done+readChunk)
		k, err := r.Read(g.Src[done:hi], g.Dst[done:hi])
		done += int64(k)
		if err == io.EOF {
			return graph.COO{}, &Error{Path: path, Line: r.Line(), Err: fmt.Errorf("%w: %d edge lines, num-edge-list says %d", ErrTruncated, done, m)}
		}
		if err != nil {
			return graph.COO{}, err
		}
	}
	var probe [1]int32
	if k, err := r.Read(probe[:], probe[:]); k > 0 || err != io.EOF {
		if err != nil && err != io.EOF {
			return graph.COO{}, err
		}
		return graph.COO{}, &Error{Path: path, Line: r.Line(), Err: fmt.Errorf("%w: more than the %d edges num-edge-list says", ErrCount, m)}
	}
	return g, nil
}

func loadFeatures(ctx context.Context, path string, n int) (*tensor.Dense, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	r, err := OpenFeatureReader(path, 0)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	dim, err := r.Dim()
	if err == io.EOF {
		if n == 0 {
			return tensor.New(0, 0), nil
		}
		return nil, &Error{Path: path, Err: fmt.Errorf("%w: no feature rows for %d nodes", ErrTruncated, n)}
	}
	if err != nil {
		return nil, err
	}
	limit, err := maxLines(path, 2*int64(dim)) // "0,0,...,0\n"
	if err != nil {
		return nil, err
	}
	if int64(n) > limit {
		return nil, &Error{Path: path, Err: fmt.Errorf("%w: %d nodes of %d features cannot fit a file of this size", ErrTruncated, n, dim)}
	}
	x := tensor.New(n, dim)
	rows := max(1, (1<<20)/max(dim, 1)) // about a million fields per Read
	for done := 0; done < n; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k, err := r.Read(x.RowView(done, min(n, done+rows)))
		done += k
		if err == io.EOF {
			return nil, &Error{Path: path, Line: r.Line(), Err: fmt.Errorf("%w: %d feature rows for %d nodes", ErrTruncated, done, n)}
		}
		if err != nil {
			return nil, err
		}
	}
	probe := tensor.New(1, dim)
	if k, err := r.Read(probe); k > 0 || err != io.EOF {
		if err != nil && err != io.EOF {
			return nil, err
		}
		return nil, &Error{Path: path, Line: r.Line(), Err: fmt.Errorf("%w: more feature rows than the %d nodes", ErrCount, n)}
	}
	return x, nil
}

// loadLabels reads one label per node; NumClasses is max label + 1.
func loadLabels(ctx context.Context, path string, n int) ([]int32, int, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	limit, err := maxLines(path, 2)
	if err != nil {
		return nil, 0, err
	}
	if int64(n) > limit {
		return nil, 0, &Error{Path: path, Err: fmt.Errorf("%w: %d labels cannot fit a file of this size", ErrTruncated, n)}
	}
	ids, err := readInts(ctx, path, n, -1, "label", false)
	if err != nil {
		return nil, 0, err
	}
	k := 0
	for _, y := range ids {
		k = max(k, int(y)+1)
	}
	return ids, k, nil
}

// loadSplit reads split/<name>/{train,valid,test}.csv.gz into s, checking
// ids are in [0, n), ascending and disjoint.
func loadSplit(ctx context.Context, dir, name string, n int, s *Split) error {
	if name == "" {
		return nil
	}
	owner := make([]uint8, n)
	parts := []*[]int32{&s.Train, &s.Valid, &s.Test}
	for p, file := range SplitFiles {
		path := filepath.Join(dir, SplitDir, name, file)
		ids, err := readInts(ctx, path, -1, int64(n), "node id", true)
		if err != nil {
			return err
		}
		for i, v := range ids {
			if o := owner[v]; o != 0 {
				return fieldErr(path, int64(i+1), 1, ErrRange, "node %d is also in %s", v, SplitFiles[o-1])
			}
			owner[v] = uint8(p + 1)
		}
		*parts[p] = ids
	}
	return nil
}

// readInts reads a file of integers: exactly count of them (count < 0:
// any number), each in [0, limit), ascending if asked.
func readInts(ctx context.Context, path string, count int, limit int64, what string, ascending bool) ([]int32, error) {
	r, err := OpenIntReader(path, limit, what)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []int32
	if count >= 0 {
		out = make([]int32, 0, count)
	}
	buf := make([]int32, readChunk)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k, err := r.Read(buf)
		for i, v := range buf[:k] {
			if ascending && len(out) > 0 && out[len(out)-1] >= v {
				line := r.Line() - int64(k-1-i)
				return nil, fieldErr(path, line, 1, ErrRange, "%s %d not ascending after %d", what, v, out[len(out)-1])
			}
			if count >= 0 && len(out) == count {
				line := r.Line() - int64(k-1-i)
				return nil, &Error{Path: path, Line: line, Err: fmt.Errorf("%w: more than %d values", ErrCount, count)}
			}
			out = append(out, v)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if count >= 0 && len(out) < count {
		return nil, &Error{Path: path, Line: r.Line(), Err: fmt.Errorf("%w: %d values, want %d", ErrTruncated, len(out), count)}
	}
	return out, nil
}
