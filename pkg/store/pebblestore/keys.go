package pebblestore

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gnnscale/gnnscale/pkg/store"
)

// Key space. Every key starts with a one-byte tag:
//
//	"Mv"                      format version
//	"Mn"                      next table id (uint32)
//	"Ma" <group> <name>       attribute record (see attrRecord)
//	"Me" <src> <rel> <dst>    edge type record (see edgeRecord)
//	"Mp" <id:4>               edge table being written (cleaned on open)
//	'F' <id:4> <chunk:8>      feature chunk: rows [chunk*C, (chunk+1)*C)
//	'E' <id:4> <last:4>       edge block: in-lists of nodes (prev last, last]
//	'D' <id:4>                edge block directory: last node of each block
//
// Names are uvarint-length-prefixed; integers are big-endian so keys sort
// numerically, and one table's keys form one contiguous range.
const (
	tagMeta  = 'M'
	tagChunk = 'F'
	tagBlock = 'E'
	tagDir   = 'D'

	formatVersion = 1
)

var (
	keyVersion = []byte("Mv")
	keyNextID  = []byte("Mn")
	prefixAttr = []byte("Ma")
	prefixEdge = []byte("Me")
	prefixPend = []byte("Mp")
	metaStart  = []byte("M")
	metaEnd    = []byte("N")
)

// errCorrupt marks a stored record that cannot be decoded.
var errCorrupt = errors.New("pebblestore: corrupt record")

func appendName(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func readName(b []byte) (string, []byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return "", nil, errCorrupt
	}
	return string(b[k : k+int(n)]), b[k+int(n):], nil
}

func attrKey(k store.Key) []byte {
	return appendName(appendName(append([]byte(nil), prefixAttr...), k.Group), k.Name)
}

func edgeKey(et store.EdgeType) []byte {
	b := append([]byte(nil), prefixEdge...)
	return appendName(appendName(appendName(b, et.Src), et.Rel), et.Dst)
}

func pendingKey(id uint32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), prefixPend...), id)
}

func chunkKey(buf []byte, id uint32, chunk int64) []byte {
	buf = append(buf[:0], tagChunk)
	buf = binary.BigEndian.AppendUint32(buf, id)
	return binary.BigEndian.AppendUint64(buf, uint64(chunk))
}

func blockKey(buf []byte, id uint32, last int32) []byte {
	buf = append(buf[:0], tagBlock)
	buf = binary.BigEndian.AppendUint32(buf, id)
	return binary.BigEndian.AppendUint32(buf, uint32(last))
}

func dirKey(id uint32) []byte { return binary.BigEndian.AppendUint32([]byte{tagDir}, id) }

// tableSpan returns [lo, hi) covering every key of table id under tag.
func tableSpan(tag byte, id uint32) (lo, hi []byte) {
	lo = binary.BigEndian.AppendUint32([]byte{tag}, id)
	hi = binary.BigEndian.AppendUint32([]byte{tag}, id+1)
	if id == ^uint32(0) {
		hi = []byte{tag + 1}
	}
	return lo, hi
}

// attrRecord is the catalog entry of an attribute.
type attrRecord struct {
	id        uint32
	rows      int64
	cols      int
	chunkRows int
}

func (r attrRecord) encode() []byte {
	b := []byte{1}
	b = binary.AppendUvarint(b, uint64(r.id))
	b = binary.AppendUvarint(b, uint64(r.rows))
	b = binary.AppendUvarint(b, uint64(r.cols))
	return binary.AppendUvarint(b, uint64(r.chunkRows))
}

func decodeAttr(key, val []byte) (store.Key, attrRecord, error) {
	var k store.Key
	var err error
	rest := key[len(prefixAttr):]
	if k.Group, rest, err = readName(rest); err == nil {
		k.Name, rest, err = readName(rest)
	}
	if err != nil || len(rest) != 0 {
		return k, attrRecord{}, fmt.Errorf("%w: attribute key %q", errCorrupt, key)
	}
	v, err := uvarints(val, 4)
	if err != nil || v[0] > 1<<32-1 || v[1] > 1<<62 || v[2] < 1 || v[2] > store.MaxCols ||
		v[3] < 1 || v[3] > maxChunkRows || v[3]&(v[3]-1) != 0 {
		return k, attrRecord{}, fmt.Errorf("%w: attribute %v: record %x", errCorrupt, k, val)
	}
	return k, attrRecord{id: uint32(v[0]), rows: int64(v[1]), cols: int(v[2]), chunkRows: int(v[3])}, nil
}

// edgeRecord is the catalog entry of an edge type.
type edgeRecord struct {
	id       uint32
	numNodes int
	numEdges int64
	weighted bool
	timed    bool
}

func (r edgeRecord) encode() []byte {
	b := []byte{1}
	b = binary.AppendUvarint(b, uint64(r.id))
	b = binary.AppendUvarint(b, uint64(r.numNodes))
	b = binary.AppendUvarint(b, uint64(r.numEdges))
	var flags uint64
	if r.weighted {
		flags |= 1
	}
	if r.timed {
		flags |= 2
	}
	return binary.AppendUvarint(b, flags)
}

func decodeEdge(key, val []byte) (store.EdgeType, edgeRecord, error) {
	var et store.EdgeType
	var err error
	rest := key[len(prefixEdge):]
	if et.Src, rest, err = readName(rest); err == nil {
		if et.Rel, rest, err = readName(rest); err == nil {
			et.Dst, rest, err = readName(rest)
		}
	}
	if err != nil || len(rest) != 0 {
		return et, edgeRecord{}, fmt.Errorf("%w: edge type key %q", errCorrupt, key)
	}
	v, err := uvarints(val, 4)
	if err != nil || v[0] > 1<<32-1 || v[1] > 1<<31-1 || v[2] > 1<<62 || v[3] > 3 {
		return et, edgeRecord{}, fmt.Errorf("%w: edge type %v: record %x", errCorrupt, et, val)
	}
	return et, edgeRecord{id: uint32(v[0]), numNodes: int(v[1]), numEdges: int64(v[2]),
		weighted: v[3]&1 != 0, timed: v[3]&2 != 0}, nil
}

// uvarints decodes a version byte (1) followed by exactly n uvarints.
func uvarints(b []byte, n int) ([]uint64, error) {
	if len(b) == 0 || b[0] != 1 {
		return nil, errCorrupt
	}
	b = b[1:]
	out := make([]uint64, n)
	for i := range out {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, errCorrupt
		}
		out[i], b = v, b[k:]
	}
	if len(b) != 0 {
		return nil, errCorrupt
	}
	return out, nil
}
