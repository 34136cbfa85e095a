package partition

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// sameRead fails unless the parallel reader (blocks of blockSize bytes)
// and the sequential reference agree on in: the same graph, or errors
// with the same line and message.
func sameRead(t *testing.T, in string, blockSize int) {
	t.Helper()
	want, werr := readGraphSeq(strings.NewReader(in), "t.graph")
	got, gerr := readGraph(strings.NewReader(in), "t.graph", -1, blockSize)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("block %d: reference error %v, parallel error %v\ninput %q", blockSize, werr, gerr, in)
	}
	if werr != nil {
		var wf, gf *FormatError
		if !errors.As(werr, &wf) || !errors.As(gerr, &gf) {
			t.Fatalf("block %d: errors %v / %v are not both *FormatError", blockSize, werr, gerr)
		}
		if wf.Line != gf.Line || wf.Msg != gf.Msg {
			t.Fatalf("block %d: reference %q (line %d), parallel %q (line %d)\ninput %q", blockSize, werr, wf.Line, gerr, gf.Line, in)
		}
		return
	}
	if !slices.Equal(got.Xadj, want.Xadj) || !slices.Equal(got.Adjncy, want.Adjncy) ||
		!slices.Equal(got.VWgt, want.VWgt) || !slices.Equal(got.EWgt, want.EWgt) {
		t.Fatalf("block %d: graphs differ\ninput %q", blockSize, in)
	}
}

// TestReadGraphMatchesSequential compares the parallel reader with the
// one-line-at-a-time reference on written graphs (plain and weighted,
// with comment lines, CRLF ends, trailing blank lines) and on random
// corruptions of them, with blocks from one byte (every line longer than
// a block) to larger than the file, on one to three goroutines.
func TestReadGraphMatchesSequential(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t, 21), 21))
	base := randomGraph(t, 60, 150, 8, r)
	var inputs []string
	for _, g := range []*Graph{base, withWeights(base, 9, 7, r), {Xadj: base.Xadj, Adjncy: base.Adjncy, EWgt: withWeights(base, 1, 5, r).EWgt}} {
		var buf bytes.Buffer
		if err := WriteGraph(&buf, g); err != nil {
			t.Fatal(err)
		}
		s := buf.String()
		inputs = append(inputs, s, "% lead\n"+s+"\n\n% tail\n", strings.ReplaceAll(s, "\n", "\r\n"), strings.TrimSuffix(s, "\n"))
		lines := strings.SplitAfter(s, "\n")
		for range 3 { // comments between vertex lines
			i := 1 + r.IntN(len(lines)-1)
			lines = slices.Insert(lines, i, "% c\n")
		}
		inputs = append(inputs, strings.Join(lines, ""))
	}
	const alphabet = "0123456789 \n%x-\r"
	valid := len(inputs)
	for i := range 300 {
		b := []byte(inputs[i%valid])
		for range 1 + r.IntN(3) {
			if len(b) == 0 {
				break
			}
			p := r.IntN(len(b))
			switch r.IntN(4) {
			case 0: // replace a byte
				b[p] = alphabet[r.IntN(len(alphabet))]
			case 1: // delete one
				b = slices.Delete(b, p, p+1)
			case 2: // insert one
				b = slices.Insert(b, p, alphabet[r.IntN(len(alphabet))])
			case 3: // cut the file
				b = b[:p]
			}
		}
		inputs = append(inputs, string(b))
	}
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		for _, in := range inputs {
			for _, bs := range []int{1, 7, 64, 4096} {
				sameRead(t, in, bs)
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

// errReader fails after handing out its data.
type errReader struct{ data []byte }

func (e *errReader) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, errors.New("disk on fire")
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

// TestReadGraphReadError: a failing reader gives its error, wrapped with
// the name, and no goroutine is left behind (TestMain's goleak check).
func TestReadGraphReadError(t *testing.T) {
	in := "3 2\n2\n1 3\n" // the third line never arrives
	for _, bs := range []int{1, 4, 4096} {
		_, err := readGraph(&errReader{data: []byte(in)}, "x.graph", -1, bs)
		if err == nil || !strings.Contains(err.Error(), "read x.graph") || !strings.Contains(err.Error(), "disk on fire") {
			t.Fatalf("block %d: got %v, want the read error", bs, err)
		}
	}
}

// FuzzReadGraphParallel: the parallel reader agrees with the sequential
// reference on any input and block size.
func FuzzReadGraphParallel(f *testing.F) {
	f.Add("3 2\n2\n1 3\n2\n", uint8(3))
	f.Add("2 1 1\n2 5\n1 5\n", uint8(0))
	f.Add("% c\n3 1 11\n1 2 4\n2 1 4\n1\n", uint8(9))
	f.Add("2 1\n2\n1\n5\n", uint8(1))
	f.Add("3 1 10\n1 2\n\n1 1\n", uint8(2))
	f.Fuzz(func(t *testing.T, in string, bs uint8) {
		sameRead(t, in, int(bs)+1)
	})
}
