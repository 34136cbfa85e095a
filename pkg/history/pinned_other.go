//go:build !linux

package history

// allocPinned falls back to ordinary heap memory where mlock is not wired.
func allocPinned(n int) (buf []float32, locked bool, free func() error, err error) {
	return make([]float32, n), false, func() error { return nil }, nil
}
