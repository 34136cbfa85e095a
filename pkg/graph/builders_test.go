package graph_test

import (
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/graph/graphtest"
)

// Every builder of the package runs the same conformance suite.
func TestBuilders(t *testing.T) {
	t.Run("COO.ToCSR", func(t *testing.T) {
		graphtest.TestCSRBuilder(t, func(c graph.COO) graph.CSR { return c.ToCSR() }, graphtest.Promise{Stable: true})
	})
	t.Run("SortedCSR", func(t *testing.T) {
		graphtest.TestCSRBuilder(t, graph.SortedCSR, graphtest.Promise{Sorted: true, Stable: true})
	})
	t.Run("CSC.Transpose", func(t *testing.T) {
		graphtest.TestCSRBuilder(t, func(c graph.COO) graph.CSR { g := c.ToCSC(); return g.Transpose() }, graphtest.Promise{Sorted: true, Stable: true})
	})
	t.Run("Sort.ToCSR", func(t *testing.T) {
		graphtest.TestCSRBuilder(t, func(c graph.COO) graph.CSR { s := graph.Sort(c); return s.ToCSR() }, graphtest.Promise{Sorted: true, Stable: true})
	})
	t.Run("COO.ToCSC", func(t *testing.T) {
		graphtest.TestCSCBuilder(t, func(c graph.COO) graph.CSC { return c.ToCSC() }, graphtest.Promise{Stable: true})
	})
	t.Run("SortedCSC", func(t *testing.T) {
		graphtest.TestCSCBuilder(t, graph.SortedCSC, graphtest.Promise{Sorted: true, Stable: true})
	})
	t.Run("CSR.Transpose", func(t *testing.T) {
		graphtest.TestCSCBuilder(t, func(c graph.COO) graph.CSC { g := c.ToCSR(); return g.Transpose() }, graphtest.Promise{Sorted: true, Stable: true})
	})
}
