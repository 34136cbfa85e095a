package dataset

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Summary returns the report [Dataset.WriteSummary] writes.
func (d *Dataset) Summary() string {
	var b strings.Builder
	_ = d.WriteSummary(&b) // a strings.Builder does not fail
	return b.String()
}

// WriteSummary writes a human-readable report of d: node, edge, feature
// and class counts, in- and out-degree statistics, self loops, symmetry,
// edge homophily, class balance and split sizes. It takes time linear in
// the size of d (plus sorting the degrees).
func (d *Dataset) WriteSummary(w io.Writer) error {
	bw := bufio.NewWriter(w)
	n, m := d.NumNodes(), d.NumEdges()
	fmt.Fprintf(bw, "dataset %s\n", d.Name)
	fmt.Fprintf(bw, "  nodes        %d\n", n)
	fmt.Fprintf(bw, "  edges        %d (directed)\n", m)
	fmt.Fprintf(bw, "  features     %d\n", d.NumFeatures())
	fmt.Fprintf(bw, "  classes      %d\n", d.NumClasses)

	in := make([]int64, n)
	out := make([]int64, n)
	var loops int64
	var same int64
	for e, s := range d.Graph.Src {
		t := d.Graph.Dst[e]
		out[s]++
		in[t]++
		if s == t {
			loops++
		}
		if d.Labels != nil && d.Labels[s] == d.Labels[t] {
			same++
		}
	}
	writeDegrees(bw, "out-degree", out)
	writeDegrees(bw, "in-degree", in)
	var isolated int
	for v := range n {
		if in[v] == 0 && out[v] == 0 {
			isolated++
		}
	}
	fmt.Fprintf(bw, "  isolated     %d\n", isolated)
	fmt.Fprintf(bw, "  self loops   %d\n", loops)
	fmt.Fprintf(bw, "  symmetric    %v\n", symmetric(d))
	if d.Labels != nil && m > 0 {
		fmt.Fprintf(bw, "  homophily    %.4f (share of edges joining same-class nodes)\n", float64(same)/float64(m))
	}
	if d.Labels != nil {
		count := make([]int, d.NumClasses)
		for _, y := range d.Labels {
			if y >= 0 && int(y) < len(count) {
				count[y]++
			}
		}
		fmt.Fprintf(bw, "  class sizes ")
		for c, k := range count {
			fmt.Fprintf(bw, " %d:%d", c, k)
		}
		fmt.Fprintf(bw, "\n")
		if len(count) > 0 && n > 0 {
			fmt.Fprintf(bw, "  class balance min %.3f / max %.3f of nodes\n",
				float64(slices.Min(count))/float64(n), float64(slices.Max(count))/float64(n))
		}
	}
	s := d.Split
	fmt.Fprintf(bw, "  split        %q: train %d / valid %d / test %d\n", s.Name, len(s.Train), len(s.Valid), len(s.Test))
	return bw.Flush()
}

func writeDegrees(w io.Writer, name string, deg []int64) {
	if len(deg) == 0 {
		fmt.Fprintf(w, "  %-12s -\n", name)
		return
	}
	sorted := slices.Clone(deg)
	slices.Sort(sorted)
	var sum int64
	for _, x := range sorted {
		sum += x
	}
	q := func(p float64) int64 { return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))] }
	fmt.Fprintf(w, "  %-12s min %d / median %d / mean %.2f / p99 %d / max %d\n",
		name, sorted[0], q(0.5), float64(sum)/float64(len(sorted)), q(0.99), sorted[len(sorted)-1])
}

// symmetric reports whether every edge (u, v) has a reverse (v, u), as a
// multiset check: the sorted (src, dst) pairs equal the sorted (dst, src)
// pairs.
func symmetric(d *Dataset) bool {
	g := d.Graph
	m := len(g.Src)
	fwd := make([]uint64, m)
	rev := make([]uint64, m)
	for e := range m {
		s, t := uint64(uint32(g.Src[e])), uint64(uint32(g.Dst[e]))
		fwd[e] = s<<32 | t
		rev[e] = t<<32 | s
	}
	slices.Sort(fwd)
	slices.Sort(rev)
	return slices.Equal(fwd, rev)
}
