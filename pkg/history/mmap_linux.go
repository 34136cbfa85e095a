//go:build linux

package history

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

const canMmap = true

// mapFile maps size bytes of f shared and read-write: stores through the
// mapping reach the file through the page cache like pwrite does.
func mapFile(f *os.File, size int64) ([]byte, error) {
	b, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("history: mmap %s (%d bytes): %w", f.Name(), size, err)
	}
	// Pulls are random rows: read-ahead would only evict useful pages.
	_ = unix.Madvise(b, unix.MADV_RANDOM)
	return b, nil
}

func unmapFile(b []byte) error {
	if b == nil {
		return nil
	}
	return unix.Munmap(b)
}

// zeroFile sets bytes [off, off+n) of f to zero without changing its size,
// by punching a hole (the blocks are freed, reads return zeros). It reports
// false when the file system cannot punch holes.
func zeroFile(f *os.File, off, n int64) (bool, error) {
	err := unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n)
	if err == unix.EOPNOTSUPP || err == unix.ENOSYS {
		return false, nil
	}
	return err == nil, err
}
