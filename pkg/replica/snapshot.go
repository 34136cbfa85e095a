package replica

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"

	"github.com/hashicorp/raft"

	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// A snapshot is a stream:
//
//	magic  index(uvarint)  members(uvarint length + bytes)  attrs(uvarint)
//	per attribute: group name rows(varint) cols(uvarint), then runs of
//	present rows, count(uvarint) > 0, lo(varint), count x cols float32 LE,
//	ended by a count of 0
//	trailer
//
// Only present rows are written, in runs of consecutive ids.
var (
	snapMagic   = []byte("gnnscale replica snapshot v1\n")
	snapTrailer = []byte("end\n")
)

// snapRunBytes bounds the rows read (and later written) at once.
const snapRunBytes = 1 << 20

// errBadSnapshot: a snapshot stream that does not parse.
var errBadSnapshot = errors.New("replica: bad snapshot")

// snapSource is what a snapshot reads: the local store or a checkpoint.
type snapSource interface {
	store.FeatureReader
	Attrs(ctx context.Context) ([]store.AttrInfo, error)
}

// snapshot is the raft.FSMSnapshot of an fsm. It reads either the local
// store, holding the fsm's snapMu until Release so that the store does not
// move meanwhile, or a checkpoint, which Release closes and removes.
type snapshot struct {
	src     snapSource
	index   uint64
	members []byte
	release func()
	once    sync.Once
}

// Persist implements raft.FSMSnapshot.
func (s *snapshot) Persist(sink raft.SnapshotSink) error {
	if err := writeSnapshot(context.Background(), s.src, s.index, s.members, sink); err != nil {
		sink.Cancel()
		return fmt.Errorf("replica: persist snapshot at %d: %w", s.index, err)
	}
	return sink.Close()
}

// Release implements raft.FSMSnapshot: applies resume, or the checkpoint
// goes.
func (s *snapshot) Release() { s.once.Do(s.release) }

func writeSnapshot(ctx context.Context, st snapSource, index uint64, members []byte, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var b []byte
	b = append(b, snapMagic...)
	b = binary.AppendUvarint(b, index)
	b = binary.AppendUvarint(b, uint64(len(members)))
	b = append(b, members...)
	attrs, err := st.Attrs(ctx)
	if err != nil {
		return err
	}
	b = binary.AppendUvarint(b, uint64(len(attrs)))
	if _, err := bw.Write(b); err != nil {
		return err
	}
	for _, a := range attrs {
		b = appendString(appendString(b[:0], a.Key.Group), a.Key.Name)
		b = binary.AppendVarint(b, a.Rows)
		b = binary.AppendUvarint(b, uint64(a.Cols))
		if _, err := bw.Write(b); err != nil {
			return err
		}
		if err := writeRows(ctx, st, a, bw); err != nil {
			return fmt.Errorf("%s: %w", a.Key, err)
		}
	}
	if _, err := bw.Write(snapTrailer); err != nil {
		return err
	}
	return bw.Flush()
}

// writeRows writes the present rows of one attribute as runs.
func writeRows(ctx context.Context, st store.FeatureReader, a store.AttrInfo, w io.Writer) error {
	step := max(1, snapRunBytes/(4*a.Cols))
	buf := tensor.New(step, a.Cols)
	var b []byte
	run := func(lo int64, m *tensor.Dense) error {
		b = binary.AppendUvarint(b[:0], uint64(m.Rows))
		b = binary.AppendVarint(b, lo)
		b = appendRows(b, m)
		_, err := w.Write(b)
		return err
	}
	for lo := int64(0); lo < a.Rows; lo += int64(step) {
		n := int(min(int64(step), a.Rows-lo))
		dst := buf.RowView(0, n)
		err := store.GetRange(ctx, st, a.Key, lo, dst)
		if err == nil {
			if err := run(lo, dst); err != nil {
				return err
			}
			continue
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		// Some rows are absent: find the present ones row by row.
		start := -1
		for i := 0; i <= n; i++ {
			present := false
			if i < n {
				err := st.Get(ctx, a.Key, []int64{lo + int64(i)}, dst.RowView(i, i+1))
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				present = err == nil
			}
			switch {
			case present && start < 0:
				start = i
			case !present && start >= 0:
				if err := run(lo+int64(start), dst.RowView(start, i)); err != nil {
					return err
				}
				start = -1
			}
		}
	}
	_, err := w.Write([]byte{0})
	return err
}

// restoreSnapshot replaces the content of st by the snapshot read from r
// and returns its index and members.
func restoreSnapshot(ctx context.Context, st store.FeatureStore, r io.Reader) (uint64, map[string]string, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	magic := make([]byte, len(snapMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != string(snapMagic) {
		return 0, nil, fmt.Errorf("%w: missing header", errBadSnapshot)
	}
	sr := &snapReader{r: br}
	index := sr.uvarint()
	members, err := decodeMembers(sr.field(1 << 20))
	if sr.err != nil {
		return 0, nil, sr.err
	}
	if err != nil {
		return 0, nil, err
	}
	// The store is replaced, not merged.
	old, err := st.Attrs(ctx)
	if err != nil {
		return 0, nil, err
	}
	for _, a := range old {
		if err := st.Drop(ctx, a.Key); err != nil {
			return 0, nil, err
		}
	}
	nattrs := sr.uvarint()
	for i := uint64(0); i < nattrs && sr.err == nil; i++ {
		info := store.AttrInfo{Key: store.Key{Group: string(sr.field(1 << 10)), Name: string(sr.field(1 << 10))}}
		info.Rows = sr.varint()
		info.Cols = int(min(sr.uvarint(), store.MaxCols+1))
		if sr.err != nil {
			break
		}
		if err := st.Create(ctx, info); err != nil {
			return 0, nil, err
		}
		for sr.err == nil {
			n := sr.uvarint()
			if n == 0 || sr.err != nil {
				break
			}
			lo := sr.varint()
			if n > uint64(max(1, snapRunBytes/(4*info.Cols))) {
				return 0, nil, fmt.Errorf("%w: %s: run of %d rows", errBadSnapshot, info.Key, n)
			}
			m := tensor.New(int(n), info.Cols)
			raw := sr.raw(4 * len(m.Data))
			if sr.err != nil {
				break
			}
			for j := range m.Data {
				m.Data[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
			}
			if err := store.PutRange(ctx, st, info.Key, lo, m); err != nil {
				return 0, nil, err
			}
		}
	}
	trailer := make([]byte, len(snapTrailer))
	if sr.err == nil {
		if _, err := io.ReadFull(br, trailer); err != nil || string(trailer) != string(snapTrailer) {
			sr.err = fmt.Errorf("%w: missing trailer (truncated?)", errBadSnapshot)
		}
	}
	if sr.err != nil {
		return 0, nil, sr.err
	}
	return index, members, nil
}

// snapReader reads a snapshot's fields and keeps the first error.
type snapReader struct {
	r   *bufio.Reader
	err error
}

func (s *snapReader) uvarint() uint64 { return readVarint(s, binary.ReadUvarint) }
func (s *snapReader) varint() int64   { return readVarint(s, binary.ReadVarint) }

// readVarint reads one varint with read (binary.ReadUvarint or ReadVarint).
func readVarint[T uint64 | int64](s *snapReader, read func(io.ByteReader) (T, error)) T {
	if s.err != nil {
		return 0
	}
	v, err := read(s.r)
	if err != nil {
		s.err = fmt.Errorf("%w: %v", errBadSnapshot, err)
	}
	return v
}

// field reads a uvarint length of at most limit and that many bytes.
func (s *snapReader) field(limit uint64) []byte {
	l := s.uvarint()
	if s.err == nil && l > limit {
		s.err = fmt.Errorf("%w: field of %d bytes, limit %d", errBadSnapshot, l, limit)
	}
	return s.raw(int(l))
}

// raw reads n bytes.
func (s *snapReader) raw(n int) []byte {
	if s.err != nil {
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(s.r, b); err != nil {
		s.err = fmt.Errorf("%w: %v", errBadSnapshot, err)
		return nil
	}
	return b
}

// encodeMembers encodes an id -> address map, sorted by id.
func encodeMembers(m map[string]string) []byte {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	b := binary.AppendUvarint(nil, uint64(len(ids)))
	for _, id := range ids {
		b = appendString(appendString(b, id), m[id])
	}
	return b
}

func decodeMembers(b []byte) (map[string]string, error) {
	m := map[string]string{}
	if len(b) == 0 {
		return m, nil
	}
	d := &decoder{b: b}
	n := d.count("member count", 2)
	for i := 0; i < n && d.err == nil; i++ {
		id := d.string("member id")
		m[id] = d.string("member address")
	}
	if d.err == nil && d.off != len(b) {
		d.fail("%d trailing bytes", len(b)-d.off)
	}
	if d.err != nil {
		return nil, fmt.Errorf("replica: members: %w", d.err)
	}
	return m, nil
}
