//go:build !linux

package history

import (
	"errors"
	"os"
)

const canMmap = false

func mapFile(*os.File, int64) ([]byte, error) {
	return nil, errors.New("history: memory-mapped tables need linux")
}

func unmapFile([]byte) error { return nil }

func zeroFile(*os.File, int64, int64) (bool, error) { return false, nil }
