package pebblestore

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// nativeLE reports whether the host is little-endian, the stored byte
// order; then rows move between bytes and float32s with a plain copy.
var nativeLE = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// bytesToFloats copies little-endian float32s from src into dst
// (len(src) == 4*len(dst)).
func bytesToFloats(dst []float32, src []byte) {
	if len(dst) == 0 {
		return
	}
	if nativeLE {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst)), src)
		return
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

// floatsToBytes copies src into dst as little-endian float32s.
func floatsToBytes(dst []byte, src []float32) {
	if len(src) == 0 {
		return
	}
	if nativeLE {
		copy(dst, unsafe.Slice((*byte)(unsafe.Pointer(&src[0])), 4*len(src)))
		return
	}
	for i, v := range src {
		binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
	}
}

// alignedBytes returns n zeroed bytes whose start is 8-byte aligned, so
// typed views into them (see viewInt32 and friends) are aligned.
func alignedBytes(n int) []byte {
	if n == 0 {
		return []byte{}
	}
	w := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(&w[0])), n)
}

func pad8(n int) int { return (n + 7) &^ 7 }

// appendInt32s appends len(src)/4 little-endian int32s of src to dst.
func appendInt32s(dst []int32, src []byte) []int32 {
	n := len(src) / 4
	if nativeLE && n > 0 && uintptr(unsafe.Pointer(&src[0]))%4 == 0 {
		return append(dst, unsafe.Slice((*int32)(unsafe.Pointer(&src[0])), n)...)
	}
	for i := 0; i < n; i++ {
		dst = append(dst, int32(binary.LittleEndian.Uint32(src[4*i:])))
	}
	return dst
}

// appendInt64s appends len(src)/8 little-endian int64s of src to dst.
func appendInt64s(dst []int64, src []byte) []int64 {
	n := len(src) / 8
	if nativeLE && n > 0 && uintptr(unsafe.Pointer(&src[0]))%8 == 0 {
		return append(dst, unsafe.Slice((*int64)(unsafe.Pointer(&src[0])), n)...)
	}
	for i := 0; i < n; i++ {
		dst = append(dst, int64(binary.LittleEndian.Uint64(src[8*i:])))
	}
	return dst
}

// appendFloat32s appends len(src)/4 little-endian float32s of src to dst.
func appendFloat32s(dst []float32, src []byte) []float32 {
	n := len(src) / 4
	if nativeLE && n > 0 && uintptr(unsafe.Pointer(&src[0]))%4 == 0 {
		return append(dst, unsafe.Slice((*float32)(unsafe.Pointer(&src[0])), n)...)
	}
	for i := 0; i < n; i++ {
		dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:])))
	}
	return dst
}
