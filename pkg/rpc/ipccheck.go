package rpc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Arrow's IPC reader trusts the lengths written in a stream: a 1.4 KB
// message that claims a schema of a billion fields makes it allocate
// gigabytes (found by FuzzDecodeRows). A server must not, so splitIPC
// walks the stream's framing and the few flatbuffer tables a rows stream
// has, with bounds checks, before the reader sees it: every message and
// body within the bytes, only schema and record batch messages, one
// column with one child, and small node, buffer and metadata counts.

// Flatbuffer slots (Arrow's format/Message.fbs and Schema.fbs).
const (
	msgHeaderType, msgHeader, msgBodyLength, msgCustomMeta = 1, 2, 3, 4
	schemaFields, schemaCustomMeta                         = 1, 2
	fieldChildren, fieldCustomMeta                         = 5, 6
	batchNodes, batchBuffers                               = 1, 2

	headerSchema, headerRecordBatch = 1, 3

	maxMetadata = 64 // key-value pairs of custom metadata per table
)

var errIPC = errors.New("malformed Arrow IPC stream")

// fbuf reads one flatbuffer with bounds checks; ok is false on any
// out-of-range access.
type fbuf []byte

func (b fbuf) u16(p int) (int, bool) {
	if p < 0 || p+2 > len(b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint16(b[p:])), true
}

func (b fbuf) i32(p int) (int, bool) {
	if p < 0 || p+4 > len(b) {
		return 0, false
	}
	return int(int32(binary.LittleEndian.Uint32(b[p:]))), true
}

// field returns the position of a table's slot, 0 if it is absent.
func (b fbuf) field(table, slot int) (int, bool) {
	soff, ok := b.i32(table)
	if !ok {
		return 0, false
	}
	vt := table - soff
	vtSize, ok := b.u16(vt)
	if !ok || vtSize < 4 {
		return 0, false
	}
	if 4+2*slot+2 > vtSize {
		return 0, true
	}
	off, ok := b.u16(vt + 4 + 2*slot)
	if !ok {
		return 0, false
	}
	if off == 0 {
		return 0, true
	}
	return table + off, true
}

// indirect follows the offset stored at p.
func (b fbuf) indirect(p int) (int, bool) {
	off, ok := b.i32(p)
	if !ok || off < 0 {
		return 0, false
	}
	return p + off, p+off < len(b)
}

// table returns the table a slot points to (0 if absent).
func (b fbuf) table(table, slot int) (int, bool) {
	p, ok := b.field(table, slot)
	if !ok || p == 0 {
		return 0, ok
	}
	return b.indirect(p)
}

// vector returns the start and length of a vector slot whose elements are
// elem bytes each, checked to lie within the buffer (0, 0 if absent).
func (b fbuf) vector(table, slot, elem int) (start, n int, ok bool) {
	p, ok := b.field(table, slot)
	if !ok || p == 0 {
		return 0, 0, ok
	}
	v, ok := b.indirect(p)
	if !ok {
		return 0, 0, false
	}
	n, ok = b.i32(v)
	if !ok || n < 0 || n > (len(b)-v-4)/elem {
		return 0, 0, false
	}
	return v + 4, n, true
}

// smallVector checks that a vector slot has at most max elements.
func (b fbuf) smallVector(table, slot, elem, max int) bool {
	_, n, ok := b.vector(table, slot, elem)
	return ok && n <= max
}

// ipcMessage is one message of a stream: its metadata flatbuffer and body.
type ipcMessage struct{ meta, body []byte }

// splitIPC validates the framing of an Arrow IPC stream of rows (see the
// comment above) and returns its messages, which alias s; it does not
// check the values.
func splitIPC(s []byte) ([]ipcMessage, error) {
	var msgs []ipcMessage
	for off := 0; off < len(s); {
		if off+8 > len(s) {
			return nil, fmt.Errorf("%w: truncated message header at byte %d", errIPC, off)
		}
		if binary.LittleEndian.Uint32(s[off:]) != 0xFFFFFFFF {
			return nil, fmt.Errorf("%w: no continuation marker at byte %d", errIPC, off)
		}
		metaLen := int(int32(binary.LittleEndian.Uint32(s[off+4:])))
		if metaLen == 0 { // end of stream
			return msgs, nil
		}
		if metaLen < 4 || metaLen > len(s)-off-8 {
			return nil, fmt.Errorf("%w: message metadata of %d bytes at byte %d", errIPC, metaLen, off)
		}
		meta := fbuf(s[off+8 : off+8+metaLen])
		msg, ok := meta.indirect(0)
		if !ok {
			return nil, fmt.Errorf("%w: bad message at byte %d", errIPC, off)
		}
		body, err := checkMessage(meta, msg)
		if err != nil {
			return nil, fmt.Errorf("%w: message at byte %d: %v", errIPC, off, err)
		}
		if body < 0 || body > int64(len(s)-off-8-metaLen) {
			return nil, fmt.Errorf("%w: body of %d bytes at byte %d", errIPC, body, off)
		}
		start := off + 8 + metaLen
		msgs = append(msgs, ipcMessage{meta: s[off+8 : start : start], body: s[start : start+int(body) : start+int(body)]})
		off = start + int(body)
	}
	return msgs, nil
}

// messages is an ipc.MessageReader over messages split from a stream in
// memory: bodies are read in place, not copied.
type messages struct {
	msgs []ipcMessage
	cur  *ipc.Message
}

// Message implements ipc.MessageReader; it returns io.EOF after the last
// message.
func (m *messages) Message() (*ipc.Message, error) {
	m.Release()
	if len(m.msgs) == 0 {
		return nil, io.EOF
	}
	next := m.msgs[0]
	m.msgs = m.msgs[1:]
	m.cur = ipc.NewMessage(memory.NewBufferBytes(next.meta), memory.NewBufferBytes(next.body))
	return m.cur, nil
}

// Retain implements ipc.MessageReader; the messages own no memory.
func (m *messages) Retain() {}

// Release implements ipc.MessageReader.
func (m *messages) Release() {
	if m.cur != nil {
		m.cur.Release()
		m.cur = nil
	}
}

// checkMessage checks one Message table and returns its body length.
func checkMessage(b fbuf, msg int) (int64, error) {
	tp, ok := b.field(msg, msgHeaderType)
	if !ok || tp == 0 || tp >= len(b) {
		return 0, errors.New("no header type")
	}
	kind := int(b[tp])
	var body int64
	if p, ok := b.field(msg, msgBodyLength); !ok {
		return 0, errors.New("bad body length")
	} else if p != 0 {
		if p+8 > len(b) {
			return 0, errors.New("bad body length")
		}
		body = int64(binary.LittleEndian.Uint64(b[p:]))
	}
	if !b.smallVector(msg, msgCustomMeta, 4, maxMetadata) {
		return 0, errors.New("too much custom metadata")
	}
	h, ok := b.table(msg, msgHeader)
	if !ok || h == 0 {
		return 0, errors.New("no header")
	}
	switch kind {
	case headerSchema:
		return body, checkSchema(b, h)
	case headerRecordBatch:
		if !b.smallVector(h, batchNodes, 16, 4) || !b.smallVector(h, batchBuffers, 16, 8) {
			return 0, errors.New("record batch with too many nodes or buffers")
		}
		return body, nil
	default:
		return 0, fmt.Errorf("message type %d (want schema or record batch)", kind)
	}
}

// checkSchema accepts a schema of one field with one child field without
// children.
func checkSchema(b fbuf, schema int) error {
	if !b.smallVector(schema, schemaCustomMeta, 4, maxMetadata) {
		return errors.New("too much schema metadata")
	}
	start, n, ok := b.vector(schema, schemaFields, 4)
	if !ok || n != 1 {
		return fmt.Errorf("want 1 field")
	}
	for depth := 0; depth < 2; depth++ {
		field, ok := b.indirect(start)
		if !ok {
			return errors.New("bad field")
		}
		if !b.smallVector(field, fieldCustomMeta, 4, maxMetadata) {
			return errors.New("too much field metadata")
		}
		var kids int
		start, kids, ok = b.vector(field, fieldChildren, 4)
		if !ok || kids != 1-depth {
			return fmt.Errorf("field at depth %d has %d children, want %d", depth, kids, 1-depth)
		}
	}
	return nil
}
