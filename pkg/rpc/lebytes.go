package rpc

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"unsafe"
)

// number is an element type of the little-endian arrays of the graph
// service.
type number interface{ int32 | int64 | float32 }

// littleEndian reports whether this machine stores numbers little-endian,
// as the wire does (then arrays are viewed, not converted).
func littleEndian() bool { return binary.NativeEndian.Uint16([]byte{1, 0}) == 1 }

// leBytes returns v as little-endian bytes: v's own memory on a
// little-endian machine, a converted copy otherwise.
func leBytes[T number](v []T) []byte {
	if len(v) == 0 {
		return nil
	}
	size := int(unsafe.Sizeof(v[0]))
	if littleEndian() {
		return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*size)
	}
	b := make([]byte, 0, len(v)*size)
	for _, x := range v {
		switch x := any(x).(type) {
		case int32:
			b = binary.LittleEndian.AppendUint32(b, uint32(x))
		case int64:
			b = binary.LittleEndian.AppendUint64(b, uint64(x))
		case float32:
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
	}
	return b
}

// appendLE appends the n little-endian numbers of b to dst; b must hold
// exactly n of them. On a little-endian machine this is one copy into
// dst's (aligned) memory.
func appendLE[T number](dst []T, b []byte, n int, what string) ([]T, error) {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(b) != n*size {
		return dst, fmt.Errorf("%s: %d bytes for %d values of %d bytes", what, len(b), n, size)
	}
	if n == 0 {
		return dst, nil
	}
	at := len(dst)
	dst = slices.Grow(dst, n)[:at+n]
	if littleEndian() {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[at])), n*size), b)
		return dst, nil
	}
	for i := range n {
		switch p := any(&dst[at+i]).(type) {
		case *int32:
			*p = int32(binary.LittleEndian.Uint32(b[i*size:]))
		case *int64:
			*p = int64(binary.LittleEndian.Uint64(b[i*size:]))
		case *float32:
			*p = math.Float32frombits(binary.LittleEndian.Uint32(b[i*size:]))
		}
	}
	return dst, nil
}
