package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestFastFloatMatchesStrconv checks the float fast path bit for bit
// against strconv.ParseFloat(s, 32) on many decimal spellings, including
// float32 midpoints and values near the subnormal and overflow limits.
func TestFastFloatMatchesStrconv(t *testing.T) {
	seed := uint64(20261122)
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	var inputs []string
	for range 60000 {
		f := math.Float32frombits(r.Uint32())
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			continue
		}
		inputs = append(inputs,
			strconv.FormatFloat(float64(f), 'g', -1, 32),
			strconv.FormatFloat(float64(f), 'e', r.IntN(18), 64),
			strconv.FormatFloat(float64(f), 'f', r.IntN(12), 64),
		)
		// Exact midpoint between f and its successor, as a decimal.
		next := math.Nextafter32(f, float32(math.Inf(1)))
		mid := (float64(f) + float64(next)) / 2
		inputs = append(inputs, strconv.FormatFloat(mid, 'g', -1, 64), strconv.FormatFloat(mid, 'e', 16, 64))
		// Random short decimals with exponents.
		inputs = append(inputs, fmt.Sprintf("%d.%de%d", r.IntN(1e6), r.IntN(1e9), r.IntN(60)-30))
	}
	inputs = append(inputs, "16777217", "16777219", "33554434", "-16777217", "0.0", "-0", "1e-38", "1.17549435e-38",
		"1.1754942e-38", "3.4028235e38", "3.4028236e38", "9007199254740993", "123456789012345678", "1e22", "1e-22")
	var fast int
	for _, s := range inputs {
		want, err := strconv.ParseFloat(s, 32)
		if err != nil && err.(*strconv.NumError).Err != strconv.ErrRange {
			t.Fatalf("reference rejects %q: %v", s, err)
		}
		v, n, ok := fastFloat([]byte(s))
		if !ok {
			continue
		}
		fast++
		if n != len(s) || math.Float32bits(v) != math.Float32bits(float32(want)) {
			t.Fatalf("%q: fast path %g (%#x, %d bytes), strconv %g (%#x)", s, v, math.Float32bits(v), n, want, math.Float32bits(float32(want)))
		}
	}
	t.Logf("%d of %d inputs took the fast path", fast, len(inputs))
	// Typical features (shortest spellings of N(0, 1) values) should
	// nearly all take it.
	typical := 0
	for range 10000 {
		s := strconv.FormatFloat(float64(float32(r.NormFloat64())), 'g', -1, 32)
		if _, _, ok := fastFloat([]byte(s)); ok {
			typical++
		}
	}
	if typical < 9900 {
		t.Errorf("fast path taken for only %d of 10000 typical values", typical)
	}
}
