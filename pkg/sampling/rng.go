package sampling

import "math/bits"

// rng is a small, fast generator (wyrand) used on the sampling hot path.
// Streams are derived by hashing, never by sharing one generator, so every
// random choice depends only on its position in (seed, epoch, batch, hop,
// node), not on scheduling.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// intn returns a uniform integer in [0, n), n > 0, without bias (Lemire's
// multiply-and-reject method).
func (r *rng) intn(n uint64) uint64 {
	hi, lo := bits.Mul64(r.next(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.next(), n)
		}
	}
	return hi
}

// float64 returns a uniform float in (0, 1]: never 0, so its logarithm is
// finite.
func (r *rng) float64() float64 {
	return float64(r.next()>>11+1) / (1 << 53)
}

// mix is the splitmix64 finaliser, a bijective hash of 64 bits.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// derive hashes a parent seed with one more coordinate (epoch, batch, hop,
// node, ...), giving an independent child seed.
func derive(seed, coord uint64) uint64 {
	return mix(seed ^ mix(coord+0x9e3779b97f4a7c15))
}

// BatchSeed returns the seed of batch b in epoch e of a run seeded with
// seed. Samplers called with this seed give the same output wherever and
// whenever they run.
func BatchSeed(seed uint64, epoch, batch int) uint64 {
	return derive(derive(seed, uint64(epoch)), uint64(batch))
}

// nodeRNG returns the stream for one frontier entry of a hop.
func nodeRNG(hopSeed uint64, v int32, tag int32) rng {
	return rng{s: mix(hopSeed ^ mix(uint64(uint32(v))|uint64(uint32(tag))<<32))}
}
