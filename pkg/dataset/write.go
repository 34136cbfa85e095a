package dataset

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	gzip "github.com/klauspost/compress/gzip"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
)

// WriteOptions tune [Write]. A nil *WriteOptions means the defaults.
type WriteOptions struct {
	// Level is the gzip level; 0 means gzip.BestSpeed.
	Level int
}

// Write writes ds to dir in the OGB node-property raw layout that [Load]
// reads (docs/datasets.md). dir must not exist. Files are written into a
// temporary sibling folder that is renamed to dir only after everything
// was written and synced, so a failed or cancelled Write leaves no dir.
// The split goes to split/<ds.Split.Name>/ ("default" if unnamed; none if
// the split is empty). Features are formatted as the shortest decimal that
// reads back to the same float32, so Load(Write(ds)) == ds exactly.
// The layout has no place for edge ids and weights: Graph.EdgeID and
// Graph.Weight are not written (a loaded graph has identity ids and no
// weights).
//
// Large files are compressed in parallel as a sequence of gzip members of
// fixed row ranges (valid gzip that every reader, zcat and Python's gzip
// included, reads as one stream); the bytes do not depend on GOMAXPROCS.
func Write(ctx context.Context, dir string, ds *Dataset, opts *WriteOptions) error {
	if err := ds.Validate(); err != nil {
		return err
	}
	level := gzip.BestSpeed
	if opts != nil && opts.Level != 0 {
		level = opts.Level
	}
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("dataset: write %s: %w", dir, fs.ErrExist)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("dataset: write %s: %w", dir, err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	w := &writer{ctx: ctx, root: tmp, level: level}
	n := ds.NumNodes()
	g := ds.Graph
	w.file(NumNodesFile, 1, 1, func(_, _ int, b []byte) []byte { return append(strconv.AppendInt(b, int64(n), 10), '\n') })
	w.file(NumEdgesFile, 1, 1, func(_, _ int, b []byte) []byte { return append(strconv.AppendInt(b, g.NumEdges(), 10), '\n') })
	w.file(EdgeFile, len(g.Src), 1<<18, func(lo, hi int, b []byte) []byte {
		for e := lo; e < hi; e++ {
			b = strconv.AppendInt(b, int64(g.Src[e]), 10)
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(g.Dst[e]), 10)
			b = append(b, '\n')
		}
		return b
	})
	if x := ds.Features; x != nil && x.Cols > 0 {
		rows := max(1, (1<<18)/max(1, x.Cols))
		w.file(FeatureFile, n, rows, func(lo, hi int, b []byte) []byte {
			for v := lo; v < hi; v++ {
				for j, f := range x.Row(v) {
					if j > 0 {
						b = append(b, ',')
					}
					b = strconv.AppendFloat(b, float64(f), 'g', -1, 32)
				}
				b = append(b, '\n')
			}
			return b
		})
	}
	if ds.Labels != nil {
		w.ints(LabelFile, ds.Labels)
	}
	s := ds.Split
	if len(s.Train)+len(s.Valid)+len(s.Test) > 0 {
		name := s.Name
		if name == "" {
			name = "default"
		}
		for p, ids := range [][]int32{s.Train, s.Valid, s.Test} {
			w.ints(filepath.Join(SplitDir, name, SplitFiles[p]), ids)
		}
	}
	if w.err != nil {
		return w.err
	}
	if err := syncDir(tmp); err != nil {
		return fmt.Errorf("dataset: write %s: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("dataset: write %s: %w", dir, err)
	}
	ok = true
	return syncDir(parent)
}

// writer writes gzip files under root, keeping the first error.
type writer struct {
	ctx   context.Context
	root  string
	level int
	err   error
}

func (w *writer) ints(rel string, ids []int32) {
	w.file(rel, len(ids), 1<<18, func(lo, hi int, b []byte) []byte {
		for _, v := range ids[lo:hi] {
			b = append(strconv.AppendInt(b, int64(v), 10), '\n')
		}
		return b
	})
}

// file writes rel from count items formatted by format in chunks of
// `per` items, each compressed (in parallel) to its own gzip member.
func (w *writer) file(rel string, count, per int, format func(lo, hi int, b []byte) []byte) {
	if w.err != nil {
		return
	}
	path := filepath.Join(w.root, rel)
	w.err = w.writeFile(path, count, per, format)
	if w.err != nil {
		var de *Error
		if !errors.As(w.err, &de) && !errors.Is(w.err, context.Canceled) && !errors.Is(w.err, context.DeadlineExceeded) {
			w.err = &Error{Path: path, Err: w.err}
		}
	}
}

func (w *writer) writeFile(path string, count, per int, format func(lo, hi int, b []byte) []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	chunks := max(1, (count+per-1)/per)
	workers := min(chunks, runtime.GOMAXPROCS(0))
	bufs := make([]bytes.Buffer, workers)
	texts := make([][]byte, workers)
	errs := make([]error, workers)
	for first := 0; first < chunks; first += workers {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		wave := min(workers, chunks-first)
		var wg sync.WaitGroup
		for i := range wave {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := first + i
				lo, hi := min(count, c*per), min(count, (c+1)*per)
				text := format(lo, hi, texts[i][:0])
				texts[i] = text
				bufs[i].Reset()
				zw, err := gzip.NewWriterLevel(&bufs[i], w.level)
				if err == nil {
					_, err = zw.Write(text)
				}
				if err == nil {
					err = zw.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i := range wave {
			if errs[i] != nil {
				return errs[i]
			}
			if _, err := f.Write(bufs[i].Bytes()); err != nil {
				return err
			}
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

// syncDir fsyncs a directory so a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
