//go:build linux

package history

import (
	"fmt"
	"syscall"
	"unsafe"
)

// allocPinned maps n float32s of anonymous memory outside the Go heap and
// tries to lock it into RAM. It returns the slice, whether the lock held,
// and a function that unlocks and unmaps it.
func allocPinned(n int) (buf []float32, locked bool, free func() error, err error) {
	if n == 0 {
		return nil, true, func() error { return nil }, nil
	}
	mem, err := syscall.Mmap(-1, 0, n*4, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, false, nil, fmt.Errorf("history: mmap %d bytes: %w", n*4, err)
	}
	locked = syscall.Mlock(mem) == nil
	buf = unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), n)
	free = func() error {
		if locked {
			_ = syscall.Munlock(mem)
		}
		return syscall.Munmap(mem)
	}
	return buf, locked, free, nil
}
