package autodiff

// pool keeps released float32 buffers by length, so that a training loop,
// which asks for the same shapes every step, stops allocating after the
// first one. It is owned by one Tape and not safe for concurrent use.
type pool struct {
	free map[int][][]float32
}

func newPool() pool { return pool{free: make(map[int][][]float32)} }

// get returns a buffer of length n with undefined contents.
func (p *pool) get(n int) []float32 {
	if n == 0 {
		return nil
	}
	if l := p.free[n]; len(l) > 0 {
		b := l[len(l)-1]
		l[len(l)-1] = nil
		p.free[n] = l[:len(l)-1]
		return b
	}
	return make([]float32, n)
}

// put returns b to the pool; b must not be used afterwards.
func (p *pool) put(b []float32) {
	if len(b) == 0 {
		return
	}
	b = b[:len(b):len(b)]
	p.free[len(b)] = append(p.free[len(b)], b)
}

// bytes returns the memory the pool holds, for tests and metrics.
func (p *pool) bytes() int64 {
	var n int64
	for k, l := range p.free {
		n += int64(k) * int64(len(l)) * 4
	}
	return n
}
