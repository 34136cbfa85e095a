package partition

// pq is an indexed binary max-heap of vertices keyed by gain. pos[v] is v's
// heap slot or -1; pos is sized for the whole graph once and reused, so a
// pass costs only what it inserts.
type pq struct {
	keys []int64
	vs   []int32
	pos  []int32
}

func newPQ(n int) *pq {
	q := &pq{pos: make([]int32, n)}
	for i := range q.pos {
		q.pos[i] = -1
	}
	return q
}

func (q *pq) len() int { return len(q.vs) }

func (q *pq) contains(v int32) bool { return q.pos[v] >= 0 }

func (q *pq) push(v int32, key int64) {
	q.keys = append(q.keys, key)
	q.vs = append(q.vs, v)
	i := len(q.vs) - 1
	q.pos[v] = int32(i)
	q.up(i)
}

// top returns the vertex with the largest key (the earliest pushed among
// equal keys is not guaranteed; ties resolve by heap shape, which is
// deterministic).
func (q *pq) top() (int32, int64) { return q.vs[0], q.keys[0] }

func (q *pq) pop() int32 {
	v := q.vs[0]
	q.removeAt(0)
	return v
}

func (q *pq) remove(v int32) {
	if i := q.pos[v]; i >= 0 {
		q.removeAt(int(i))
	}
}

func (q *pq) update(v int32, key int64) {
	i := int(q.pos[v])
	old := q.keys[i]
	q.keys[i] = key
	if key > old {
		q.up(i)
	} else if key < old {
		q.down(i)
	}
}

// clear empties the queue.
func (q *pq) clear() {
	for _, v := range q.vs {
		q.pos[v] = -1
	}
	q.vs = q.vs[:0]
	q.keys = q.keys[:0]
}

func (q *pq) removeAt(i int) {
	last := len(q.vs) - 1
	q.pos[q.vs[i]] = -1
	if i != last {
		q.vs[i] = q.vs[last]
		q.keys[i] = q.keys[last]
		q.pos[q.vs[i]] = int32(i)
	}
	q.vs = q.vs[:last]
	q.keys = q.keys[:last]
	if i != last {
		q.down(i)
		q.up(i)
	}
}

func (q *pq) swap(i, j int) {
	q.vs[i], q.vs[j] = q.vs[j], q.vs[i]
	q.keys[i], q.keys[j] = q.keys[j], q.keys[i]
	q.pos[q.vs[i]] = int32(i)
	q.pos[q.vs[j]] = int32(j)
}

func (q *pq) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if q.keys[p] >= q.keys[i] {
			return
		}
		q.swap(i, p)
		i = p
	}
}

func (q *pq) down(i int) {
	n := len(q.vs)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && q.keys[r] > q.keys[l] {
			c = r
		}
		if q.keys[i] >= q.keys[c] {
			return
		}
		q.swap(i, c)
		i = c
	}
}
