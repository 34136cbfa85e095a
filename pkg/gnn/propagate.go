package gnn

import (
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/gnn/aggr"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Conv is a graph convolution: it maps features x (one row per source of
// a) to one row per target of a.
type Conv interface {
	ad.Module
	Forward(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var
	// OutDim returns the width of the output.
	OutDim() int
	String() string
}

// Message computes one message per edge from the edge view e. It returns
// an NNZ x F matrix (row k belongs to entry k of the adjacency).
type Message func(e *Edges) *ad.Var

// Spec describes one propagation, PyG's MessagePassing split into its
// parts: Message builds per-edge messages, Aggr reduces them per target,
// Update (optional) maps the aggregated result.
type Spec struct {
	// Message is the per-edge message; nil means x_j, the source feature
	// (times the edge value when Weighted).
	Message Message
	// Weighted multiplies the default message by the adjacency's values
	// (GCN's norm * x_j). Ignored when Message is set.
	Weighted bool
	// Aggr reduces messages; nil means sum.
	Aggr aggr.Aggregation
	// Update maps the aggregated output (targets x F) and may use e for
	// the targets' own features (e.I-style access through e.Targets).
	Update func(e *Edges, aggregated *ad.Var) *ad.Var
}

// Propagate runs message passing of x over a (targets x sources) and
// returns one row per target. Without a Message it takes the fused path
// (SpMM over the adjacency, no per-edge tensor) unless a is in edge-list
// form or the aggregation has no fast path.
func Propagate(t *ad.Tape, a *ad.Sparse, x *ad.Var, s Spec) *ad.Var {
	if x.Rows() != a.Cols() {
		panic(fmt.Sprintf("gnn: Propagate: adjacency %dx%d, features %s", a.Rows(), a.Cols(), x.Value.Shape()))
	}
	e := &Edges{t: t, a: a, x: x}
	ag := s.Aggr
	if ag == nil {
		ag = aggr.Sum()
	}
	var out *ad.Var
	switch {
	case s.Message != nil:
		out = ag.Reduce(t, s.Message(e), a)
	case s.Weighted && a.Matrix().Values != nil:
		if r, ok := aggr.SpMMReduce(ag); ok && r == kernels.Sum && !a.EdgeList() {
			out = t.SpMM(a, x, kernels.Sum)
		} else {
			out = ag.Reduce(t, t.ScaleRows(e.J(), a.Matrix().Values), a)
		}
	default:
		out = aggr.Neighbors(t, ag, a, x)
	}
	if s.Update != nil {
		out = s.Update(e, out)
	}
	return out
}

// Edges is the per-edge view handed to a Message: PyG's x_j / x_i
// convention as methods. Gathered tensors are computed once per
// propagation.
type Edges struct {
	t      *ad.Tape
	a      *ad.Sparse
	x      *ad.Var
	xj, xi *ad.Var
}

// Tape returns the tape, for building the message.
func (e *Edges) Tape() *ad.Tape { return e.t }

// Adj returns the adjacency.
func (e *Edges) Adj() *ad.Sparse { return e.a }

// X returns the propagated features (one row per source).
func (e *Edges) X() *ad.Var { return e.x }

// Targets returns x restricted to the targets, x[:Rows] (x_dst).
func (e *Edges) Targets() *ad.Var { return e.t.SliceRows(e.x, 0, e.a.Rows()) }

// J returns the source feature of every edge, x_j (NNZ x F).
func (e *Edges) J() *ad.Var {
	if e.xj == nil {
		e.xj = e.SourceOf(e.x)
	}
	return e.xj
}

// I returns the target feature of every edge, x_i (NNZ x F).
func (e *Edges) I() *ad.Var {
	if e.xi == nil {
		e.xi = e.TargetOf(e.x)
	}
	return e.xi
}

// SourceOf gathers a per-node tensor v (one row per source) to edges by
// source.
func (e *Edges) SourceOf(v *ad.Var) *ad.Var { return e.t.Gather(v, e.a.Matrix().Indices) }

// TargetOf gathers a per-node tensor v (at least Rows rows) to edges by
// target.
func (e *Edges) TargetOf(v *ad.Var) *ad.Var { return e.t.Gather(v, e.a.RowOf()) }

// Weight returns the edge values as an NNZ x 1 constant (ones when the
// adjacency is unweighted).
func (e *Edges) Weight() *ad.Var {
	m := e.a.Matrix()
	w := tensor.New(e.a.NNZ(), 1)
	if m.Values != nil {
		copy(w.Data, m.Values)
	} else {
		w.Fill(1)
	}
	return e.t.Const(w)
}
