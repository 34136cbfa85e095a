package partition

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestReadGraphRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t, 7), 1))
	base := randomGraph(t, 300, 900, 40, r)
	for _, tc := range []struct {
		name string
		g    *Graph
	}{
		{"plain", base},
		{"weighted", withWeights(base, 9, 7, r)},
		{"vertex-weights", &Graph{Xadj: base.Xadj, Adjncy: base.Adjncy, VWgt: withWeights(base, 9, 1, r).VWgt}},
		{"edge-weights", &Graph{Xadj: base.Xadj, Adjncy: base.Adjncy, EWgt: withWeights(base, 1, 5, r).EWgt}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteGraph(&buf, tc.g); err != nil {
				t.Fatal(err)
			}
			got, err := ReadGraph(&buf, "x.graph")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Xadj, tc.g.Xadj) || !slices.Equal(got.Adjncy, tc.g.Adjncy) ||
				!slices.Equal(got.VWgt, tc.g.VWgt) || !slices.Equal(got.EWgt, tc.g.EWgt) {
				t.Fatal("round trip changed the graph")
			}
		})
	}
}

func TestReadGraphFormats(t *testing.T) {
	// A triangle plus a pendant vertex, with comments, sizes (ignored),
	// vertex weights and CRLF line ends.
	in := "% comment\r\n4 4 110\r\n9 1 2 3\n9 2 1 3\n% mid\n9 3 1 2 4\r\n9 4 3\n\n"
	g, err := ReadGraph(strings.NewReader(in), "m.graph")
	if err != nil {
		t.Fatal(err)
	}
	if g.NumNodes() != 4 || g.NumEdges() != 4 || g.VWgt[2] != 3 || g.EWgt != nil {
		t.Fatalf("got n=%d m=%d", g.NumNodes(), g.NumEdges())
	}
	// Isolated vertices are empty lines.
	g, err = ReadGraph(strings.NewReader("3 1\n2\n1\n\n"), "iso.graph")
	if err != nil || g.NumNodes() != 3 || g.Xadj[3] != 2 {
		t.Fatalf("isolated: %v %+v", err, g)
	}
}

func TestReadGraphErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"empty", "", 0, "no header"},
		{"header fields", "3\n", 1, "header"},
		{"header token", "3 x\n", 1, "not a non-negative integer"},
		{"fmt", "2 1 2\n2\n1\n", 1, "fmt 2"},
		{"ncon", "2 1 10 2\n1 1 2\n1 1 1\n", 1, "ncon 2"},
		{"short", "3 1\n2\n1\n", 3, "file ends after 2 of 3"},
		{"range", "2 1\n3\n1\n", 2, "out of range [1, 2]"},
		{"self loop", "2 1\n1\n2\n", 2, "self loop"},
		{"asymmetric", "3 1\n2\n3\n\n", 2, "does not list"},
		{"edge count", "3 2\n2\n1\n\n", 1, "header says 2 edges"},
		{"too many entries", "2 1\n2\n1 1\n", 3, "more adjacency entries"},
		{"missing edge weight", "2 1 1\n2 1\n1\n", 3, "no edge weight"},
		{"zero edge weight", "2 1 1\n2 0\n1 0\n", 2, "weight 0 out of range"},
		{"weight mismatch", "2 1 1\n2 3\n1 4\n", 2, "does not list"},
		{"extra line", "2 1\n2\n1\n5\n", 4, "extra line"},
		{"garbage", "2 1\n2\n1a\n", 3, "\"1a\""},
		{"missing vertex weight", "2 1 10\n\n1 1\n", 2, "missing weight"},
		{"huge", "2 1\n2\n99999999999999999999\n", 3, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadGraph(strings.NewReader(tt.in), "t.graph")
			var fe *FormatError
			if !errors.As(err, &fe) || !errors.Is(err, ErrFormat) {
				t.Fatalf("got %v, want a *FormatError", err)
			}
			if fe.Line != tt.line || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %q (line %d), want line %d and %q", err, fe.Line, tt.line, tt.msg)
			}
		})
	}
}

func TestPartFileRoundTrip(t *testing.T) {
	part := []int32{0, 3, 1, 1, 2, 0}
	var buf bytes.Buffer
	if err := WritePart(&buf, part); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPart(bytes.NewReader(buf.Bytes()), "p", len(part), 4)
	if err != nil || !slices.Equal(got, part) {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []struct {
		in   string
		line int
	}{{"0\n4\n", 2}, {"0\n1 2\n", 2}, {"0\nx\n", 2}, {"0\n", 0}, {"0\n1\n2\n", 3}} {
		_, err := ReadPart(strings.NewReader(bad.in), "p", 2, 4)
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Line != bad.line {
			t.Errorf("%q: got %v, want an error at line %d", bad.in, err, bad.line)
		}
	}
}

// FuzzReadGraph: any input either fails with a *FormatError or yields a
// valid graph that survives a write/read round trip.
func FuzzReadGraph(f *testing.F) {
	f.Add("3 2\n2\n1 3\n2\n")
	f.Add("2 1 1\n2 5\n1 5\n")
	f.Add("% c\n3 1 11\n1 2 4\n2 1 4\n1\n")
	f.Add("2 1\n2\n1\n")
	f.Add("0 0\n")
	f.Fuzz(func(t *testing.T, in string) {
		g, err := ReadGraph(strings.NewReader(in), "fuzz")
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("accepted graph is invalid: %v", err)
		}
		var buf bytes.Buffer
		if err := WriteGraph(&buf, g); err != nil {
			t.Fatal(err)
		}
		h, err := ReadGraph(&buf, "again")
		if err != nil {
			t.Fatalf("rewritten graph rejected: %v", err)
		}
		if !slices.Equal(g.Adjncy, h.Adjncy) || !slices.Equal(g.EWgt, h.EWgt) || !slices.Equal(g.VWgt, h.VWgt) {
			t.Fatal("round trip changed the graph")
		}
	})
}
