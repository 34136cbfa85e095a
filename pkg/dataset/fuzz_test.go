package dataset

import (
	"bytes"
	"errors"
	gzip "github.com/klauspost/compress/gzip"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// refLines splits text into lines as the readers do.
func refLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// refID is the plain reference for node ids and labels.
func refID(f string, limit int64) (int32, bool) {
	if f == "" || len(f) > 18 || strings.TrimLeft(f, "0123456789") != "" {
		return 0, false
	}
	x, err := strconv.ParseInt(f, 10, 64)
	if err != nil || x > math.MaxInt32 || (limit >= 0 && x >= limit) {
		return 0, false
	}
	return int32(x), true
}

func FuzzEdgeReader(f *testing.F) {
	f.Add([]byte("0,1\n1,0\n"), 2)
	f.Add([]byte("3,4\r\n4,3"), -1)
	f.Add([]byte("1,2,3\n"), 5)
	f.Add([]byte("-1,2\n"), 5)
	f.Add([]byte("99999999999,1\n"), -1)
	f.Add([]byte("\n\n"), 3)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		n %= 1000
		var want [][2]int32
		ok := true
		for _, l := range refLines(string(data)) {
			fs := strings.Split(l, ",")
			if len(fs) != 2 {
				ok = false
				break
			}
			s, ok1 := refID(fs[0], int64(n))
			d, ok2 := refID(fs[1], int64(n))
			if !ok1 || !ok2 {
				ok = false
				break
			}
			want = append(want, [2]int32{s, d})
		}
		r := NewEdgeReader(bytes.NewReader(data), "fuzz", n)
		src, dst := make([]int32, 3), make([]int32, 3)
		var got [][2]int32
		var err error
		for {
			var k int
			k, err = r.Read(src, dst)
			for i := range k {
				got = append(got, [2]int32{src[i], dst[i]})
			}
			if err != nil {
				break
			}
		}
		if err == io.EOF {
			err = nil
		}
		checkAgainstRef(t, ok, err, len(got), len(want))
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("edge %d = %v, want %v", i, got[i], want[i])
			}
		}
	})
}

func FuzzFeatureReader(f *testing.F) {
	f.Add([]byte("0,1,0.5\n1,0,-2.25\n"), 3)
	f.Add([]byte("0.125,1e-3,3\n-1.5,2,1E2\n"), 0)
	f.Add([]byte("1.,.5,-0\n+1,0x1p-2,16777217\n"), 3)
	f.Add([]byte("nan,inf,1\n"), 3)
	f.Add([]byte("0.1234567,3.4028236e38,1e-46\n"), 3)
	f.Add([]byte("1,,2\n"), 3)
	f.Fuzz(func(t *testing.T, data []byte, dim int) {
		dim %= 50
		lines := refLines(string(data))
		wantDim := dim
		if wantDim <= 0 && len(lines) > 0 {
			wantDim = len(strings.Split(lines[0], ","))
		}
		var want []float32
		ok := true
		for li, l := range lines {
			if li == 0 && dim <= 0 && l == "" {
				ok = false
				break
			}
			fs := strings.Split(l, ",")
			if len(fs) != wantDim {
				ok = false
				break
			}
			for _, s := range fs {
				v, err := strconv.ParseFloat(s, 32)
				if (err != nil && !errors.Is(err, strconv.ErrRange)) || math.IsNaN(v) || math.IsInf(v, 0) {
					ok = false
					break
				}
				want = append(want, float32(v))
			}
			if !ok {
				break
			}
		}
		r := NewFeatureReader(bytes.NewReader(data), "fuzz", dim)
		var got []float32
		var err error
		d, err := r.Dim()
		if err == nil {
			if d != wantDim {
				t.Fatalf("Dim = %d, want %d", d, wantDim)
			}
			buf := tensor.New(2, d)
			for {
				var k int
				k, err = r.Read(buf)
				got = append(got, buf.Data[:k*d]...)
				if err != nil {
					break
				}
			}
		}
		if err == io.EOF {
			err = nil
		}
		checkAgainstRef(t, ok, err, len(got), len(want))
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("value %d = %g (%#x), want %g (%#x)", i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
			}
		}
	})
}

func FuzzIntReader(f *testing.F) {
	f.Add([]byte("0\n1\n2\n"), int64(3))
	f.Add([]byte("5\n"), int64(3))
	f.Add([]byte("1,2\n"), int64(-1))
	f.Add([]byte("-0\n"), int64(0))
	f.Fuzz(func(t *testing.T, data []byte, limit int64) {
		limit %= 1 << 40
		var want []int32
		ok := true
		for _, l := range refLines(string(data)) {
			v, good := refID(l, limit)
			if !good {
				ok = false
				break
			}
			want = append(want, v)
		}
		r := NewIntReader(bytes.NewReader(data), "fuzz", limit, "value")
		buf := make([]int32, 2)
		var got []int32
		var err error
		for {
			var k int
			k, err = r.Read(buf)
			got = append(got, buf[:k]...)
			if err != nil {
				break
			}
		}
		if err == io.EOF {
			err = nil
		}
		checkAgainstRef(t, ok, err, len(got), len(want))
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("value %d = %d, want %d", i, got[i], want[i])
			}
		}
	})
}

// FuzzGzipEdges feeds arbitrary bytes as a gzip stream: every failure must
// be a *Error, never a panic.
func FuzzGzipEdges(f *testing.F) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte("0,1\n1,0\n"))
	zw.Close()
	good := b.Bytes()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(append(append([]byte{}, good...), good...))
	bad := append([]byte{}, good...)
	bad[len(bad)-5] ^= 1
	f.Add(bad)
	f.Fuzz(func(t *testing.T, data []byte) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		r := NewEdgeReader(zr, "fuzz.gz", -1)
		src, dst := make([]int32, 4), make([]int32, 4)
		for {
			_, err = r.Read(src, dst)
			if err != nil {
				break
			}
		}
		var de *Error
		if err != io.EOF && !errors.As(err, &de) {
			t.Fatalf("error %v (%T) is not a *Error", err, err)
		}
	})
}

// checkAgainstRef compares success and the value count with the reference.
// On failure the reader must return a *Error with a line number; the
// values before the bad line must match the reference's prefix.
func checkAgainstRef(t *testing.T, refOK bool, err error, got, want int) {
	t.Helper()
	if refOK {
		if err != nil {
			t.Fatalf("reader failed on input the reference accepts: %v", err)
		}
		if got != want {
			t.Fatalf("%d values, reference %d", got, want)
		}
		return
	}
	if err == nil {
		t.Fatalf("reader accepted input the reference rejects (%d values)", got)
	}
	var de *Error
	if !errors.As(err, &de) || de.Line < 1 {
		t.Fatalf("error %v is not a *Error with a line", err)
	}
	if got > want {
		t.Fatalf("%d values before the error, reference parsed %d", got, want)
	}
}
