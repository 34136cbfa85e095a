package f32

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkActivations times the unary activations on one thread, in
// cache (8k floats) and streaming through memory (200k x 128 floats).
func BenchmarkActivations(b *testing.B) {
	for _, n := range []int{8 << 10, 200_000 * 128} {
		r := rand.New(rand.NewPCG(1, uint64(n)))
		x, dst := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64() * 4)
		}
		stream := n > 1<<20
		for _, c := range []struct {
			name string
			f    func()
		}{
			{"Sigmoid", func() { Sigmoid(dst, x, stream) }},
			{"Tanh", func() { Tanh(dst, x, stream) }},
			{"Exp", func() { Exp(dst, x, stream) }},
		} {
			b.Run(fmt.Sprintf("%s/n=%d", c.name, n), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				for b.Loop() {
					c.f()
				}
			})
		}
	}
}

// BenchmarkStreamingStores compares regular and non-temporal stores for
// the memory-bound maps at 200k x 128 floats on one thread.
func BenchmarkStreamingStores(b *testing.B) {
	const n = 200_000 * 128
	x, y, dst := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], y[i] = float32(i%7)-3, float32(i%5)
	}
	for _, stream := range []bool{false, true} {
		b.Run(fmt.Sprintf("ReLU/stream=%v", stream), func(b *testing.B) {
			b.SetBytes(8 * n)
			for b.Loop() {
				ReLU(dst, x, stream)
			}
		})
		b.Run(fmt.Sprintf("VAdd/stream=%v", stream), func(b *testing.B) {
			b.SetBytes(12 * n)
			for b.Loop() {
				VAdd(dst, x, y, stream)
			}
		})
	}
}
