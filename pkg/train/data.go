package train

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Data is a node-classification problem ready for full-batch training:
// the in-neighbour adjacency (targets x sources), features, labels and
// split.
type Data struct {
	Name string
	Adj  *ad.Sparse
	// CSC is the graph Adj was built from (in-neighbours, duplicate edges
	// removed), for samplers; Adj shares its arrays.
	CSC *graph.CSC
	X   *tensor.Dense
	// XSparse is X's sparse form when X is mostly zeros (bag-of-words
	// features), nil otherwise; layers then multiply it with SpMM.
	XSparse    *ad.Sparse
	Labels     []int32
	NumClasses int
	Split      dataset.Split
	NumEdges   int64
}

// LoadData loads or generates the data set c describes.
func LoadData(ctx context.Context, c DatasetConfig) (*Data, error) {
	var ds *dataset.Dataset
	var err error
	switch c.Generator {
	case "sbm":
		ds, err = dataset.SBM(c.SBM.toDataset(c.Name))
	default:
		ds, err = dataset.Load(ctx, filepath.Join(c.Root, c.Name), &dataset.LoadOptions{Split: c.Split})
	}
	if err != nil {
		return nil, fmt.Errorf("train: dataset %s: %w", c.Name, err)
	}
	return FromDataset(ds, c.NormalizeFeatures)
}

func (s SBMConfig) toDataset(name string) dataset.SBMConfig {
	d := dataset.DefaultSBM()
	d.Name = name
	set := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	setF := func(dst *float64, v float64) {
		if v != 0 {
			*dst = v
		}
	}
	set(&d.NumNodes, s.Nodes)
	set(&d.NumClasses, s.Classes)
	set(&d.NumFeatures, s.Features)
	setF(&d.AvgDegree, s.AvgDegree)
	setF(&d.Homophily, s.Homophily)
	setF(&d.Signal, s.Signal)
	setF(&d.TrainFrac, s.TrainFrac)
	setF(&d.ValidFrac, s.ValidFrac)
	if s.Seed != 0 {
		d.Seed = s.Seed
	}
	return d
}

// FromDataset builds Data from a loaded data set: duplicate edges removed,
// the CSC (in-neighbour) adjacency, features optionally row-normalised.
// It needs features, labels and a non-empty training split.
func FromDataset(ds *dataset.Dataset, normalize bool) (*Data, error) {
	if err := ds.Validate(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	switch {
	case ds.Features == nil:
		return nil, fmt.Errorf("train: dataset %s has no features", ds.Name)
	case ds.Labels == nil:
		return nil, fmt.Errorf("train: dataset %s has no labels", ds.Name)
	case len(ds.Split.Train) == 0:
		return nil, fmt.Errorf("train: dataset %s: split %q has no training nodes", ds.Name, ds.Split.Name)
	}
	csc := graph.SortedCSC(graph.Coalesce(ds.Graph))
	m := csc.Matrix()
	m.Values = nil
	adj, err := ad.NewSparse(m)
	if err != nil {
		return nil, fmt.Errorf("train: dataset %s: %w", ds.Name, err)
	}
	x := ds.Features
	if normalize {
		x = NormalizeFeatures(x)
	}
	d := &Data{
		Name: ds.Name, Adj: adj, CSC: &csc, X: x, Labels: ds.Labels, NumClasses: ds.NumClasses,
		Split: ds.Split, NumEdges: int64(adj.NNZ()),
	}
	if density(x) < sparseBelow {
		d.XSparse = ad.FeatureCSR(x)
	}
	return d, nil
}

// sparseBelow is the feature density under which the sparse form is used.
const sparseBelow = 0.1

// density returns the fraction of non-zero elements of x.
func density(x *tensor.Dense) float64 {
	nz := 0
	for i := 0; i < x.Rows; i++ {
		for _, v := range x.Row(i) {
			if v != 0 {
				nz++
			}
		}
	}
	return float64(nz) / float64(max(x.Rows*x.Cols, 1))
}

// Input returns the features as a tape constant, with the sparse form
// attached when there is one.
func (d *Data) Input(tp *ad.Tape) *ad.Var {
	if d.XSparse != nil {
		return tp.ConstSparse(d.X, d.XSparse)
	}
	return tp.Const(d.X)
}

// NormalizeFeatures returns x minus its minimum element, with every row
// divided by its sum clamped to at least 1: PyG's NormalizeFeatures
// transform (for non-negative features with a zero, just the row
// normalisation).
func NormalizeFeatures(x *tensor.Dense) *tensor.Dense {
	out := x.Clone()
	if out.Rows == 0 || out.Cols == 0 {
		return out
	}
	lo := out.At(0, 0)
	for i := 0; i < out.Rows; i++ {
		for _, v := range out.Row(i) {
			lo = min(lo, v)
		}
	}
	for i := 0; i < out.Rows; i++ {
		r := out.Row(i)
		var s float64
		for j := range r {
			r[j] -= lo
			s += float64(r[j])
		}
		if s < 1 {
			s = 1
		}
		for j := range r {
			r[j] = float32(float64(r[j]) / s)
		}
	}
	return out
}
