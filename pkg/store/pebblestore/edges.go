package pebblestore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// edgeTable is one stored version of an edge type: immutable blocks under
// table id rec.id and the in-memory directory of their last nodes. A put
// of the edge type writes a new version and deletes this one.
type edgeTable struct {
	b       *Backend
	et      store.EdgeType
	rec     edgeRecord
	dir     []int32 // last node of each block, ascending
	lo, hi  []byte
	dropped atomic.Bool
}

// errStale: a block of a table that a concurrent put or drop deleted.
var errStale = errors.New("pebblestore: edge table replaced")

// batchBytes is the size at which a large write is cut into batches.
var batchBytes = 32 << 20 // a variable so tests can force multi-batch puts

func (b *Backend) newEdgeTable(et store.EdgeType, rec edgeRecord, dir []int32) *edgeTable {
	e := &edgeTable{b: b, et: et, rec: rec, dir: dir}
	e.lo, e.hi = tableSpan(tagBlock, rec.id)
	return e
}

func (b *Backend) loadEdgeTable(et store.EdgeType, rec edgeRecord) (*edgeTable, error) {
	v, closer, err := b.db.Get(dirKey(rec.id))
	if err != nil {
		return nil, fmt.Errorf("%w: edge type %v: directory: %v", errCorrupt, et, err)
	}
	defer closer.Close()
	if len(v)%4 != 0 {
		return nil, fmt.Errorf("%w: edge type %v: directory of %d bytes", errCorrupt, et, len(v))
	}
	dir := make([]int32, len(v)/4)
	for i := range dir {
		dir[i] = int32(binary.LittleEndian.Uint32(v[4*i:]))
		if (i > 0 && dir[i] <= dir[i-1]) || dir[i] < 0 {
			return nil, fmt.Errorf("%w: edge type %v: directory not increasing at %d", errCorrupt, et, i)
		}
	}
	if (rec.numNodes == 0) != (len(dir) == 0) || (len(dir) > 0 && int(dir[len(dir)-1]) != rec.numNodes-1) {
		return nil, fmt.Errorf("%w: edge type %v: directory does not cover %d nodes", errCorrupt, et, rec.numNodes)
	}
	return b.newEdgeTable(et, rec, dir), nil
}

// Info implements store.EdgeTable.
func (e *edgeTable) Info() store.EdgeInfo {
	return store.EdgeInfo{Type: e.et, NumNodes: e.rec.numNodes, NumEdges: e.rec.numEdges,
		Weighted: e.rec.weighted, Timed: e.rec.timed}
}

// blockOf returns the index of the block holding node v.
func (e *edgeTable) blockOf(v int32) int32 {
	return int32(sort.Search(len(e.dir), func(i int) bool { return e.dir[i] >= v }))
}

func (e *edgeTable) firstOf(bi int32) int32 {
	if bi == 0 {
		return 0
	}
	return e.dir[bi-1] + 1
}

func (e *edgeTable) cacheKey(bi int32) uint64 { return edgeBit | uint64(e.rec.id)<<40 | uint64(bi) }

// view wraps a trusted (validated when first read) block.
func (e *edgeTable) view(bi int32, b []byte) block {
	le := binary.LittleEndian
	l := layoutOf(int(le.Uint32(b[4:])), int(le.Uint32(b[8:])), e.rec.weighted, e.rec.timed)
	return block{b: b, first: e.firstOf(bi), l: l}
}

// Neighbors implements store.EdgeTable. If a concurrent put or drop
// deleted this version mid-call, it starts over on the current version
// (the answer always comes from one version).
func (e *edgeTable) Neighbors(ctx context.Context, nodes []int32, dst *graph.Adjacency) error {
	cur := e
	for attempt := 0; ; attempt++ {
		err := cur.neighbors(ctx, nodes, dst)
		if !errors.Is(err, errStale) {
			return err
		}
		next, err := e.b.edgeTable(e.et)
		if err != nil {
			return err
		}
		if next == cur || attempt == 3 {
			return fmt.Errorf("%w: edge type %v: blocks missing", errCorrupt, e.et)
		}
		cur = next
		dst.Reset()
	}
}

type blockMiss struct {
	bi    int32
	epoch uint64
}

func (e *edgeTable) neighbors(ctx context.Context, nodes []int32, dst *graph.Adjacency) error {
	if e.dropped.Load() {
		return errStale
	}
	rc := e.b.rc
	bis := make([]int32, len(nodes))
	local := make(map[int32]block)
	var misses []blockMiss
	lastBI := int32(-1)
	for i, v := range nodes {
		bi := lastBI
		if bi < 0 || v > e.dir[bi] || v < e.firstOf(bi) {
			bi = e.blockOf(v)
		}
		bis[i], lastBI = bi, bi
		if _, ok := local[bi]; ok {
			continue
		}
		var epoch uint64
		if rc != nil {
			val, hit, ep := rc.get(e.cacheKey(bi))
			if hit {
				local[bi] = e.view(bi, val)
				continue
			}
			epoch = ep
		}
		local[bi] = block{} // placeholder: read below
		misses = append(misses, blockMiss{bi: bi, epoch: epoch})
	}
	if len(misses) > 0 {
		sort.Slice(misses, func(i, j int) bool { return misses[i].bi < misses[j].bi })
		if err := e.readBlocks(ctx, misses, local); err != nil {
			return err
		}
	}
	var bk block
	lastBI = -1
	for i, v := range nodes {
		if bis[i] != lastBI {
			bk, lastBI = local[bis[i]], bis[i]
		}
		bk.appendNode(v, dst)
	}
	return nil
}

// readBlocks reads the missed blocks (sorted) with one iterator, validates
// them, caches aligned copies and records them in local.
func (e *edgeTable) readBlocks(ctx context.Context, misses []blockMiss, local map[int32]block) error {
	it, err := e.b.db.NewIter(&pebble.IterOptions{LowerBound: e.lo, UpperBound: e.hi})
	if err != nil {
		return err
	}
	defer it.Close()
	var kb [9]byte
	for n, m := range misses {
		if n%64 == 63 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		key := blockKey(kb[:0], e.rec.id, e.dir[m.bi])
		if !it.SeekGE(key) || string(it.Key()) != string(key) {
			if err := it.Error(); err != nil {
				return err
			}
			return errStale
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return err
		}
		owned := alignedBytes(len(v))
		copy(owned, v)
		bk, err := parseBlock(owned, e.firstOf(m.bi), e.dir[m.bi], e.rec)
		if err != nil {
			return err
		}
		local[m.bi] = bk
		if e.b.rc != nil {
			e.b.rc.insert(e.cacheKey(m.bi), owned, 0, m.epoch)
		}
	}
	return nil
}

// Topology implements store.EdgeTable with one scan over the blocks.
func (e *edgeTable) Topology(ctx context.Context) (*store.Topology, error) {
	if e.dropped.Load() {
		return nil, store.ErrNotFound
	}
	it, err := e.b.db.NewIter(&pebble.IterOptions{LowerBound: e.lo, UpperBound: e.hi})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	m := e.rec.numEdges
	t := &store.Topology{NumNodes: e.rec.numNodes, Indptr: make([]int64, 1, e.rec.numNodes+1),
		Src: make([]int32, 0, m), EdgeID: make([]int64, 0, m)}
	if e.rec.weighted {
		t.Weight = make([]float32, 0, m)
	}
	if e.rec.timed {
		t.Time = make([]int64, 0, m)
	}
	adj := graph.Adjacency{Indptr: t.Indptr, Nbrs: t.Src, EdgeID: t.EdgeID, Weight: t.Weight, Time: t.Time}
	bi := int32(0)
	for valid := it.First(); valid; valid = it.Next() {
		if bi%256 == 255 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if int(bi) >= len(e.dir) {
			return nil, fmt.Errorf("%w: edge type %v: more blocks than the directory lists", errCorrupt, e.et)
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return nil, err
		}
		bk, err := parseBlock(alignedCopy(v), e.firstOf(bi), e.dir[bi], e.rec)
		if err != nil {
			return nil, err
		}
		for v := bk.first; v <= e.dir[bi]; v++ {
			bk.appendNode(v, &adj)
		}
		bi++
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	if int(bi) != len(e.dir) {
		if e.dropped.Load() {
			return nil, store.ErrNotFound
		}
		return nil, fmt.Errorf("%w: edge type %v: %d blocks, directory lists %d", errCorrupt, e.et, bi, len(e.dir))
	}
	t.Indptr, t.Src, t.EdgeID = adj.Indptr, adj.Nbrs, adj.EdgeID
	if e.rec.weighted {
		t.Weight = adj.Weight
	}
	if e.rec.timed {
		t.Time = adj.Time
	}
	if int64(len(t.Src)) != m {
		return nil, fmt.Errorf("%w: edge type %v: %d edges, record says %d", errCorrupt, e.et, len(t.Src), m)
	}
	return t, nil
}

func alignedCopy(v []byte) []byte {
	b := alignedBytes(len(v))
	copy(b, v)
	return b
}

// edgeTable returns the current version of et.
func (b *Backend) edgeTable(et store.EdgeType) (*edgeTable, error) {
	b.emu.RLock()
	e, ok := b.edges[et]
	b.emu.RUnlock()
	if !ok {
		return nil, store.ErrNotFound
	}
	return e, nil
}

// Edges implements store.GraphBackend.
func (b *Backend) Edges(_ context.Context, et store.EdgeType) (store.EdgeTable, error) {
	e, err := b.edgeTable(et)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// EdgeTypes implements store.GraphBackend.
func (b *Backend) EdgeTypes(context.Context) ([]store.EdgeInfo, error) {
	b.emu.RLock()
	defer b.emu.RUnlock()
	out := make([]store.EdgeInfo, 0, len(b.edges))
	for _, e := range b.edges {
		out = append(out, e.Info())
	}
	return out, nil
}

// PutTopology implements store.GraphBackend. The blocks go under a fresh
// table id, in batches of about 32 MiB (all but the last unsynced; the
// final synced commit makes them durable too); one final batch publishes
// the new version and deletes the old one. Until then the id is recorded
// as pending, so a crash leaves nothing behind after the next Open.
func (b *Backend) PutTopology(ctx context.Context, et store.EdgeType, t *store.Topology) (err error) {
	if err := b.checkWritable(); err != nil {
		return err
	}
	b.catMu.Lock()
	defer b.catMu.Unlock()
	dir := splitBlocks(t, b.opts.EdgeBlockBytes)
	first := 0
	for _, last := range dir {
		if n := t.Indptr[last+1] - t.Indptr[first]; n >= 1<<32-1 {
			return fmt.Errorf("%w: nodes %d..%d have %d in-edges, a block holds fewer than 2^32", store.ErrInvalid, first, last, n)
		}
		first = int(last) + 1
	}
	id, err := b.allocID()
	if err != nil {
		return err
	}
	start := b.db.NewBatch()
	start.Set(pendingKey(id), nil, nil)
	start.Set(keyNextID, b.nextIDValue(), nil)
	err = start.Commit(pebble.Sync)
	start.Close()
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			b.cleanupEdgeData(id)
		}
	}()
	batch := b.db.NewBatch()
	defer func() { batch.Close() }()
	if err := b.writeBlocks(ctx, t, dir, id, &batch); err != nil {
		return err
	}
	rec := edgeRecord{id: id, numNodes: t.NumNodes, numEdges: t.NumEdges(), weighted: t.Weight != nil, timed: t.Time != nil}
	enc := make([]byte, 4*len(dir))
	for i, v := range dir {
		binary.LittleEndian.PutUint32(enc[4*i:], uint32(v))
	}
	batch.Set(dirKey(id), enc, nil)
	batch.Set(edgeKey(et), rec.encode(), nil)
	batch.Delete(pendingKey(id), nil)
	old, _ := b.edgeTable(et)
	if old != nil {
		deleteEdgeData(batch, old.rec.id)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Publish under emu so no reader resolves the old version after its
	// blocks are gone (see edgeTable.Neighbors).
	nt := b.newEdgeTable(et, rec, dir)
	b.emu.Lock()
	defer b.emu.Unlock()
	if err := batch.Commit(pebble.Sync); err != nil {
		return err
	}
	b.edges[et] = nt
	if old != nil {
		old.dropped.Store(true)
	}
	return nil
}

// writeBlocks writes the blocks of t under table id: one ingested sstable
// when the index is large (Options.IngestMinBytes), else unsynced batches
// of about 32 MiB (the final synced commit of the caller makes them
// durable). *batch is the batch the caller commits last.
func (b *Backend) writeBlocks(ctx context.Context, t *store.Topology, dir []int32, id uint32, batch **pebble.Batch) error {
	var kb [9]byte
	est := t.NumEdges()*24 + int64(t.NumNodes)*4
	if m := b.opts.IngestMinBytes; m > 0 && est >= m {
		sst, err := b.newSST()
		if err != nil {
			return err
		}
		first := 0
		for _, last := range dir {
			if err := sst.set(blockKey(kb[:0], id, last), encodeBlock(t, first, int(last)-first+1)); err != nil {
				sst.abort()
				return err
			}
			first = int(last) + 1
		}
		return sst.ingest(ctx)
	}
	first := 0
	for _, last := range dir {
		(*batch).Set(blockKey(kb[:0], id, last), encodeBlock(t, first, int(last)-first+1), nil)
		first = int(last) + 1
		if (*batch).Len() >= batchBytes {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := (*batch).Commit(pebble.NoSync); err != nil {
				return err
			}
			(*batch).Close()
			*batch = b.db.NewBatch()
		}
	}
	return nil
}

// DropEdges implements store.GraphBackend.
func (b *Backend) DropEdges(ctx context.Context, et store.EdgeType) error {
	if err := b.checkWritable(); err != nil {
		return err
	}
	b.catMu.Lock()
	defer b.catMu.Unlock()
	old, err := b.edgeTable(et)
	if err != nil {
		return err
	}
	batch := b.db.NewBatch()
	defer batch.Close()
	batch.Delete(edgeKey(et), nil)
	deleteEdgeData(batch, old.rec.id)
	if err := ctx.Err(); err != nil {
		return err
	}
	b.emu.Lock()
	defer b.emu.Unlock()
	if err := batch.Commit(pebble.Sync); err != nil {
		return err
	}
	delete(b.edges, et)
	old.dropped.Store(true)
	return nil
}

// deleteEdgeData adds the deletion of table id's blocks and directory.
func deleteEdgeData(batch *pebble.Batch, id uint32) {
	lo, hi := tableSpan(tagBlock, id)
	batch.DeleteRange(lo, hi, nil)
	batch.Delete(dirKey(id), nil)
}

// cleanupEdgeData removes a failed put's blocks; if this fails too, the
// pending record makes the next Open do it.
func (b *Backend) cleanupEdgeData(id uint32) {
	batch := b.db.NewBatch()
	defer batch.Close()
	deleteEdgeData(batch, id)
	batch.Delete(pendingKey(id), nil)
	if err := batch.Commit(pebble.Sync); err != nil {
		b.opts.Logger.Warn("pebblestore: cleaning up a failed edge put", "id", id, "err", err)
	}
}
