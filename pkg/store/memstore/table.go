package memstore

import (
	"context"
	"sync"

	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

const (
	pageShift = 10
	pageRows  = 1 << pageShift
	pageMask  = pageRows - 1
)

// page holds pageRows rows and which of them are present.
type page struct {
	data    []float32 // pageRows * cols
	present [pageRows / 64]uint64
	count   int // present rows
}

func (p *page) has(r int64) bool { return p.present[r>>6]&(1<<(r&63)) != 0 }

// table is one attribute. Readers share mu; writers hold it exclusively, so
// a Put or Remove, validated before it starts, is seen entirely or not at all.
type table struct {
	info store.AttrInfo
	mu   sync.RWMutex
	// pages[i] holds rows [i*pageRows, (i+1)*pageRows); nil until written.
	pages   []*page
	dropped bool
}

func newTable(info store.AttrInfo) *table {
	return &table{info: info, pages: make([]*page, (info.Rows+pageRows-1)/pageRows)}
}

func (t *table) drop() {
	t.mu.Lock()
	t.dropped, t.pages = true, nil
	t.mu.Unlock()
}

// Info implements store.FeatureTable.
func (t *table) Info() store.AttrInfo { return t.info }

// Get implements store.FeatureTable.
func (t *table) Get(_ context.Context, ids []int64, dst *tensor.Dense) error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.dropped {
		return store.ErrNotFound
	}
	cols := t.info.Cols
	for i, id := range ids {
		p := t.pages[id>>pageShift]
		r := id & pageMask
		if p == nil || !p.has(r) {
			return store.RowError("get", t.info.Key, id, store.ErrNotFound)
		}
		off := int(r) * cols
		copy(dst.Data[i*dst.Stride:i*dst.Stride+cols], p.data[off:off+cols])
	}
	return nil
}

// GetRange implements store.TableRangeGetter.
func (t *table) GetRange(_ context.Context, lo int64, dst *tensor.Dense) error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.dropped {
		return store.ErrNotFound
	}
	cols := t.info.Cols
	for i := 0; i < dst.Rows; {
		id := lo + int64(i)
		p := t.pages[id>>pageShift]
		r := id & pageMask
		n := min(int(pageRows-r), dst.Rows-i) // rows left in this page
		if p == nil {
			return store.RowError("get", t.info.Key, id, store.ErrNotFound)
		}
		for j := 0; j < n; j++ {
			if !p.has(r + int64(j)) {
				return store.RowError("get", t.info.Key, id+int64(j), store.ErrNotFound)
			}
		}
		src := p.data[int(r)*cols : (int(r)+n)*cols]
		if dst.Stride == cols {
			copy(dst.Data[i*cols:(i+n)*cols], src)
		} else {
			for j := 0; j < n; j++ {
				copy(dst.Row(i+j), src[j*cols:(j+1)*cols])
			}
		}
		i += n
	}
	return nil
}

// Put implements store.FeatureTable.
func (t *table) Put(ctx context.Context, ids []int64, src *tensor.Dense) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.dropped {
		return store.ErrNotFound
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	cols := t.info.Cols
	for i, id := range ids {
		p := t.page(id >> pageShift)
		r := id & pageMask
		if !p.has(r) {
			p.present[r>>6] |= 1 << (r & 63)
			p.count++
		}
		copy(p.data[int(r)*cols:int(r+1)*cols], src.Row(i))
	}
	return nil
}

// PutRange implements store.TableRangePutter.
func (t *table) PutRange(ctx context.Context, lo int64, src *tensor.Dense) error {
	ids := make([]int64, src.Rows)
	for i := range ids {
		ids[i] = lo + int64(i)
	}
	return t.Put(ctx, ids, src)
}

// Remove implements store.FeatureTable.
func (t *table) Remove(ctx context.Context, ids []int64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.dropped {
		return store.ErrNotFound
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		pi := id >> pageShift
		p := t.pages[pi]
		r := id & pageMask
		if p == nil || !p.has(r) {
			continue
		}
		p.present[r>>6] &^= 1 << (r & 63)
		if p.count--; p.count == 0 {
			t.pages[pi] = nil
		}
	}
	return nil
}

// page returns page i, allocating it if needed. Caller holds mu.
func (t *table) page(i int64) *page {
	p := t.pages[i]
	if p == nil {
		p = &page{data: make([]float32, pageRows*t.info.Cols)}
		t.pages[i] = p
	}
	return p
}
