package cpu

import (
	"github.com/gnnscale/gnnscale/pkg/kernels/internal/check"
	"github.com/gnnscale/gnnscale/pkg/kernels/internal/f32"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Gather sets dst row i to src row ids[i], splitting dst rows across
// workers. Every id is checked first, so a bad id panics before any write.
// Source rows are prefetched a few ids ahead, and a destination larger
// than any cache (f32.NTMin) is written with non-temporal stores.
func (b *Backend) Gather(dst, src *tensor.Dense, ids []int32) {
	const op = "Gather"
	check.Dense(op, "src", src)
	check.Shape(op, "dst", dst, len(ids), src.Cols)
	check.NoOverlap(op, "dst", dst, "src", src)
	check.Ids(op, ids, src.Rows)
	if dst.Cols == 0 {
		return
	}
	big := dst.Rows*dst.Cols*4 >= f32.NTMin
	b.parallel(len(ids), len(ids)*src.Cols, func(lo, hi int) {
		f32.GatherRows(dst.Data[lo*dst.Stride:], dst.Stride, src.Data, src.Stride, ids[lo:hi], 0, src.Cols, big)
	})
}

// ScatterAdd adds src row i to dst row ids[i]. Several i may share a
// destination row, so workers split the feature columns (each owns a band
// of every dst row) when rows are wide enough, and otherwise split the
// destination rows (each scans all ids and handles the ones it owns).
func (b *Backend) ScatterAdd(dst, src *tensor.Dense, ids []int32) {
	const op = "ScatterAdd"
	check.Dense(op, "dst", dst)
	check.Shape(op, "src", src, len(ids), dst.Cols)
	check.NoOverlap(op, "dst", dst, "src", src)
	check.Ids(op, ids, dst.Rows)
	f := dst.Cols
	if f == 0 {
		return
	}
	if f >= 2*colBlock {
		b.parallelCols(f, len(ids)*f, func(flo, fhi int) {
			f32.ScatterAddRows(dst.Data, dst.Stride, src.Data, src.Stride, ids, flo, fhi-flo)
		})
		return
	}
	b.parallel(dst.Rows, len(ids)*f, func(lo, hi int) {
		for i, id := range ids {
			if int(id) >= lo && int(id) < hi {
				f32.Add(dst.Row(int(id)), src.Row(i))
			}
		}
	})
}
