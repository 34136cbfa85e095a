package rpc

import (
	"errors"
	"sync"

	"github.com/gnnscale/gnnscale/pkg/store"
)

// handles caches the handles a client opened (one OpenAttr or OpenEdges
// call each), so that a read through the store wrapper costs one call,
// not two. A handle names an incarnation on the server: it leaves the
// cache when this client writes or drops its key, or when the server
// reports the incarnation gone (written or dropped through another
// client); the call that finds out fails with store.ErrNotFound, the next
// one opens the key afresh.
type handles[K comparable, H comparable] struct {
	mu sync.Mutex
	m  map[K]H
}

func newHandles[K comparable, H comparable]() *handles[K, H] {
	return &handles[K, H]{m: make(map[K]H)}
}

func (c *handles[K, H]) get(key K) (H, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[key]
	return h, ok
}

func (c *handles[K, H]) put(key K, h H) {
	c.mu.Lock()
	c.m[key] = h
	c.mu.Unlock()
}

// drop forgets key's handle, whichever it is.
func (c *handles[K, H]) drop(key K) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

// forget forgets key's handle if it is still h (another call may have
// opened a newer one already).
func (c *handles[K, H]) forget(key K, h H) {
	c.mu.Lock()
	if cur, ok := c.m[key]; ok && cur == h {
		delete(c.m, key)
	}
	c.mu.Unlock()
}

// isGone reports whether a call's store error says its attribute or edge
// type (not a row or node) is not found: the handle's incarnation is gone.
func isGone(err error) bool {
	var se *store.Error
	return errors.Is(err, store.ErrNotFound) && errors.As(err, &se) && se.Row == store.NoRow
}

// openError turns the error of an Open call into a store error without an
// operation: the store wrapper fills in the caller's (get, neighbors, ...).
func openError(err error) error {
	err = fromStatus("", err)
	if se, ok := err.(*store.Error); ok {
		se.Op = ""
	}
	return err
}
