package aggr

import (
	"fmt"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Aggregation reduces messages to targets.
type Aggregation interface {
	ad.Module
	// Reduce reduces m (one row per entry of s: entry k belongs to target
	// s.RowOf()[k]) to s.Rows() x OutDim(m.Cols()). Targets without
	// entries get 0.
	Reduce(t *ad.Tape, m *ad.Var, s *ad.Sparse) *ad.Var
	// OutDim returns the output width for input width in.
	OutDim(in int) int
	// String names the aggregation as PyG prints it ("mean", "softmax").
	String() string
}

// NeighborReducer is the optional fast path of an Aggregation: the
// reduction of x[col_k] over the entries of every row of s, s's values
// ignored, without materialising per-edge messages. It must equal
// Reduce(t, Gather(x, s.Indices), s).
type NeighborReducer interface {
	ReduceNeighbors(t *ad.Tape, s *ad.Sparse, x *ad.Var) *ad.Var
}

// Neighbors reduces x[col_k] over every row of s with a: the fast path
// when a has one and s is not in edge-list form, else gather + Reduce.
func Neighbors(t *ad.Tape, a Aggregation, s *ad.Sparse, x *ad.Var) *ad.Var {
	if nr, ok := a.(NeighborReducer); ok && !s.EdgeList() {
		return nr.ReduceNeighbors(t, s, x)
	}
	return a.Reduce(t, t.Gather(x, s.Matrix().Indices), s)
}

// Structure returns s without its values (a cached derived adjacency).
func Structure(s *ad.Sparse) *ad.Sparse {
	if s.Matrix().Values == nil {
		return s
	}
	return s.Derived("structure", func(s *ad.Sparse) *ad.Sparse { return s.WithValues(nil) })
}

// Pool reduces the rows of x into one row per graph: batch[i] is the graph
// of node i, ascending (PyG's batch vector after Batch.from_data_list),
// with ids in [0, numGraphs). Graphs without nodes get 0.
func Pool(t *ad.Tape, a Aggregation, x *ad.Var, batch []int32, numGraphs int) (*ad.Var, error) {
	if len(batch) != x.Rows() {
		return nil, fmt.Errorf("aggr: pool: batch vector has %d entries for %d rows", len(batch), x.Rows())
	}
	s, err := BatchSegments(batch, numGraphs)
	if err != nil {
		return nil, err
	}
	return a.Reduce(t, x, s), nil
}

// BatchSegments returns the numGraphs x len(batch) segment matrix of a
// sorted batch vector, or an error naming the first unsorted or
// out-of-range entry.
func BatchSegments(batch []int32, numGraphs int) (*ad.Sparse, error) {
	indptr := make([]int64, numGraphs+1)
	for i, b := range batch {
		if b < 0 || int(b) >= numGraphs {
			return nil, fmt.Errorf("aggr: pool: batch[%d] = %d out of range [0, %d)", i, b, numGraphs)
		}
		if i > 0 && b < batch[i-1] {
			return nil, fmt.Errorf("aggr: pool: batch vector not sorted at %d (%d after %d)", i, b, batch[i-1])
		}
		indptr[b+1]++
	}
	for g := 0; g < numGraphs; g++ {
		indptr[g+1] += indptr[g]
	}
	return ad.NewSparse(tensor.CSR{Rows: numGraphs, Cols: len(batch), Indptr: indptr, Indices: tensor.Arange(0, len(batch))})
}

// simple is an SpMM-backed aggregation without parameters.
type simple struct {
	name string
	r    kernels.Reduce
}

func (simple) Params() []ad.Named { return nil }
func (simple) OutDim(in int) int  { return in }
func (a simple) String() string   { return a.name }
func (a simple) Reduce(t *ad.Tape, m *ad.Var, s *ad.Sparse) *ad.Var {
	return t.SpMM(s.Segments(), m, a.r)
}
func (a simple) ReduceNeighbors(t *ad.Tape, s *ad.Sparse, x *ad.Var) *ad.Var {
	return t.SpMM(Structure(s), x, a.r)
}

// Sum returns sum aggregation (PyG's SumAggregation, "add").
func Sum() Aggregation { return simple{"sum", kernels.Sum} }

// Mean returns mean aggregation.
func Mean() Aggregation { return simple{"mean", kernels.Mean} }

// Max returns elementwise max aggregation; the gradient goes to the
// winning message (the first on ties).
func Max() Aggregation { return simple{"max", kernels.Max} }

// Min returns elementwise min aggregation.
func Min() Aggregation { return simple{"min", kernels.Min} }

// varAggr is the variance: mean(x^2) - mean(x)^2 (PyG's VarAggregation);
// as std it is clamped at 1e-5 and square-rooted.
type varAggr struct{ std bool }

// Var returns the (biased) variance aggregation.
func Var() Aggregation { return varAggr{} }

// Std returns the standard deviation aggregation: sqrt(var) where var >
// 1e-5, else 0 (PyG's StdAggregation).
func Std() Aggregation { return varAggr{std: true} }

func (varAggr) Params() []ad.Named { return nil }
func (varAggr) OutDim(in int) int  { return in }
func (a varAggr) String() string {
	if a.std {
		return "std"
	}
	return "var"
}

func (a varAggr) finish(t *ad.Tape, mean, meanSq *ad.Var) *ad.Var {
	v := t.Axpby(1, meanSq, -1, t.Mul(mean, mean))
	if a.std {
		return t.SafeSqrt(v, 1e-5)
	}
	return v
}

func (a varAggr) Reduce(t *ad.Tape, m *ad.Var, s *ad.Sparse) *ad.Var {
	seg := s.Segments()
	return a.finish(t, t.SpMM(seg, m, kernels.Mean), t.SpMM(seg, t.Mul(m, m), kernels.Mean))
}

func (a varAggr) ReduceNeighbors(t *ad.Tape, s *ad.Sparse, x *ad.Var) *ad.Var {
	st := Structure(s)
	return a.finish(t, t.SpMM(st, x, kernels.Mean), t.SpMM(st, t.Mul(x, x), kernels.Mean))
}

// Resolve returns the aggregation named as in PyG ("sum"/"add", "mean",
// "max", "min", "var", "std", "softmax", "powermean", "median"), with
// default settings.
func Resolve(name string) (Aggregation, error) {
	switch name {
	case "sum", "add":
		return Sum(), nil
	case "mean":
		return Mean(), nil
	case "max":
		return Max(), nil
	case "min":
		return Min(), nil
	case "var":
		return Var(), nil
	case "std":
		return Std(), nil
	case "softmax":
		return NewSoftmax(1, true, 1), nil
	case "powermean":
		return NewPowerMean(1, true, 1), nil
	case "median":
		return Median(), nil
	}
	return nil, fmt.Errorf("aggr: unknown aggregation %q (sum, mean, max, min, var, std, softmax, powermean, median)", name)
}

// SpMMReduce reports the SpMM reduction a is (for sum, mean, max and min),
// so callers can fuse edge weights or reorder linear maps around it.
func SpMMReduce(a Aggregation) (kernels.Reduce, bool) {
	s, ok := a.(simple)
	return s.r, ok
}
