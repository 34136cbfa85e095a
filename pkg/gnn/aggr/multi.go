package aggr

import (
	"strconv"
	"strings"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// Multi applies several aggregations and concatenates their outputs
// column-wise (PyG's MultiAggregation with mode "cat").
type Multi struct {
	Aggrs []Aggregation
}

// NewMulti returns the concatenation of aggrs.
func NewMulti(aggrs ...Aggregation) *Multi { return &Multi{Aggrs: aggrs} }

// Params returns the parameters of every part, as "aggrs.<i>.<name>".
func (a *Multi) Params() []ad.Named {
	var out []ad.Named
	for i, g := range a.Aggrs {
		out = append(out, ad.Prefix("aggrs."+strconv.Itoa(i), g)...)
	}
	return out
}

// OutDim returns the sum of the parts' widths.
func (a *Multi) OutDim(in int) int {
	n := 0
	for _, g := range a.Aggrs {
		n += g.OutDim(in)
	}
	return n
}

func (a *Multi) String() string {
	names := make([]string, len(a.Aggrs))
	for i, g := range a.Aggrs {
		names[i] = g.String()
	}
	return "multi[" + strings.Join(names, ", ") + "]"
}

// Reduce implements Aggregation.
func (a *Multi) Reduce(t *ad.Tape, m *ad.Var, s *ad.Sparse) *ad.Var {
	outs := make([]*ad.Var, len(a.Aggrs))
	for i, g := range a.Aggrs {
		outs[i] = g.Reduce(t, m, s)
	}
	return t.ConcatCols(outs...)
}

// ReduceNeighbors uses each part's fast path where it has one, so a Multi
// of sum/mean/max/min never materialises messages.
func (a *Multi) ReduceNeighbors(t *ad.Tape, s *ad.Sparse, x *ad.Var) *ad.Var {
	outs := make([]*ad.Var, len(a.Aggrs))
	var msgs *ad.Var
	for i, g := range a.Aggrs {
		if nr, ok := g.(NeighborReducer); ok {
			outs[i] = nr.ReduceNeighbors(t, s, x)
			continue
		}
		if msgs == nil {
			msgs = t.Gather(x, s.Matrix().Indices)
		}
		outs[i] = g.Reduce(t, msgs, s)
	}
	return t.ConcatCols(outs...)
}
