package pebblestore

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// An edge block holds the in-neighbour lists of the consecutive nodes
// [first, first+count):
//
//	[0:4) first node  [4:8) count  [8:12) entries E  [12:16) flags (1 weighted, 2 timed)
//	offsets: count+1 uint32, relative entry index of each node, padded to 8 bytes
//	sources: E int32, padded to 8 bytes; edge ids: E int64
//	weights: E float32 padded to 8 bytes (if weighted); times: E int64 (if timed)
//
// all little-endian. Sections start 8-byte aligned, so a block copied into
// aligned memory is read through typed views without decoding.
const blockHeader = 16

// blockLayout gives the section offsets of a block.
type blockLayout struct {
	count, entries             int
	weighted, timed            bool
	offs, src, eid, w, tm, end int
}

func layoutOf(count, entries int, weighted, timed bool) blockLayout {
	l := blockLayout{count: count, entries: entries, weighted: weighted, timed: timed}
	l.offs = blockHeader
	l.src = l.offs + pad8(4*(count+1))
	l.eid = l.src + pad8(4*entries)
	l.w = l.eid + 8*entries
	l.tm = l.w
	if weighted {
		l.tm += pad8(4 * entries)
	}
	l.end = l.tm
	if timed {
		l.end += 8 * entries
	}
	return l
}

// encodeBlock encodes nodes [first, first+count) of t.
func encodeBlock(t *store.Topology, first, count int) []byte {
	base := t.Indptr[first]
	entries := int(t.Indptr[first+count] - base)
	l := layoutOf(count, entries, t.Weight != nil, t.Time != nil)
	b := make([]byte, l.end)
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(first))
	le.PutUint32(b[4:], uint32(count))
	le.PutUint32(b[8:], uint32(entries))
	var flags uint32
	if l.weighted {
		flags |= 1
	}
	if l.timed {
		flags |= 2
	}
	le.PutUint32(b[12:], flags)
	for i := 0; i <= count; i++ {
		le.PutUint32(b[l.offs+4*i:], uint32(t.Indptr[first+i]-base))
	}
	for k := 0; k < entries; k++ {
		e := base + int64(k)
		le.PutUint32(b[l.src+4*k:], uint32(t.Src[e]))
		le.PutUint64(b[l.eid+8*k:], uint64(t.EdgeID[e]))
		if l.weighted {
			le.PutUint32(b[l.w+4*k:], math.Float32bits(t.Weight[e]))
		}
		if l.timed {
			le.PutUint64(b[l.tm+8*k:], uint64(t.Time[e]))
		}
	}
	return b
}

// block is a decoded view of an encoded block.
type block struct {
	b     []byte
	first int32
	l     blockLayout
}

// parseBlock checks an encoded block against what the directory and the
// edge record say it must hold.
func parseBlock(b []byte, wantFirst, wantLast int32, rec edgeRecord) (block, error) {
	bad := func(why string) (block, error) {
		return block{}, fmt.Errorf("%w: edge block (%d..%d] of table %d: %s", errCorrupt, wantFirst-1, wantLast, rec.id, why)
	}
	if len(b) < blockHeader {
		return bad("short header")
	}
	le := binary.LittleEndian
	first, count, entries, flags := int32(le.Uint32(b)), int(le.Uint32(b[4:])), int(le.Uint32(b[8:])), le.Uint32(b[12:])
	if first != wantFirst || int64(first)+int64(count)-1 != int64(wantLast) || flags > 3 {
		return bad(fmt.Sprintf("header says first %d count %d flags %d", first, count, flags))
	}
	l := layoutOf(count, entries, flags&1 != 0, flags&2 != 0)
	if l.weighted != rec.weighted || l.timed != rec.timed || len(b) != l.end {
		return bad(fmt.Sprintf("%d bytes, layout wants %d", len(b), l.end))
	}
	prev := uint32(0)
	for i := 0; i <= count; i++ {
		o := le.Uint32(b[l.offs+4*i:])
		if o < prev || int(o) > entries || (i == 0 && o != 0) || (i == count && int(o) != entries) {
			return bad(fmt.Sprintf("offset %d of node %d", o, int(first)+i))
		}
		prev = o
	}
	for k := 0; k < entries; k++ {
		if s := int32(le.Uint32(b[l.src+4*k:])); s < 0 || int(s) >= rec.numNodes {
			return bad(fmt.Sprintf("source %d out of range", s))
		}
	}
	return block{b: b, first: first, l: l}, nil
}

// appendNode appends node v's in-neighbours to dst.
func (bk *block) appendNode(v int32, dst *graph.Adjacency) {
	le := binary.LittleEndian
	i := int(v - bk.first)
	lo := int(le.Uint32(bk.b[bk.l.offs+4*i:]))
	hi := int(le.Uint32(bk.b[bk.l.offs+4*i+4:]))
	if hi > lo {
		l := &bk.l
		dst.Nbrs = appendInt32s(dst.Nbrs, bk.b[l.src+4*lo:l.src+4*hi])
		dst.EdgeID = appendInt64s(dst.EdgeID, bk.b[l.eid+8*lo:l.eid+8*hi])
		if l.weighted {
			dst.Weight = appendFloat32s(dst.Weight, bk.b[l.w+4*lo:l.w+4*hi])
		}
		if l.timed {
			dst.Time = appendInt64s(dst.Time, bk.b[l.tm+8*lo:l.tm+8*hi])
		}
	}
	dst.Indptr = append(dst.Indptr, int64(len(dst.Nbrs)))
}

// splitBlocks cuts [0, n) into blocks of at most maxBlockNodes nodes and
// about target bytes each (a node is never split), returning the last node
// of each block. An empty graph has no blocks.
func splitBlocks(t *store.Topology, target int) []int32 {
	var dir []int32
	per := 8 + 4 // bytes per entry: source + edge id
	if t.Weight != nil {
		per += 4
	}
	if t.Time != nil {
		per += 8
	}
	for first := 0; first < t.NumNodes; {
		last := first
		for last+1 < t.NumNodes && last+1-first < maxBlockNodes {
			size := (t.Indptr[last+2]-t.Indptr[first])*int64(per) + 4*int64(last+2-first)
			if size > int64(target) {
				break
			}
			last++
		}
		dir = append(dir, int32(last))
		first = last + 1
	}
	return dir
}
