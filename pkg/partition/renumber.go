package partition

import (
	"errors"
	"fmt"
	"sort"
)

// ErrPerm marks a permutation, partition vector or part pointer that is
// not what the call needs.
var ErrPerm = errors.New("bad permutation")

// Renumber orders vertices by part so that every part is one contiguous
// range of new ids, as PyGAS's metis + permute do: part i gets the new ids
// [ptr[i], ptr[i+1]), its vertices in increasing old id. perm[new] = old;
// [Inverse] gives old -> new. Errors (ErrPerm) name a part id outside
// [0, k).
func Renumber(part []int32, k int) (perm []int32, ptr []int64, err error) {
	if k < 1 {
		return nil, nil, fmt.Errorf("partition: renumber: %w: k = %d", ErrPerm, k)
	}
	ptr = make([]int64, k+1)
	for v, p := range part {
		if p < 0 || int(p) >= k {
			return nil, nil, fmt.Errorf("partition: renumber: %w: vertex %d: part %d out of range [0, %d)", ErrPerm, v, p, k)
		}
		ptr[p+1]++
	}
	for i := 0; i < k; i++ {
		ptr[i+1] += ptr[i]
	}
	pos := make([]int64, k)
	copy(pos, ptr[:k])
	perm = make([]int32, len(part))
	for v, p := range part {
		perm[pos[p]] = int32(v)
		pos[p]++
	}
	return perm, ptr, nil
}

// Inverse returns inv with inv[perm[i]] = i. perm must be a permutation
// of [0, len(perm)) (see [CheckPerm]).
func Inverse(perm []int32) []int32 {
	inv := make([]int32, len(perm))
	for i, v := range perm {
		inv[v] = int32(i)
	}
	return inv
}

// CheckPerm reports whether perm is a permutation of [0, n), naming the
// first bad or repeated entry.
func CheckPerm(perm []int32, n int) error {
	if len(perm) != n {
		return fmt.Errorf("partition: %w: %d entries for %d nodes", ErrPerm, len(perm), n)
	}
	seen := make([]bool, n)
	for i, v := range perm {
		if v < 0 || int(v) >= n {
			return fmt.Errorf("partition: %w: entry %d: node %d out of range [0, %d)", ErrPerm, i, v, n)
		}
		if seen[v] {
			return fmt.Errorf("partition: %w: entry %d: node %d repeated", ErrPerm, i, v)
		}
		seen[v] = true
	}
	return nil
}

// Book is the range partition book of a renumbered graph: part i owns the
// node ids [Ptr[i], Ptr[i+1]). It is k+1 integers however large the
// graph, and safe for concurrent use (read-only).
type Book struct {
	ptr []int64
}

// NewBook checks ptr (starts at 0, never decreases, at least one part)
// and returns its book; the book keeps its own copy.
func NewBook(ptr []int64) (*Book, error) {
	if len(ptr) < 2 {
		return nil, fmt.Errorf("partition: book: %w: %d part pointers, need k+1 >= 2", ErrPerm, len(ptr))
	}
	if ptr[0] != 0 {
		return nil, fmt.Errorf("partition: book: %w: ptr[0] = %d, want 0", ErrPerm, ptr[0])
	}
	for i := 1; i < len(ptr); i++ {
		if ptr[i] < ptr[i-1] {
			return nil, fmt.Errorf("partition: book: %w: ptr[%d] = %d < ptr[%d] = %d", ErrPerm, i, ptr[i], i-1, ptr[i-1])
		}
	}
	return &Book{ptr: append([]int64(nil), ptr...)}, nil
}

// NumParts returns k.
func (b *Book) NumParts() int { return len(b.ptr) - 1 }

// NumNodes returns the number of nodes covered.
func (b *Book) NumNodes() int64 { return b.ptr[len(b.ptr)-1] }

// Range returns the node ids [lo, hi) of part p.
func (b *Book) Range(p int) (lo, hi int64) { return b.ptr[p], b.ptr[p+1] }

// Ptr returns a copy of the part pointers.
func (b *Book) Ptr() []int64 { return append([]int64(nil), b.ptr...) }

// Owner returns the part owning node v (binary search over the k+1
// pointers), or -1 when v is outside [0, NumNodes()). Empty parts own
// nothing.
func (b *Book) Owner(v int64) int {
	if v < 0 || v >= b.NumNodes() {
		return -1
	}
	// The last i with ptr[i] <= v; skipping empty parts is automatic
	// because their ptr[i] == ptr[i+1].
	return sort.Search(len(b.ptr), func(i int) bool { return b.ptr[i] > v }) - 1
}
