package aggr

import (
	"slices"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// median is the lower median of every target's messages per channel
// (PyG's MedianAggregation: quantile 0.5, interpolation "lower"). The
// gradient flows to the selected message.
type median struct{}

// Median returns median aggregation.
func Median() Aggregation { return median{} }

func (median) Params() []ad.Named { return nil }
func (median) OutDim(in int) int  { return in }
func (median) String() string     { return "median" }

func (median) Reduce(t *ad.Tape, m *ad.Var, s *ad.Sparse) *ad.Var {
	seg := s.Segments()
	a := seg.Matrix()
	f := m.Cols()
	arg := make([]int64, a.Rows*f)
	var idx []int64
	for i := 0; i < a.Rows; i++ {
		k0, k1 := a.Indptr[i], a.Indptr[i+1]
		for j := 0; j < f; j++ {
			if k0 == k1 {
				arg[i*f+j] = -1
				continue
			}
			idx = idx[:0]
			for k := k0; k < k1; k++ {
				idx = append(idx, k)
			}
			// Stable, so equal values keep entry order and the choice is
			// deterministic.
			slices.SortStableFunc(idx, func(p, q int64) int {
				vp, vq := m.Value.At(int(p), j), m.Value.At(int(q), j)
				switch {
				case vp < vq:
					return -1
				case vp > vq:
					return 1
				}
				return 0
			})
			arg[i*f+j] = idx[(len(idx)-1)/2]
		}
	}
	return t.SpMMArg(seg, m, arg)
}
