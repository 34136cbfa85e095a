// Package synth defines the synthetic feature values of the store
// benchmarks: value (row, col) is a pure function of (seed, row, col), so a
// reader verifies what it reads without the file it was written from.
package synth

import "math"

// Value returns element (row, col) of the synthetic matrix: a uniform
// float32 in [-1, 1) from SplitMix64 of (seed, row, col).
func Value(seed uint64, row int64, col int) float32 {
	x := seed ^ uint64(row)*0x9e3779b97f4a7c15 ^ uint64(col)*0xbf58476d1ce4e5b9
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	x ^= x >> 31
	return float32(math.Ldexp(float64(x>>40), -23)) - 1 // 24 random bits
}

// Fill writes rows [lo, lo+len(dst)/cols) into dst.
func Fill(dst []float32, seed uint64, lo int64, cols int) {
	for i := 0; i < len(dst)/cols; i++ {
		for j := 0; j < cols; j++ {
			dst[i*cols+j] = Value(seed, lo+int64(i), j)
		}
	}
}
