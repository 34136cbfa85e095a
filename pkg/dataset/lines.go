package dataset

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"github.com/klauspost/compress/flate"
	gzip "github.com/klauspost/compress/gzip"
	"io"
	"math"
	"strconv"
)

// lineReader yields the lines of a text stream without terminators ("\n"
// or "\r\n"), counting them, without allocating per line. A last line
// without "\n" is accepted. Errors of the underlying (gzip) stream become
// *Error values wrapping ErrTruncated or ErrCorrupt.
type lineReader struct {
	path string
	br   *bufio.Reader
	line int64 // number of the line last returned (1-based)
	long []byte
}

const readBufSize = 256 << 10

func newLineReader(r io.Reader, path string) *lineReader {
	return &lineReader{path: path, br: bufio.NewReaderSize(r, readBufSize)}
}

// next returns the next line, valid until the following call, or io.EOF
// after the last one.
func (l *lineReader) next() ([]byte, error) {
	b, err := l.br.ReadSlice('\n')
	if err == nil {
		l.line++
		return trimCR(b[:len(b)-1]), nil
	}
	if err == bufio.ErrBufferFull {
		l.long = append(l.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = l.br.ReadSlice('\n')
			l.long = append(l.long, b...)
		}
		if err == nil {
			l.line++
			return trimCR(l.long[:len(l.long)-1]), nil
		}
		b = l.long
	}
	if err == io.EOF {
		if len(b) == 0 {
			return nil, io.EOF
		}
		l.line++
		return trimCR(b), nil
	}
	return nil, streamErr(l.path, l.line+1, err)
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// streamErr classifies an error of the byte stream at a line.
func streamErr(path string, line int64, err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Path: path, Line: line, Err: fmt.Errorf("%w: compressed stream ends early", ErrTruncated)}
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.As(err, &corrupt):
		return &Error{Path: path, Line: line, Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
	}
	var de *Error
	if errors.As(err, &de) {
		return err
	}
	return &Error{Path: path, Line: line, Err: err}
}

// parseUint parses a non-empty run of at most 18 decimal digits.
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var x uint64
	for _, c := range b {
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		x = x*10 + uint64(d)
	}
	return x, true
}

// parseID parses a node id or class in [0, limit) (limit < 0: no upper
// bound beyond int32), naming field f of line in errors.
func (l *lineReader) parseID(b []byte, f int, limit int64, what string) (int32, error) {
	x, ok := parseUint(b)
	if !ok {
		if len(b) > 1 && b[0] == '-' {
			if _, ok := parseUint(b[1:]); ok {
				return 0, fieldErr(l.path, l.line, f, ErrRange, "negative %s %s", what, b)
			}
		}
		return 0, fieldErr(l.path, l.line, f, ErrSyntax, "%s %s is not a non-negative integer", what, quote(b))
	}
	if x > math.MaxInt32 || (limit >= 0 && int64(x) >= limit) {
		if limit < 0 {
			limit = math.MaxInt32
		}
		return 0, fieldErr(l.path, l.line, f, ErrRange, "%s %d out of range [0, %d)", what, x, limit)
	}
	return int32(x), nil
}

// quote renders a field for a message, shortened if long.
func quote(b []byte) string {
	if len(b) > 40 {
		return strconv.Quote(string(b[:40])) + "..."
	}
	return strconv.Quote(string(b))
}

// pow10 holds the powers of ten exact in float64.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloatRow parses exactly len(dst) comma-separated float32 fields of
// line b into dst, without allocating.
//
// Decimals with at most 19 significant digits and a decimal exponent
// within +-22 take an exact fast path (Clinger's): the mantissa (< 2^53)
// and the power of ten are exact float64 values, so one IEEE multiply or
// divide gives the correctly rounded float64 r. Rounding r to float32 then
// equals rounding the decimal to float32 unless r is exactly halfway
// between two float32 values (no float32 midpoint can lie strictly between
// the decimal and r, since midpoints are float64 values and r is the
// nearest one); that case, subnormal and overflowing results go through
// strconv.ParseFloat, as does anything else. So every value equals
// strconv.ParseFloat(field, 32). Non-finite values are rejected.
func parseFloatRow(path string, line int64, b []byte, dst []float32) error {
	i := 0
	last := len(dst) - 1
	for j := range dst {
		// Fastest path: a one-digit field (binary bag-of-words features).
		if i+1 < len(b) && b[i]-'0' <= 9 && b[i+1] == ',' && j < last {
			dst[j] = float32(b[i] - '0')
			i += 2
			continue
		}
		start := i
		if v, n, ok := fastFloat(b[i:]); ok {
			dst[j] = v
			i += n
		} else {
			end := bytes.IndexByte(b[start:], ',')
			if end < 0 {
				end = len(b)
			} else {
				end += start
			}
			field := b[start:end]
			if len(field) == 0 {
				return fieldErr(path, line, j+1, ErrSchema, "empty field (want %d features)", len(dst))
			}
			v, err := strconv.ParseFloat(string(field), 32)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return fieldErr(path, line, j+1, ErrSyntax, "%s is not a number", quote(field))
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fieldErr(path, line, j+1, ErrRange, "non-finite feature %s", quote(field))
			}
			dst[j] = float32(v)
			i = end
		}
		if j < last {
			if i >= len(b) {
				return fieldErr(path, line, 0, ErrSchema, "%d fields, want %d", j+1, len(dst))
			}
			i++ // the comma
		}
	}
	if i < len(b) {
		return fieldErr(path, line, 0, ErrSchema, "%d fields, want %d", countFields(b), len(dst))
	}
	return nil
}

// fastFloat parses the field at the start of b (ending at ',' or the end
// of b) on the exact fast path described at parseFloatRow, returning the
// value and the field's length, or ok == false to use strconv.
func fastFloat(b []byte) (v float32, n int, ok bool) {
	i := 0
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	var mant uint64
	nd, frac := 0, 0
	for i < len(b) && b[i]-'0' <= 9 && nd < 19 {
		mant = mant*10 + uint64(b[i]-'0')
		nd++
		i++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && b[i]-'0' <= 9 && nd < 19 {
			mant = mant*10 + uint64(b[i]-'0')
			nd++
			frac++
			i++
		}
	}
	if nd == 0 {
		return 0, 0, false
	}
	exp := 0
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			eneg = b[i] == '-'
			i++
		}
		ed := 0
		for i < len(b) && b[i]-'0' <= 9 && ed < 4 {
			exp = exp*10 + int(b[i]-'0')
			ed++
			i++
		}
		if ed == 0 {
			return 0, 0, false
		}
		if eneg {
			exp = -exp
		}
	}
	if i < len(b) && b[i] != ',' {
		return 0, 0, false
	}
	e10 := exp - frac
	if mant >= 1<<53 || e10 < -22 || e10 > 22 {
		return 0, 0, false
	}
	r := float64(mant)
	if e10 > 0 {
		r *= pow10[e10]
	} else if e10 < 0 {
		r /= pow10[-e10]
	}
	if r != 0 {
		// Subnormal or overflowing float32, or exactly a float32 midpoint.
		if r < 0x1p-126 || r > math.MaxFloat32 || math.Float64bits(r)&(1<<29-1) == 1<<28 {
			return 0, 0, false
		}
	}
	v = float32(r)
	if neg {
		v = -v
	}
	return v, i, true
}

// countFields returns the number of comma-separated fields of b.
func countFields(b []byte) int { return bytes.Count(b, []byte{','}) + 1 }
