package rpc

import (
	"context"
	"fmt"
	"sync"

	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// maxGetBytes bounds the rows payload of one GetRows response; clients
// split larger reads (see FeatureClient).
const maxGetBytes = 16 << 20

// FeatureServer serves a store.FeatureStore over gRPC (the FeatureStore
// service of proto/gnnscale/v1/features.proto). It must own its store:
// attributes created or dropped behind its back are seen, but a drop and
// re-create of the same name behind its back is not told apart from the
// original by incarnation.
type FeatureServer struct {
	rpcpb.UnimplementedFeatureStoreServer
	fs store.FeatureStore

	// mu orders row operations (read-locked) against CreateAttr and
	// DropAttr (write-locked), so that an incarnation checked at the start
	// of a row operation still holds at its end.
	mu   sync.RWMutex
	incs map[store.Key]uint64 // incarnation of each attribute opened or created
	next uint64

	scratch sync.Pool // *[]float32: the rows a GetRows gathers before encoding

	rep Replicated // nil unless the store is a raft replica (NewReplicatedFeatureServer)
	fwd *forwarder // connections to leaders, with rep
}

// NewFeatureServer returns a server over fs.
func NewFeatureServer(fs store.FeatureStore) *FeatureServer {
	return &FeatureServer{fs: fs, incs: make(map[store.Key]uint64), next: 1}
}

func keyFromPB(k *rpcpb.AttrKey) store.Key {
	if k == nil {
		return store.Key{}
	}
	return store.Key{Group: k.Group, Name: k.Name}
}

func keyToPB(k store.Key) *rpcpb.AttrKey { return &rpcpb.AttrKey{Group: k.Group, Name: k.Name} }

func infoToPB(i store.AttrInfo) *rpcpb.AttrInfo {
	return &rpcpb.AttrInfo{Key: keyToPB(i.Key), Rows: i.Rows, Cols: int32(i.Cols)}
}

func infoFromPB(i *rpcpb.AttrInfo) store.AttrInfo {
	if i == nil {
		return store.AttrInfo{}
	}
	return store.AttrInfo{Key: keyFromPB(i.Key), Rows: i.Rows, Cols: int(i.Cols)}
}

// CreateAttr implements the FeatureStore service.
func (s *FeatureServer) CreateAttr(ctx context.Context, req *rpcpb.CreateAttrRequest) (*rpcpb.CreateAttrResponse, error) {
	info := infoFromPB(req.Info)
	s.mu.Lock()
	defer s.mu.Unlock()
	resp, err := writeOrForward(ctx, s, func() (*rpcpb.CreateAttrResponse, error) {
		err := s.fs.Create(ctx, info)
		return &rpcpb.CreateAttrResponse{Index: s.index()}, err
	}, func(ctx context.Context, c rpcpb.FeatureStoreClient) (*rpcpb.CreateAttrResponse, error) {
		return c.CreateAttr(ctx, req)
	})
	if err != nil {
		return nil, err
	}
	s.incs[info.Key] = s.next
	s.next++
	return resp, nil
}

// DropAttr implements the FeatureStore service.
func (s *FeatureServer) DropAttr(ctx context.Context, req *rpcpb.DropAttrRequest) (*rpcpb.DropAttrResponse, error) {
	key := keyFromPB(req.Key)
	s.mu.Lock()
	defer s.mu.Unlock()
	resp, err := writeOrForward(ctx, s, func() (*rpcpb.DropAttrResponse, error) {
		err := s.fs.Drop(ctx, key)
		return &rpcpb.DropAttrResponse{Index: s.index()}, err
	}, func(ctx context.Context, c rpcpb.FeatureStoreClient) (*rpcpb.DropAttrResponse, error) {
		return c.DropAttr(ctx, req)
	})
	if err != nil {
		return nil, err
	}
	delete(s.incs, key)
	return resp, nil
}

// ListAttrs implements the FeatureStore service.
func (s *FeatureServer) ListAttrs(ctx context.Context, _ *rpcpb.ListAttrsRequest) (*rpcpb.ListAttrsResponse, error) {
	attrs, err := s.fs.Attrs(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	resp := &rpcpb.ListAttrsResponse{Attrs: make([]*rpcpb.AttrInfo, len(attrs))}
	for i, a := range attrs {
		resp.Attrs[i] = infoToPB(a)
	}
	return resp, nil
}

// OpenAttr implements the FeatureStore service.
func (s *FeatureServer) OpenAttr(ctx context.Context, req *rpcpb.OpenAttrRequest) (*rpcpb.OpenAttrResponse, error) {
	key := keyFromPB(req.Key)
	s.mu.Lock()
	defer s.mu.Unlock()
	info, err := s.fs.Info(ctx, key)
	if err != nil {
		return nil, toStatus(err)
	}
	inc, ok := s.incs[key]
	if !ok {
		inc = s.next
		s.incs[key] = inc
		s.next++
	}
	return &rpcpb.OpenAttrResponse{Info: infoToPB(info), Incarnation: inc}, nil
}

// checkIncarnation returns ErrNotFound when inc (non-zero) is not the
// current incarnation of key. The caller holds s.mu.
func (s *FeatureServer) checkIncarnation(op string, key store.Key, inc uint64) error {
	if inc == 0 {
		return nil
	}
	if cur, ok := s.incs[key]; !ok || cur != inc {
		return &store.Error{Op: op, Key: key.String(), Row: store.NoRow,
			Err: fmt.Errorf("%w: attribute was dropped (incarnation %d is gone)", store.ErrNotFound, inc)}
	}
	return nil
}

// rowsRequest is the row selection of a request: ids, or a range.
type rowsRequest struct {
	ids       []int64
	lo, count int64
	isRange   bool
}

func rowsFromPB(op string, key store.Key, r *rpcpb.Rows) (rowsRequest, error) {
	if r == nil {
		return rowsRequest{}, nil
	}
	if len(r.Ids) > 0 {
		if r.Count != 0 || r.Lo != 0 {
			return rowsRequest{}, &store.Error{Op: op, Key: key.String(), Row: store.NoRow,
				Err: fmt.Errorf("%w: rows: ids and a range both given", store.ErrInvalid)}
		}
		return rowsRequest{ids: r.Ids}, nil
	}
	if r.Count < 0 {
		return rowsRequest{}, &store.Error{Op: op, Key: key.String(), Row: store.NoRow,
			Err: fmt.Errorf("%w: rows: negative count %d", store.ErrInvalid, r.Count)}
	}
	return rowsRequest{lo: r.Lo, count: r.Count, isRange: r.Count > 0}, nil
}

func (r rowsRequest) len() int64 {
	if r.isRange {
		return r.count
	}
	return int64(len(r.ids))
}

// startRows parses a row request's selection and read-locks the server
// after checking the attribute's incarnation; call unlock when done.
func (s *FeatureServer) startRows(op string, key store.Key, r *rpcpb.Rows, inc uint64) (rows rowsRequest, unlock func(), err error) {
	if rows, err = rowsFromPB(op, key, r); err != nil {
		return rowsRequest{}, nil, err
	}
	s.mu.RLock()
	if err := s.checkIncarnation(op, key, inc); err != nil {
		s.mu.RUnlock()
		return rowsRequest{}, nil, err
	}
	return rows, s.mu.RUnlock, nil
}

// startRowsInfo is startRows followed by the attribute's shape.
func (s *FeatureServer) startRowsInfo(ctx context.Context, op string, key store.Key, r *rpcpb.Rows, inc uint64) (rowsRequest, store.AttrInfo, func(), error) {
	rows, unlock, err := s.startRows(op, key, r, inc)
	if err != nil {
		return rowsRequest{}, store.AttrInfo{}, nil, err
	}
	info, err := s.fs.Info(ctx, key)
	if err != nil {
		unlock()
		return rowsRequest{}, store.AttrInfo{}, nil, err
	}
	return rows, info, unlock, nil
}

// GetRows implements the FeatureStore service.
func (s *FeatureServer) GetRows(ctx context.Context, req *rpcpb.GetRowsRequest) (*rpcpb.GetRowsResponse, error) {
	const op = "get"
	key := keyFromPB(req.Key)
	if err := s.waitIndex(ctx, op, key, req.MinIndex); err != nil {
		return nil, toStatus(err)
	}
	rows, info, unlock, err := s.startRowsInfo(ctx, op, key, req.Rows, req.Incarnation)
	if err != nil {
		return nil, toStatus(err)
	}
	defer unlock()
	if n := rows.len(); n*int64(info.Cols)*4 > maxGetBytes && n > 1 {
		return nil, toStatus(&store.Error{Op: op, Key: key.String(), Row: store.NoRow,
			Err: fmt.Errorf("%w: %d rows of %d values exceed the %d-byte response limit: split the request", store.ErrInvalid, n, info.Cols, maxGetBytes)})
	}
	if rows.isRange {
		if err := checkRange(op, key, info, rows.lo, rows.count); err != nil {
			return nil, toStatus(err)
		}
	}
	n := int(rows.len())
	vals := s.getScratch(n * info.Cols)
	defer s.scratch.Put(vals)
	dst := tensor.FromSlice(n, info.Cols, (*vals)[:n*info.Cols])
	if rows.isRange {
		err = store.GetRange(ctx, s.fs, key, rows.lo, dst)
	} else {
		err = s.fs.Get(ctx, key, rows.ids, dst)
	}
	if err != nil {
		return nil, toStatus(err)
	}
	// The payload goes into a pooled buffer, which the codec (rowsCodec)
	// hands to the transport and the transport returns to the pool.
	b, err := encodeRows(dst, (*pooledRowsBuffer(n, info.Cols))[:0])
	if err != nil {
		return nil, toStatus(err)
	}
	return &rpcpb.GetRowsResponse{Arrow: b}, nil
}

// getScratch returns a pooled slice of at least n values.
func (s *FeatureServer) getScratch(n int) *[]float32 {
	if p, ok := s.scratch.Get().(*[]float32); ok && cap(*p) >= n {
		return p
	}
	v := make([]float32, n)
	return &v
}

// PutRows implements the FeatureStore service.
func (s *FeatureServer) PutRows(ctx context.Context, req *rpcpb.PutRowsRequest) (*rpcpb.PutRowsResponse, error) {
	const op = "put"
	key := keyFromPB(req.Key)
	rows, info, unlock, err := s.startRowsInfo(ctx, op, key, req.Rows, req.Incarnation)
	if err != nil {
		return nil, toStatus(err)
	}
	defer unlock()
	src, err := decodeRows(req.Arrow, info.Cols, nil)
	if err != nil {
		return nil, toStatus(&store.Error{Op: op, Key: key.String(), Row: store.NoRow,
			Err: fmt.Errorf("%w: %v", store.ErrShape, err)})
	}
	if int64(src.Rows) != rows.len() {
		return nil, toStatus(&store.Error{Op: op, Key: key.String(), Row: store.NoRow,
			Err: fmt.Errorf("%w: %d rows of data for %d row ids", store.ErrShape, src.Rows, rows.len())})
	}
	fr := &rpcpb.PutRowsRequest{Key: req.Key, Rows: req.Rows, Arrow: req.Arrow} // incarnations are per server
	return writeOrForward(ctx, s, func() (*rpcpb.PutRowsResponse, error) {
		var err error
		if rows.isRange {
			err = store.PutRange(ctx, s.fs, key, rows.lo, src)
		} else {
			err = s.fs.Put(ctx, key, rows.ids, src)
		}
		return &rpcpb.PutRowsResponse{Index: s.index()}, err
	}, func(ctx context.Context, c rpcpb.FeatureStoreClient) (*rpcpb.PutRowsResponse, error) {
		return c.PutRows(ctx, fr)
	})
}

// RemoveRows implements the FeatureStore service.
func (s *FeatureServer) RemoveRows(ctx context.Context, req *rpcpb.RemoveRowsRequest) (*rpcpb.RemoveRowsResponse, error) {
	const op = "remove"
	key := keyFromPB(req.Key)
	rows, unlock, err := s.startRows(op, key, req.Rows, req.Incarnation)
	if err != nil {
		return nil, toStatus(err)
	}
	defer unlock()
	ids := rows.ids
	if rows.isRange {
		info, err := s.fs.Info(ctx, key)
		if err != nil {
			return nil, toStatus(err)
		}
		if err := checkRange(op, key, info, rows.lo, rows.count); err != nil {
			return nil, toStatus(err)
		}
		ids = make([]int64, rows.count)
		for i := range ids {
			ids[i] = rows.lo + int64(i)
		}
	}
	fr := &rpcpb.RemoveRowsRequest{Key: req.Key, Rows: req.Rows}
	return writeOrForward(ctx, s, func() (*rpcpb.RemoveRowsResponse, error) {
		err := s.fs.Remove(ctx, key, ids)
		return &rpcpb.RemoveRowsResponse{Index: s.index()}, err
	}, func(ctx context.Context, c rpcpb.FeatureStoreClient) (*rpcpb.RemoveRowsResponse, error) {
		return c.RemoveRows(ctx, fr)
	})
}

// checkRange rejects a range [lo, lo+count) outside the attribute's rows
// before anything is allocated for it.
func checkRange(op string, key store.Key, info store.AttrInfo, lo, count int64) error {
	if lo < 0 || lo > info.Rows || count > info.Rows-lo {
		row := lo
		if lo >= 0 && lo <= info.Rows {
			row = info.Rows
		}
		return &store.Error{Op: op, Key: key.String(), Row: row,
			Err: fmt.Errorf("%w [0, %d): range [%d, %d)", store.ErrOutOfRange, info.Rows, lo, lo+count)}
	}
	return nil
}
