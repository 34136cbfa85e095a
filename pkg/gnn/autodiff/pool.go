package autodiff

// pool keeps released float32 buffers by length, so that a training loop,
// which asks for the same shapes every step, stops allocating after the
// first one. It is owned by one Tape and not safe for concurrent use.
type pool struct {
	free map[int][][]float32
	held int64 // bytes in free
	used int64 // bytes handed out since the last trim
}

func newPool() pool { return pool{free: make(map[int][][]float32)} }

// trim drops free buffers while the pool holds more than twice what the
// last step used (plus slack), so a loop whose shapes change (mini-batches
// of varying size) does not keep every size it ever saw.
func (p *pool) trim() {
	const slack = 64 << 20
	limit := 2*p.used + slack
	p.used = 0
	if p.held <= limit {
		return
	}
	for n, l := range p.free {
		for len(l) > 0 && p.held > limit {
			l[len(l)-1] = nil
			l = l[:len(l)-1]
			p.held -= int64(n) * 4
		}
		if len(l) == 0 {
			delete(p.free, n)
		} else {
			p.free[n] = l
		}
		if p.held <= limit {
			return
		}
	}
}

// get returns a buffer of length n with undefined contents.
func (p *pool) get(n int) []float32 {
	if n == 0 {
		return nil
	}
	p.used += int64(n) * 4
	if l := p.free[n]; len(l) > 0 {
		b := l[len(l)-1]
		l[len(l)-1] = nil
		p.free[n] = l[:len(l)-1]
		p.held -= int64(n) * 4
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
	p.held += int64(len(b)) * 4
}

// bytes returns the memory the pool holds.
func (p *pool) bytes() int64 { return p.held }
