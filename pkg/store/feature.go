package store

import (
	"context"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// FeatureReader reads rows of tensor attributes. It is what the trainer and
// the samplers consume.
type FeatureReader interface {
	// Get copies the rows ids of attribute key into dst, row i of dst
	// receiving row ids[i]. Ids may repeat and come in any order. dst must be
	// len(ids) x Cols (any stride); it belongs to the caller and is not
	// retained after Get returns (a pinned buffer may be the destination).
	//
	// Errors: ErrNotFound if key does not exist or a requested row is absent
	// (the *Error names the row); ErrOutOfRange for an id outside [0, Rows)
	// and ErrShape for a dst of the wrong shape, both detected before
	// anything is read, so dst is unchanged; a context error if ctx ends. On
	// ErrNotFound for a row or a context error, dst may be partly written.
	Get(ctx context.Context, key Key, ids []int64, dst *tensor.Dense) error
	// Info returns the attribute's shape, or ErrNotFound.
	Info(ctx context.Context, key Key) (AttrInfo, error)
}

// FeatureWriter writes rows of tensor attributes.
type FeatureWriter interface {
	// Put writes row i of src as row ids[i] of attribute key, making those
	// rows present. When an id repeats, the last occurrence wins. src must
	// be len(ids) x Cols; it is not retained. A Put is atomic: it either
	// happens entirely or, when it returns an error, changes nothing; a
	// durable backend has persisted it when Put returns nil.
	//
	// Errors: ErrNotFound (no such attribute), ErrOutOfRange, ErrShape, a
	// context error (checked before the write is committed), ErrClosed.
	Put(ctx context.Context, key Key, ids []int64, src *tensor.Dense) error
	// Remove makes rows ids absent; removing an absent row is not an error.
	// Atomic like Put. Errors: ErrNotFound (no such attribute),
	// ErrOutOfRange, a context error, ErrClosed.
	Remove(ctx context.Context, key Key, ids []int64) error
}

// FeatureStore is the full feature storage interface, modelled on PyG's
// FeatureStore but batched and context-first. Implementations are safe for
// concurrent use: reads may run during writes and see each write either
// entirely or not at all per row.
type FeatureStore interface {
	FeatureReader
	FeatureWriter
	// Create declares an attribute of info.Rows x info.Cols with every row
	// absent. Errors: ErrExists, ErrInvalid (bad name or shape).
	Create(ctx context.Context, info AttrInfo) error
	// Drop deletes an attribute and all its rows. Errors: ErrNotFound.
	Drop(ctx context.Context, key Key) error
	// Attrs lists every attribute, sorted by key. The slice is the caller's.
	Attrs(ctx context.Context) ([]AttrInfo, error)
}

// RangeGetter is an optional fast path of a FeatureReader: Get of the
// contiguous rows [lo, lo+dst.Rows). Use the [GetRange] helper, which falls
// back to Get when a reader lacks it.
type RangeGetter interface {
	GetRange(ctx context.Context, key Key, lo int64, dst *tensor.Dense) error
}

// RangePutter is an optional fast path of a FeatureWriter: Put of the
// contiguous rows [lo, lo+src.Rows). Use the [PutRange] helper.
type RangePutter interface {
	PutRange(ctx context.Context, key Key, lo int64, src *tensor.Dense) error
}

// GetRange reads rows [lo, lo+dst.Rows) of key into dst, through the
// reader's RangeGetter when it has one and Get otherwise.
func GetRange(ctx context.Context, r FeatureReader, key Key, lo int64, dst *tensor.Dense) error {
	if rg, ok := r.(RangeGetter); ok {
		return rg.GetRange(ctx, key, lo, dst)
	}
	if dst == nil {
		return &Error{Op: "get", Key: key.String(), Row: NoRow, Err: errNilTensor("dst")}
	}
	return r.Get(ctx, key, arange(lo, dst.Rows), dst)
}

// PutRange writes src as rows [lo, lo+src.Rows) of key, through the
// writer's RangePutter when it has one and Put otherwise.
func PutRange(ctx context.Context, w FeatureWriter, key Key, lo int64, src *tensor.Dense) error {
	if rp, ok := w.(RangePutter); ok {
		return rp.PutRange(ctx, key, lo, src)
	}
	if src == nil {
		return &Error{Op: "put", Key: key.String(), Row: NoRow, Err: errNilTensor("src")}
	}
	return w.Put(ctx, key, arange(lo, src.Rows), src)
}

// arange returns lo, lo+1, ..., lo+n-1.
func arange(lo int64, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = lo + int64(i)
	}
	return ids
}

// FeatureBackend is the implementer's side of a feature store: what a
// storage backend provides so that [NewFeatures] can offer the full
// [FeatureStore]. The wrapper validates names, shapes and ids once, so
// backends receive only well-formed input (see FeatureTable). Methods must
// be safe for concurrent use.
type FeatureBackend interface {
	// CreateAttr creates an attribute; info is valid. Returns ErrExists.
	CreateAttr(ctx context.Context, info AttrInfo) error
	// DropAttr deletes an attribute and its rows. Returns ErrNotFound.
	// Tables already handed out for it must afterwards fail with
	// ErrNotFound rather than touch a later attribute of the same name.
	DropAttr(ctx context.Context, key Key) error
	// Attrs lists every attribute in any order.
	Attrs(ctx context.Context) ([]AttrInfo, error)
	// Table returns a handle to one attribute, or ErrNotFound. A handle's
	// shape never changes; it may be used concurrently.
	Table(ctx context.Context, key Key) (FeatureTable, error)
}

// FeatureTable is one attribute of a FeatureBackend. The wrapper guarantees
// on every call: each id is in [0, Info().Rows); dst/src is valid and
// exactly len(ids) x Info().Cols (stride may exceed Cols); ctx was live at
// the start. The table must still check ctx during long operations and
// report absent rows with [RowError](op, key, row, ErrNotFound). Writes
// must be atomic (all or nothing) and durable when claimed.
type FeatureTable interface {
	Info() AttrInfo
	Get(ctx context.Context, ids []int64, dst *tensor.Dense) error
	Put(ctx context.Context, ids []int64, src *tensor.Dense) error
	Remove(ctx context.Context, ids []int64) error
}

// TableRangeGetter is the optional range fast path of a FeatureTable:
// rows [lo, lo+dst.Rows), already checked to be in range.
type TableRangeGetter interface {
	GetRange(ctx context.Context, lo int64, dst *tensor.Dense) error
}

// TableRangePutter is the optional range fast path of a FeatureTable.
type TableRangePutter interface {
	PutRange(ctx context.Context, lo int64, src *tensor.Dense) error
}
