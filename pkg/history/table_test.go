package history

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// tableKinds builds every Table implementation, so each test runs on all.
var tableKinds = []struct {
	name string
	make func(t *testing.T, rows, dim int) Table
}{
	{"mem", func(t *testing.T, rows, dim int) Table { return NewMemTable(rows, dim) }},
	{"file-mmap", func(t *testing.T, rows, dim int) Table { return newFileTableT(t, rows, dim, AccessMmap) }},
	{"file-pread", func(t *testing.T, rows, dim int) Table { return newFileTableT(t, rows, dim, AccessPread) }},
}

func newFileTableT(t *testing.T, rows, dim int, access FileAccess) *FileTable {
	t.Helper()
	ft, err := CreateFileTable(filepath.Join(t.TempDir(), "h.bin"), rows, dim, FileOptions{Access: access})
	if err != nil {
		t.Fatal(err)
	}
	if ft.Access() != access && canMmap {
		t.Fatalf("access %v, want %v", ft.Access(), access)
	}
	return ft
}

func randDense(r *rand.Rand, rows, cols int) *tensor.Dense {
	m := tensor.New(rows, cols)
	for i := range m.Data {
		m.Data[i] = r.Float32()*2 - 1
	}
	return m
}

func TestTableMatchesReference(t *testing.T) {
	const rows, dim = 500, 7
	for _, kind := range tableKinds {
		t.Run(kind.name, func(t *testing.T) {
			seed := rand.Uint64()
			t.Logf("seed %d", seed)
			r := rand.New(rand.NewPCG(seed, 1))
			tab := kind.make(t, rows, dim)
			defer tab.Close()
			ref := tensor.New(rows, dim)
			for step := 0; step < 50; step++ {
				off := r.IntN(rows)
				n := r.IntN(rows - off + 1)
				src := randDense(r, n, dim)
				if err := tab.WriteRange(int64(off), src); err != nil {
					t.Fatal(err)
				}
				ref.RowView(off, off+n).Copy(src)

				ids := make([]int32, r.IntN(300))
				for i := range ids {
					ids[i] = int32(r.IntN(rows)) // duplicates and any order
				}
				got := tensor.New(len(ids), dim)
				if err := tab.ReadRows(got, ids); err != nil {
					t.Fatal(err)
				}
				for i, id := range ids {
					for j := 0; j < dim; j++ {
						if got.At(i, j) != ref.At(int(id), j) {
							t.Fatalf("step %d: row %d (id %d) col %d = %v, want %v", step, i, id, j, got.At(i, j), ref.At(int(id), j))
						}
					}
				}
				lo := r.IntN(rows)
				rng := tensor.New(r.IntN(rows-lo+1), dim)
				if err := tab.ReadRange(rng, int64(lo)); err != nil {
					t.Fatal(err)
				}
				if d := tensor.MaxAbsDiff(rng, ref.RowView(lo, lo+rng.Rows)); d != 0 {
					t.Fatalf("ReadRange differs by %v", d)
				}
			}
			if err := tab.Reset(); err != nil {
				t.Fatal(err)
			}
			all := tensor.New(rows, dim)
			if err := tab.ReadRange(all, 0); err != nil {
				t.Fatal(err)
			}
			if d := tensor.MaxAbsDiff(all, tensor.New(rows, dim)); d != 0 {
				t.Fatal("Reset left non-zero rows")
			}
		})
	}
}

func TestTableRejectsBadRequests(t *testing.T) {
	for _, kind := range tableKinds {
		t.Run(kind.name, func(t *testing.T) {
			tab := kind.make(t, 10, 3)
			defer tab.Close()
			if err := tab.WriteRange(0, randDense(rand.New(rand.NewPCG(1, 1)), 10, 3)); err != nil {
				t.Fatal(err)
			}
			before := tensor.New(10, 3)
			if err := tab.ReadRange(before, 0); err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name string
				err  error
				want error
			}{
				{"read id", tab.ReadRows(tensor.New(2, 3), []int32{1, 10}), ErrOutOfRange},
				{"read negative", tab.ReadRows(tensor.New(1, 3), []int32{-1}), ErrOutOfRange},
				{"read dim", tab.ReadRows(tensor.New(1, 4), []int32{1}), ErrShape},
				{"read rows", tab.ReadRows(tensor.New(2, 3), []int32{1}), ErrShape},
				{"range past end", tab.ReadRange(tensor.New(3, 3), 8), ErrOutOfRange},
				{"write past end", tab.WriteRange(9, tensor.New(2, 3)), ErrOutOfRange},
				{"write dim", tab.WriteRange(0, tensor.New(1, 2)), ErrShape},
			}
			for _, tt := range tests {
				if !errors.Is(tt.err, tt.want) {
					t.Errorf("%s: err = %v, want %v", tt.name, tt.err, tt.want)
				}
			}
			after := tensor.New(10, 3)
			if err := tab.ReadRange(after, 0); err != nil {
				t.Fatal(err)
			}
			if tensor.MaxAbsDiff(before, after) != 0 {
				t.Fatal("a rejected write changed the table")
			}
			tab.Close()
			if err := tab.ReadRange(tensor.New(1, 3), 0); !errors.Is(err, ErrClosed) {
				t.Fatalf("read after close: %v", err)
			}
		})
	}
}

func TestFileTableReopenAndCorruption(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "h.bin")
	ft, err := CreateFileTable(path, 20, 4, FileOptions{Access: AccessMmap})
	if err != nil {
		t.Fatal(err)
	}
	src := randDense(rand.New(rand.NewPCG(2, 2)), 20, 4)
	if err := ft.WriteRange(0, src); err != nil {
		t.Fatal(err)
	}
	if err := ft.Close(); err != nil {
		t.Fatal(err)
	}
	// Rows written through the mapping are read back with pread.
	re, err := OpenFileTable(path, FileOptions{Access: AccessPread})
	if err != nil {
		t.Fatal(err)
	}
	got := tensor.New(20, 4)
	if err := re.ReadRange(got, 0); err != nil {
		t.Fatal(err)
	}
	re.Close()
	if tensor.MaxAbsDiff(got, src) != 0 {
		t.Fatal("reopened table differs")
	}

	if err := os.Truncate(path, 4096+100); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFileTable(path, FileOptions{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("truncated table: err = %v, want ErrCorrupt", err)
	}
	if err := os.WriteFile(path, []byte("not a table"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFileTable(path, FileOptions{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("garbage file: err = %v, want ErrCorrupt", err)
	}
}

// A table file cut short behind a mapped table's back faults on access; the
// table must return an error, not crash the process.
func TestFileTableMappedFaultIsError(t *testing.T) {
	if !canMmap {
		t.Skip("no mmap on this system")
	}
	path := filepath.Join(t.TempDir(), "h.bin")
	ft, err := CreateFileTable(path, 4096, 16, FileOptions{Access: AccessMmap})
	if err != nil {
		t.Fatal(err)
	}
	defer ft.Close()
	if err := os.Truncate(path, headerSize); err != nil {
		t.Fatal(err)
	}
	dst := tensor.New(1, 16)
	if err := ft.ReadRows(dst, []int32{4000}); !errors.Is(err, ErrIO) {
		t.Fatalf("read past the truncated end: err = %v, want ErrIO", err)
	}
	if err := ft.WriteRange(4000, dst); !errors.Is(err, ErrIO) {
		t.Fatalf("write past the truncated end: err = %v, want ErrIO", err)
	}
}
