package replica

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// ErrBadCommand: a raft log entry that does not decode as a command (a
// truncated or corrupt entry, or one written by a newer version).
var ErrBadCommand = errors.New("replica: bad command")

// opCode is the kind of a command.
type opCode uint8

const (
	opCreate   opCode = 1 // Create(info)
	opDrop     opCode = 2 // Drop(key)
	opPut      opCode = 3 // Put(key, ids, src)
	opPutRange opCode = 4 // PutRange(key, lo, src)
	opRemove   opCode = 5 // Remove(key, ids)
	opAnnounce opCode = 6 // member id serves clients at addr
)

func (o opCode) String() string {
	switch o {
	case opCreate:
		return "create"
	case opDrop:
		return "drop"
	case opPut, opPutRange:
		return "put"
	case opRemove:
		return "remove"
	case opAnnounce:
		return "announce"
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// commandVersion is the first byte of every encoded command.
const commandVersion = 1

// command is one replicated write. Which fields matter depends on op.
type command struct {
	op   opCode
	key  store.Key     // every op but announce
	rows int64         // create
	cols int           // create
	ids  []int64       // put, remove
	lo   int64         // putRange
	src  *tensor.Dense // put, putRange: len(ids) (or count) x cols
	id   string        // announce: the member's raft id
	addr string        // announce: the address of its feature service
}

// encode appends the command's binary form to b:
//
//	version(1) op(1) then, by op,
//	create:   key rows(varint) cols(uvarint)
//	drop:     key
//	put:      key n(uvarint) cols(uvarint) ids(n varint) data(n*cols float32 LE)
//	putRange: key lo(varint) n(uvarint) cols(uvarint) data
//	remove:   key n(uvarint) ids(n varint)
//	announce: id addr
//
// where key is group then name and every string is uvarint length + bytes.
func (c *command) encode(b []byte) []byte {
	b = append(b, commandVersion, byte(c.op))
	if c.op != opAnnounce {
		b = appendString(appendString(b, c.key.Group), c.key.Name)
	}
	switch c.op {
	case opCreate:
		b = binary.AppendVarint(b, c.rows)
		b = binary.AppendUvarint(b, uint64(c.cols))
	case opPut:
		b = binary.AppendUvarint(b, uint64(len(c.ids)))
		b = binary.AppendUvarint(b, uint64(c.src.Cols))
		b = appendIDs(b, c.ids)
		b = appendRows(b, c.src)
	case opPutRange:
		b = binary.AppendVarint(b, c.lo)
		b = binary.AppendUvarint(b, uint64(c.src.Rows))
		b = binary.AppendUvarint(b, uint64(c.src.Cols))
		b = appendRows(b, c.src)
	case opRemove:
		b = binary.AppendUvarint(b, uint64(len(c.ids)))
		b = appendIDs(b, c.ids)
	case opAnnounce:
		b = appendString(appendString(b, c.id), c.addr)
	}
	return b
}

// size is an upper bound of len(c.encode(nil)), for preallocation.
func (c *command) size() int {
	n := 2 + 2*binary.MaxVarintLen64 + len(c.key.Group) + len(c.key.Name) + len(c.id) + len(c.addr) + 4*binary.MaxVarintLen64
	n += len(c.ids) * binary.MaxVarintLen64
	if c.src != nil {
		n += 4 * c.src.Rows * c.src.Cols
	}
	return n
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendIDs(b []byte, ids []int64) []byte {
	for _, id := range ids {
		b = binary.AppendVarint(b, id)
	}
	return b
}

func appendRows(b []byte, m *tensor.Dense) []byte {
	for i := 0; i < m.Rows; i++ {
		for _, v := range m.Row(i) {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	return b
}

// decoder reads an encoded command and remembers the first error.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: byte %d: %s", ErrBadCommand, d.off, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) uvarint(what string) uint64 { return decodeVarint(d, what, binary.Uvarint) }
func (d *decoder) varint(what string) int64   { return decodeVarint(d, what, binary.Varint) }

// decodeVarint reads one varint with read (binary.Uvarint or Varint).
func decodeVarint[T uint64 | int64](d *decoder, what string, read func([]byte) (T, int)) T {
	if d.err != nil {
		return 0
	}
	v, n := read(d.b[d.off:])
	if n <= 0 {
		d.fail("truncated or overlong %s", what)
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) string(what string) string {
	n := d.uvarint(what + " length")
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)-d.off) {
		d.fail("%s of %d bytes, %d left", what, n, len(d.b)-d.off)
		return ""
	}
	s := string(d.b[d.off : d.off+int(n)])
	d.off += int(n)
	return s
}

// count reads a row count that at least min bytes each must follow.
func (d *decoder) count(what string, min int) int {
	n := d.uvarint(what)
	if d.err == nil && n > uint64((len(d.b)-d.off)/min) {
		d.fail("%s %d, but only %d bytes left", what, n, len(d.b)-d.off)
		return 0
	}
	return int(n)
}

func (d *decoder) cols() int {
	c := d.uvarint("cols")
	if d.err == nil && (c < 1 || c > store.MaxCols) {
		d.fail("cols %d, want 1..%d", c, store.MaxCols)
		return 0
	}
	return int(c)
}

func (d *decoder) ids(n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = d.varint("row id")
	}
	return ids
}

// rows reads n x cols float32 values, which must be all that is left.
func (d *decoder) rows(n, cols int) *tensor.Dense {
	if d.err != nil {
		return nil
	}
	left := len(d.b) - d.off
	if uint64(n)*uint64(cols)*4 != uint64(left) {
		d.fail("%d bytes of row data for %d rows of %d values", left, n, cols)
		return nil
	}
	m := tensor.New(n, cols)
	for i := range m.Data {
		m.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(d.b[d.off+4*i:]))
	}
	d.off = len(d.b)
	return m
}

// decodeCommand parses an encoded command. It never panics; a malformed
// entry gives an error wrapping ErrBadCommand that names the byte offset.
// The command does not retain b.
func decodeCommand(b []byte) (*command, error) {
	d := &decoder{b: b}
	if len(b) < 2 {
		d.fail("%d bytes, want at least 2", len(b))
		return nil, d.err
	}
	if b[0] != commandVersion {
		d.fail("version %d, this build reads %d", b[0], commandVersion)
		return nil, d.err
	}
	c := &command{op: opCode(b[1])}
	d.off = 2
	if c.op != opAnnounce {
		c.key = store.Key{Group: d.string("group"), Name: d.string("name")}
	}
	switch c.op {
	case opCreate:
		c.rows = d.varint("rows")
		c.cols = int(min(d.uvarint("cols"), store.MaxCols+1))
	case opDrop:
	case opPut:
		n := d.count("row count", 1)
		cols := d.cols()
		c.ids = d.ids(n)
		c.src = d.rows(n, cols)
	case opPutRange:
		c.lo = d.varint("range start")
		n := d.count("row count", 4)
		c.src = d.rows(n, d.cols())
	case opRemove:
		c.ids = d.ids(d.count("row count", 1))
	case opAnnounce:
		c.id, c.addr = d.string("member id"), d.string("member address")
	default:
		d.fail("unknown op %d", b[1])
	}
	if d.err == nil && d.off != len(b) {
		d.fail("%d trailing bytes", len(b)-d.off)
	}
	if d.err != nil {
		return nil, d.err
	}
	return c, nil
}
