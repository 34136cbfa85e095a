package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"unsafe"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// File layout: a 4 KiB header, then rows*dim little-endian float32 values
// in row order. Header: magic, format version, dim, rows.
const (
	fileMagic   = "GNNSHIST"
	fileVersion = 1
	headerSize  = 4096
	// maxGap is how many unwanted rows a coalesced read may span to join two
	// wanted ones: one larger read is cheaper than two system calls.
	maxGap = 8
	// maxSpan caps one coalesced read, in rows.
	maxSpan = 4096
)

// FileAccess selects how a FileTable reaches its file.
type FileAccess int

const (
	// AccessMmap (the default where the system supports it) maps the file
	// into the address space: a row read or written is one memory copy
	// through the page cache, with no system call per row.
	AccessMmap FileAccess = iota
	// AccessPread uses positional reads and writes (pread/pwrite), sorting
	// and coalescing the ids of a read into few system calls. It costs no
	// address space, and is what systems without mmap use.
	AccessPread
)

func (a FileAccess) String() string {
	if a == AccessPread {
		return "pread"
	}
	return "mmap"
}

// FileOptions configures a FileTable.
type FileOptions struct {
	Access FileAccess
}

// FileTable is a Table stored in a file: the page cache, not the process
// heap, holds the hot rows, so a history larger than RAM costs no resident
// memory of its own. By default the file is memory-mapped; see FileAccess.
//
// A fault while touching the mapping (the file truncated behind the
// table's back, a disk error, a full disk under a sparse file) is returned
// as an error, not a crash. Close waits for the calls in progress.
type FileTable struct {
	f         *os.File
	rows, dim int
	rowBytes  int64
	access    FileAccess
	vals      []float32    // the mapped rows (AccessMmap), header excluded
	mapping   []byte       // the whole mapping, for munmap
	mu        sync.RWMutex // held shared by accesses, exclusively by Close
	closed    bool
	scratch   sync.Pool // *[]byte for coalesced reads (AccessPread)
}

// CreateFileTable creates (or truncates) path as a zeroed rows x dim table.
func CreateFileTable(path string, rows, dim int, opts FileOptions) (*FileTable, error) {
	if rows < 0 || dim <= 0 {
		return nil, fmt.Errorf("history: create %s: bad shape %dx%d", path, rows, dim)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("history: create: %w", err)
	}
	var hdr [headerSize]byte
	copy(hdr[:], fileMagic)
	binary.LittleEndian.PutUint32(hdr[8:], fileVersion)
	binary.LittleEndian.PutUint32(hdr[12:], uint32(dim))
	binary.LittleEndian.PutUint64(hdr[16:], uint64(rows))
	size := headerSize + int64(rows)*int64(dim)*4
	if _, err := f.WriteAt(hdr[:], 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("history: create %s: %w", path, err)
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return nil, fmt.Errorf("history: create %s: %w", path, err)
	}
	return newFileTable(f, rows, dim, opts)
}

// OpenFileTable opens an existing table file and checks its header and size.
// Errors wrap ErrCorrupt when the file is not a whole table.
func OpenFileTable(path string, opts FileOptions) (*FileTable, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("history: open: %w", err)
	}
	var hdr [headerSize]byte
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, headerSize), hdr[:]); err != nil {
		f.Close()
		return nil, fmt.Errorf("history: open %s: header: %w (%w)", path, ErrCorrupt, err)
	}
	if string(hdr[:8]) != fileMagic {
		f.Close()
		return nil, fmt.Errorf("history: open %s: %w: bad magic %q", path, ErrCorrupt, hdr[:8])
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != fileVersion {
		f.Close()
		return nil, fmt.Errorf("history: open %s: %w: version %d, want %d", path, ErrCorrupt, v, fileVersion)
	}
	dim := int(binary.LittleEndian.Uint32(hdr[12:]))
	rows := binary.LittleEndian.Uint64(hdr[16:])
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	if dim <= 0 || rows > 1<<31 || st.Size() != headerSize+int64(rows)*int64(dim)*4 {
		f.Close()
		return nil, fmt.Errorf("history: open %s: %w: header says %dx%d, file has %d bytes", path, ErrCorrupt, rows, dim, st.Size())
	}
	return newFileTable(f, int(rows), dim, opts)
}

func newFileTable(f *os.File, rows, dim int, opts FileOptions) (*FileTable, error) {
	t := &FileTable{f: f, rows: rows, dim: dim, rowBytes: int64(dim) * 4, access: opts.Access}
	if !canMmap {
		t.access = AccessPread
	}
	switch t.access {
	case AccessMmap:
		m, err := mapFile(f, t.off(int64(rows)))
		if err != nil {
			f.Close()
			return nil, err
		}
		t.mapping, t.vals = m, bytesAsFloats(m[headerSize:])
	case AccessPread:
		t.scratch.New = func() any { b := make([]byte, 0, 64<<10); return &b }
	default:
		f.Close()
		return nil, fmt.Errorf("history: %s: unknown access mode %d", f.Name(), opts.Access)
	}
	return t, nil
}

// Access reports how the table reaches its file.
func (t *FileTable) Access() FileAccess { return t.access }

func (t *FileTable) Rows() int { return t.rows }
func (t *FileTable) Dim() int  { return t.dim }

func (t *FileTable) off(row int64) int64 { return headerSize + row*t.rowBytes }

// mapped returns row r of the mapping (AccessMmap).
func (t *FileTable) mapped(r int64) []float32 {
	dim := int64(t.dim)
	return t.vals[r*dim : (r+1)*dim]
}

// ReadRows copies the wanted rows out of the mapping, or (AccessPread)
// reads them in ascending id order, joining ids at most maxGap rows apart
// into one read.
func (t *FileTable) ReadRows(dst *tensor.Dense, ids []int32) (err error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.closed {
		return ErrClosed
	}
	if err := checkRead(t.rows, t.dim, dst, ids); err != nil {
		return err
	}
	if t.access == AccessMmap {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer recoverFault("read", &err)
		for i, id := range ids {
			copy(dst.Row(i), t.mapped(int64(id)))
		}
		return nil
	}
	order := make([]int32, len(ids)) // positions in ids, sorted by id
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return int(ids[a]) - int(ids[b]) })

	bp := t.scratch.Get().(*[]byte)
	defer t.scratch.Put(bp)
	for lo := 0; lo < len(order); {
		first := int64(ids[order[lo]])
		hi := lo + 1
		for hi < len(order) {
			id := int64(ids[order[hi]])
			prev := int64(ids[order[hi-1]])
			if id-prev > maxGap || id-first >= maxSpan {
				break
			}
			hi++
		}
		last := int64(ids[order[hi-1]])
		n := (last - first + 1) * t.rowBytes
		if int64(cap(*bp)) < n {
			*bp = make([]byte, n)
		}
		buf := (*bp)[:n]
		if _, err := t.f.ReadAt(buf, t.off(first)); err != nil {
			return fmt.Errorf("history: read rows [%d, %d]: %w", first, last, err)
		}
		vals := bytesAsFloats(buf)
		for _, pos := range order[lo:hi] {
			r := int64(ids[pos]) - first
			copy(dst.Row(int(pos)), vals[r*int64(t.dim):(r+1)*int64(t.dim)])
		}
		lo = hi
	}
	return nil
}

func (t *FileTable) ReadRange(dst *tensor.Dense, offset int64) (err error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.closed {
		return ErrClosed
	}
	if err := checkRange("read", t.rows, t.dim, dst, offset); err != nil {
		return err
	}
	if dst.Rows == 0 {
		return nil
	}
	if t.access == AccessMmap {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer recoverFault("read", &err)
		for i := 0; i < dst.Rows; i++ {
			copy(dst.Row(i), t.mapped(offset+int64(i)))
		}
		return nil
	}
	if dst.Contiguous() {
		_, err := t.f.ReadAt(floatsAsBytes(dst.Data[:dst.Rows*dst.Cols]), t.off(offset))
		return wrapIO("read", err)
	}
	for i := 0; i < dst.Rows; i++ {
		if _, err := t.f.ReadAt(floatsAsBytes(dst.Row(i)), t.off(offset+int64(i))); err != nil {
			return wrapIO("read", err)
		}
	}
	return nil
}

func (t *FileTable) WriteRange(offset int64, src *tensor.Dense) (err error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.closed {
		return ErrClosed
	}
	if err := checkRange("write", t.rows, t.dim, src, offset); err != nil {
		return err
	}
	if src.Rows == 0 {
		return nil
	}
	if t.access == AccessMmap {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer recoverFault("write", &err)
		for i := 0; i < src.Rows; i++ {
			copy(t.mapped(offset+int64(i)), src.Row(i))
		}
		return nil
	}
	if src.Contiguous() {
		_, err := t.f.WriteAt(floatsAsBytes(src.Data[:src.Rows*src.Cols]), t.off(offset))
		return wrapIO("write", err)
	}
	for i := 0; i < src.Rows; i++ {
		if _, err := t.f.WriteAt(floatsAsBytes(src.Row(i)), t.off(offset+int64(i))); err != nil {
			return wrapIO("write", err)
		}
	}
	return nil
}

// Reset zeroes the table by punching a hole over its rows (or, where the
// file system cannot, truncating the file and extending it again): the
// old blocks are freed instead of overwritten with zeros.
func (t *FileTable) Reset() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	n := t.off(int64(t.rows)) - headerSize
	if n == 0 {
		return nil
	}
	if ok, err := zeroFile(t.f, headerSize, n); ok || err != nil {
		return wrapIO("reset", err)
	}
	if err := t.f.Truncate(headerSize); err != nil {
		return wrapIO("reset", err)
	}
	return wrapIO("reset", t.f.Truncate(t.off(int64(t.rows))))
}

// Close unmaps and closes the file; the table can be reopened with
// OpenFileTable. Values written through the mapping are in the page cache
// and reach the file like pwrite's do.
func (t *FileTable) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	err := unmapFile(t.mapping)
	t.mapping, t.vals = nil, nil
	return errors.Join(err, t.f.Close())
}

// recoverFault, deferred after debug.SetPanicOnFault(true), turns a memory
// fault while touching the mapping into an error; other panics go on.
func recoverFault(op string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	if f, ok := r.(interface{ Addr() uintptr }); ok {
		*err = fmt.Errorf("history: %s: fault at %#x in the mapped table file (truncated by another process, or an I/O error): %w", op, f.Addr(), ErrIO)
		return
	}
	panic(r)
}

func wrapIO(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, os.ErrClosed) {
		return ErrClosed
	}
	return fmt.Errorf("history: %s: %w", op, err)
}

// floatsAsBytes views float32s as their little-endian bytes (every platform
// GNNScale builds for is little-endian).
func floatsAsBytes(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), len(f)*4)
}

func bytesAsFloats(b []byte) []float32 {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}
