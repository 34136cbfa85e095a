package history

import "sync"

// fifo is an unbounded first-in first-out queue with a blocking pop, so a
// caller may queue any number of pulls (exact inference queues one per
// batch) without blocking on the consumer.
type fifo[T any] struct {
	mu     sync.Mutex
	items  []T
	ready  chan struct{} // holds a token while items is non-empty
	closed bool
}

func newFIFO[T any]() *fifo[T] { return &fifo[T]{ready: make(chan struct{}, 1)} }

// push appends v; it reports false if the queue is closed.
func (q *fifo[T]) push(v T) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.items = append(q.items, v)
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return true
}

// pop blocks until an item is available or stop is closed. After stop it
// returns ok == false; remaining items are returned by drain.
func (q *fifo[T]) pop(stop <-chan struct{}) (v T, ok bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			v = q.items[0]
			var zero T
			q.items[0] = zero
			q.items = q.items[1:]
			if len(q.items) > 0 {
				select {
				case q.ready <- struct{}{}:
				default:
				}
			}
			q.mu.Unlock()
			return v, true
		}
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-stop:
			return v, false
		}
	}
}

// close refuses further pushes and returns what was still queued.
func (q *fifo[T]) close() []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	rest := q.items
	q.items = nil
	return rest
}
