package tensor

import "fmt"

// CheckIndex returns an error naming the first id outside [0, n).
func CheckIndex[T ~int32 | ~int64 | ~int](ids []T, n int) error {
	for i, id := range ids {
		if id < 0 || int64(id) >= int64(n) {
			return fmt.Errorf("tensor: index %d at position %d out of range [0, %d)", id, i, n)
		}
	}
	return nil
}

// Arange returns [lo, lo+1, ..., hi-1] as int32.
func Arange(lo, hi int) []int32 {
	if hi < lo {
		return nil
	}
	out := make([]int32, hi-lo)
	for i := range out {
		out[i] = int32(lo + i)
	}
	return out
}

// Int64s widens int32 ids into dst (grown if needed) and returns it.
func Int64s(dst []int64, ids []int32) []int64 {
	if cap(dst) < len(ids) {
		dst = make([]int64, len(ids))
	}
	dst = dst[:len(ids)]
	for i, v := range ids {
		dst[i] = int64(v)
	}
	return dst
}
