package dataset

import (
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// TestDefaultSBMLearnable checks the default data's promise with a cheap
// stand-in for GCN vs MLP: a nearest-class-mean classifier fitted on the
// train split, applied to the raw features (what an MLP sees) and to the
// features propagated twice with the GCN matrix (SGC, Wu et al. 2019, a
// linearised 2-layer GCN). Propagation must help a lot; neither may be
// trivial. (docs/datasets.md has the real GCN/MLP numbers.)
func TestDefaultSBMLearnable(t *testing.T) {
	ds, err := SBM(DefaultSBM())
	if err != nil {
		t.Fatal(err)
	}
	raw := centroidAccuracy(ds, ds.Features)
	norm := graph.GCNNorm(ds.Graph)
	x := ds.Features
	for range 2 {
		x = propagate(norm, x)
	}
	prop := centroidAccuracy(ds, x)
	t.Logf("nearest class mean test accuracy: raw features %.3f, 2-hop propagated %.3f", raw, prop)
	if raw > 0.5 || raw < 1.5/float64(ds.NumClasses) {
		t.Errorf("raw-feature accuracy %.3f: features alone should be weak but informative", raw)
	}
	if prop < 0.75 || prop > 0.95 {
		t.Errorf("propagated accuracy %.3f outside [0.75, 0.95]", prop)
	}
	if prop-raw < 0.3 {
		t.Errorf("propagation gains only %.3f", prop-raw)
	}
}

// propagate returns A x for the weighted edge list A (dst += w * x[src]).
func propagate(a graph.COO, x *tensor.Dense) *tensor.Dense {
	out := tensor.New(x.Rows, x.Cols)
	for e, s := range a.Src {
		w := a.Weight[e]
		dst, src := out.Row(int(a.Dst[e])), x.Row(int(s))
		for j := range dst {
			dst[j] += w * src[j]
		}
	}
	return out
}

// centroidAccuracy fits class means on the train split and returns the
// accuracy of the nearest mean on the test split.
func centroidAccuracy(ds *Dataset, x *tensor.Dense) float64 {
	k, f := ds.NumClasses, x.Cols
	mean := make([]float64, k*f)
	cnt := make([]float64, k)
	for _, v := range ds.Split.Train {
		y := int(ds.Labels[v])
		cnt[y]++
		for j, val := range x.Row(int(v)) {
			mean[y*f+j] += float64(val)
		}
	}
	for c := range k {
		for j := range f {
			mean[c*f+j] /= max(cnt[c], 1)
		}
	}
	correct := 0
	for _, v := range ds.Split.Test {
		best, bestD := -1, 0.0
		row := x.Row(int(v))
		for c := range k {
			var d float64
			for j, val := range row {
				diff := float64(val) - mean[c*f+j]
				d += diff * diff
			}
			if best < 0 || d < bestD {
				best, bestD = c, d
			}
		}
		if best == int(ds.Labels[v]) {
			correct++
		}
	}
	return float64(correct) / float64(len(ds.Split.Test))
}
