package dataset

import (
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Dataset is a node-classification data set held in memory.
//
// Graph holds the edges as the OGB raw files do: an undirected graph has
// both directions of every edge, each a separate line/edge with its own id
// (EdgeID nil, edge e has id e). Features is NumNodes x F (nil when the data
// set has no features), Labels has one class in [0, NumClasses) per node
// (nil when it has no labels). Split names node ids for training,
// validation and test.
type Dataset struct {
	Name       string
	Graph      graph.COO
	Features   *tensor.Dense
	Labels     []int32
	NumClasses int
	Split      Split
}

// Split is one train/valid/test assignment of node ids. Each list is
// ascending and the three are disjoint; nodes in none of them are unused.
type Split struct {
	Name               string
	Train, Valid, Test []int32
}

// NumNodes returns the number of nodes.
func (d *Dataset) NumNodes() int { return d.Graph.NumNodes }

// NumEdges returns the number of (directed) edges.
func (d *Dataset) NumEdges() int64 { return d.Graph.NumEdges() }

// NumFeatures returns the feature dimension (0 without features).
func (d *Dataset) NumFeatures() int {
	if d.Features == nil {
		return 0
	}
	return d.Features.Cols
}

// Validate checks that the parts agree: a valid graph, features with one
// row per node, labels in range, split ids in range, ascending and
// disjoint. It names the first offending node, class or split entry.
func (d *Dataset) Validate() error {
	n := d.Graph.NumNodes
	if err := d.Graph.Validate(); err != nil {
		return fmt.Errorf("dataset %s: %w", d.Name, err)
	}
	if d.Features != nil {
		if err := d.Features.Validate(); err != nil {
			return fmt.Errorf("dataset %s: features: %w", d.Name, err)
		}
		if d.Features.Rows != n {
			return fmt.Errorf("dataset %s: %d feature rows for %d nodes", d.Name, d.Features.Rows, n)
		}
	}
	if d.Labels != nil {
		if len(d.Labels) != n {
			return fmt.Errorf("dataset %s: %d labels for %d nodes", d.Name, len(d.Labels), n)
		}
		for v, y := range d.Labels {
			if y < 0 || int(y) >= d.NumClasses {
				return fmt.Errorf("dataset %s: node %d: label %d out of range [0, %d)", d.Name, v, y, d.NumClasses)
			}
		}
	}
	names := [...]string{"", "train", "valid", "test"}
	seen := make([]uint8, n)
	for p, ids := range [][]int32{d.Split.Train, d.Split.Valid, d.Split.Test} {
		part := struct {
			name string
			ids  []int32
		}{names[p+1], ids}
		for i, v := range part.ids {
			if v < 0 || int(v) >= n {
				return fmt.Errorf("dataset %s: split %s: %s entry %d: node %d out of range [0, %d)", d.Name, d.Split.Name, part.name, i, v, n)
			}
			if i > 0 && part.ids[i-1] >= v {
				return fmt.Errorf("dataset %s: split %s: %s entry %d: node %d not ascending after %d", d.Name, d.Split.Name, part.name, i, v, part.ids[i-1])
			}
			if other := seen[v]; other != 0 {
				return fmt.Errorf("dataset %s: split %s: node %d in both %s and %s", d.Name, d.Split.Name, v, names[other], part.name)
			}
			seen[v] = uint8(p + 1)
		}
	}
	return nil
}
