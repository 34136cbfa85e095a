package gas

import (
	"context"
	"fmt"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/history"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Split codes of [Source.Targets] (the codes pkg/store/ingest writes).
const (
	SplitNone  int8 = -1
	SplitTrain int8 = 0
	SplitValid int8 = 1
	SplitTest  int8 = 2
)

// Source is where a GAS run reads node data, by row of the renumbered
// graph (partition p owns a contiguous id range).
type Source interface {
	NumNodes() int
	NumFeatures() int
	NumClasses() int
	// Features sets dst's rows to the features of the rows of ranges, in
	// order, then of ids. dst is (sum of counts + len(ids)) x NumFeatures.
	Features(ctx context.Context, ranges []history.Range, ids []int32, dst *tensor.Dense) error
	// Targets sets labels[i] and split[i] for the i-th row of ranges.
	Targets(ctx context.Context, ranges []history.Range, labels []int32, split []int8) error
}

// SparseSource is a Source that keeps mostly-zero features (bag-of-words)
// in sparse form: [Assemble] then gathers a batch's rows as sparse rows
// and fills the dense form from their nonzeros, instead of copying dense
// rows and scanning them for nonzeros every step.
type SparseSource interface {
	Source
	// SparseFeatures returns the rows of ranges, then of ids, as a CSR
	// matrix of NumFeatures columns, or nil when the source keeps its
	// features dense only.
	SparseFeatures(ctx context.Context, ranges []history.Range, ids []int32) (*tensor.CSR, error)
}

// MemSource is a Source held in memory. [NewMemSource] also keeps the
// features in sparse form when they are mostly zeros (a [SparseSource]).
type MemSource struct {
	X       *tensor.Dense
	Labels  []int32
	Split   []int8
	Classes int

	xs *tensor.CSR // X's nonzeros when X's density is below SparseBelow
}

// NewMemSource checks the shapes and returns the source.
func NewMemSource(x *tensor.Dense, labels []int32, split []int8, classes int) (*MemSource, error) {
	if len(labels) != x.Rows || len(split) != x.Rows {
		return nil, fmt.Errorf("gas: source: %d feature rows, %d labels, %d split codes", x.Rows, len(labels), len(split))
	}
	for i, l := range labels {
		if split[i] != SplitNone && (l < 0 || int(l) >= classes) {
			return nil, fmt.Errorf("gas: source: node %d has label %d, want [0, %d)", i, l, classes)
		}
	}
	s := &MemSource{X: x, Labels: labels, Split: split, Classes: classes}
	if sparse(x) {
		m := ad.FeatureCSR(x).Matrix()
		s.xs = &m
	}
	return s, nil
}

// SparseFeatures implements [SparseSource].
func (s *MemSource) SparseFeatures(_ context.Context, ranges []history.Range, ids []int32) (*tensor.CSR, error) {
	if s.xs == nil {
		return nil, nil
	}
	rows, err := s.checkRows(ranges, ids)
	if err != nil {
		return nil, err
	}
	var n int64
	for _, r := range ranges {
		n += s.xs.Indptr[r.Offset+r.Count] - s.xs.Indptr[r.Offset]
	}
	for _, id := range ids {
		n += s.xs.Indptr[id+1] - s.xs.Indptr[id]
	}
	m := &tensor.CSR{Rows: rows, Cols: s.X.Cols, Indptr: make([]int64, 1, rows+1),
		Indices: make([]int32, 0, n), Values: make([]float32, 0, n)}
	add := func(lo, hi int64) { // source rows [lo, hi)
		a, b := s.xs.Indptr[lo], s.xs.Indptr[hi]
		base := int64(len(m.Indices)) - a
		m.Indices = append(m.Indices, s.xs.Indices[a:b]...)
		m.Values = append(m.Values, s.xs.Values[a:b]...)
		for i := lo + 1; i <= hi; i++ {
			m.Indptr = append(m.Indptr, s.xs.Indptr[i]+base)
		}
	}
	for _, r := range ranges {
		add(r.Offset, r.Offset+r.Count)
	}
	for _, id := range ids {
		add(int64(id), int64(id)+1)
	}
	return m, nil
}

func (s *MemSource) NumNodes() int    { return s.X.Rows }
func (s *MemSource) NumFeatures() int { return s.X.Cols }
func (s *MemSource) NumClasses() int  { return s.Classes }

func (s *MemSource) Features(_ context.Context, ranges []history.Range, ids []int32, dst *tensor.Dense) error {
	rows, err := s.checkRows(ranges, ids)
	if err != nil {
		return err
	}
	if dst.Rows != rows || dst.Cols != s.X.Cols {
		return fmt.Errorf("gas: features: destination %s, want %dx%d", dst.Shape(), rows, s.X.Cols)
	}
	at := 0
	for _, r := range ranges {
		dst.RowView(at, at+int(r.Count)).Copy(s.X.RowView(int(r.Offset), int(r.Offset+r.Count)))
		at += int(r.Count)
	}
	for i, id := range ids {
		copy(dst.Row(at+i), s.X.Row(int(id)))
	}
	return nil
}

// checkRows checks the rows of a features request (ranges, then ids) and
// returns their number.
func (s *MemSource) checkRows(ranges []history.Range, ids []int32) (int, error) {
	rows := len(ids)
	for _, r := range ranges {
		if r.Offset < 0 || r.Count < 0 || r.Offset+r.Count > int64(s.X.Rows) {
			return 0, fmt.Errorf("gas: features: rows [%d, %d) of %d", r.Offset, r.Offset+r.Count, s.X.Rows)
		}
		rows += int(r.Count)
	}
	for _, id := range ids {
		if id < 0 || int(id) >= s.X.Rows {
			return 0, fmt.Errorf("gas: features: node %d of %d", id, s.X.Rows)
		}
	}
	return rows, nil
}

func (s *MemSource) Targets(_ context.Context, ranges []history.Range, labels []int32, split []int8) error {
	at := 0
	for _, r := range ranges {
		if r.Offset < 0 || r.Count < 0 || r.Offset+r.Count > int64(s.X.Rows) {
			return fmt.Errorf("gas: targets: rows [%d, %d) of %d", r.Offset, r.Offset+r.Count, s.X.Rows)
		}
		if at+int(r.Count) > len(labels) || at+int(r.Count) > len(split) {
			return fmt.Errorf("gas: targets: %d labels / %d codes for more rows", len(labels), len(split))
		}
		copy(labels[at:], s.Labels[r.Offset:r.Offset+r.Count])
		copy(split[at:], s.Split[r.Offset:r.Offset+r.Count])
		at += int(r.Count)
	}
	return nil
}
