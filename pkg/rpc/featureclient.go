package rpc

import (
	"context"
	"fmt"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/mem"

	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// FeatureClient is a remote feature store: it implements
// store.FeatureBackend over a FeatureStore gRPC service, so that
// store.NewFeatures(client) is a store.FeatureStore whose data lives on
// the server. Requests are validated by that wrapper before they leave;
// the server validates again.
type FeatureClient struct {
	cc    grpc.ClientConnInterface
	c     rpcpb.FeatureStoreClient
	codec rowsCodec
	conn  *grpc.ClientConn // closed by Close when the client dialed it

	tables *handles[store.Key, *remoteTable]

	// minIndex is the raft index reads are served at or after: the
	// highest a write through this client was acknowledged at, or one
	// given to ReadAtLeast (0 with an unreplicated server).
	minIndex atomic.Uint64
}

// Index returns the highest raft index a write through this client was
// acknowledged at (or given to ReadAtLeast); 0 when the server is not
// replicated. Another client may pass it to ReadAtLeast to read that
// write from any replica.
func (c *FeatureClient) Index() uint64 { return c.minIndex.Load() }

// ReadAtLeast makes reads through this client be served at or after raft
// index: a replica that has not applied it yet waits (within the call's
// deadline). Lower indexes than the current one are ignored.
func (c *FeatureClient) ReadAtLeast(index uint64) {
	for {
		cur := c.minIndex.Load()
		if index <= cur || c.minIndex.CompareAndSwap(cur, index) {
			return
		}
	}
}

var _ store.FeatureBackend = (*FeatureClient)(nil)

// NewFeatureClient returns a client over an existing connection, which the
// caller keeps and closes.
func NewFeatureClient(cc grpc.ClientConnInterface) *FeatureClient {
	return &FeatureClient{cc: cc, c: rpcpb.NewFeatureStoreClient(cc), codec: newRowsCodec(), tables: newHandles[store.Key, *remoteTable]()}
}

// DialFeatures connects to the feature server at target ("host:port")
// and returns the remote store; its Close closes the connection. Without
// options the connection is plaintext with message limits fit for
// feature batches (see [DialOptions]).
func DialFeatures(target string, opts ...grpc.DialOption) (*store.Features, error) {
	if len(opts) == 0 {
		opts = DialOptions()
	}
	conn, err := grpc.NewClient(target, opts...)
	if err != nil {
		return nil, fmt.Errorf("rpc: dial feature server %s: %w", target, err)
	}
	c := NewFeatureClient(conn)
	c.conn = conn
	return store.NewFeatures(c), nil
}

// Close closes the connection the client dialed, if any.
func (c *FeatureClient) Close() error {
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}

// CreateAttr implements store.FeatureBackend.
func (c *FeatureClient) CreateAttr(ctx context.Context, info store.AttrInfo) error {
	c.tables.drop(info.Key)
	resp, err := c.c.CreateAttr(ctx, &rpcpb.CreateAttrRequest{Info: infoToPB(info)})
	c.ReadAtLeast(resp.GetIndex())
	return fromStatus("create", err)
}

// DropAttr implements store.FeatureBackend.
func (c *FeatureClient) DropAttr(ctx context.Context, key store.Key) error {
	c.tables.drop(key)
	resp, err := c.c.DropAttr(ctx, &rpcpb.DropAttrRequest{Key: keyToPB(key)})
	c.ReadAtLeast(resp.GetIndex())
	return fromStatus("drop", err)
}

// Attrs implements store.FeatureBackend.
func (c *FeatureClient) Attrs(ctx context.Context) ([]store.AttrInfo, error) {
	resp, err := c.c.ListAttrs(ctx, &rpcpb.ListAttrsRequest{})
	if err != nil {
		return nil, fromStatus("attrs", err)
	}
	out := make([]store.AttrInfo, len(resp.Attrs))
	for i, a := range resp.Attrs {
		out[i] = infoFromPB(a)
	}
	return out, nil
}

// Table implements store.FeatureBackend: the handle names the
// attribute's current incarnation, so it fails with store.ErrNotFound
// once the attribute is dropped, even if it is created again.
func (c *FeatureClient) Table(ctx context.Context, key store.Key) (store.FeatureTable, error) {
	if t, ok := c.tables.get(key); ok {
		return t, nil
	}
	resp, err := c.c.OpenAttr(ctx, &rpcpb.OpenAttrRequest{Key: keyToPB(key)})
	if err != nil {
		return nil, openError(err)
	}
	t := &remoteTable{c: c, key: keyToPB(key), info: infoFromPB(resp.Info), inc: resp.Incarnation}
	c.tables.put(key, t)
	return t, nil
}

// result turns a call's error into a store error and forgets the handle
// when the server no longer knows its incarnation.
func (t *remoteTable) result(op string, err error) error {
	if err == nil {
		return nil
	}
	err = fromStatus(op, err)
	if isGone(err) {
		t.c.tables.forget(t.info.Key, t)
	}
	return err
}

// remoteTable is one attribute of a FeatureClient.
type remoteTable struct {
	c    *FeatureClient
	key  *rpcpb.AttrKey
	info store.AttrInfo
	inc  uint64
}

var (
	_ store.FeatureTable     = (*remoteTable)(nil)
	_ store.TableRangeGetter = (*remoteTable)(nil)
	_ store.TableRangePutter = (*remoteTable)(nil)
)

func (t *remoteTable) Info() store.AttrInfo { return t.info }

// chunkRows is how many rows one GetRows request carries: the response
// stays under the server's limit.
func (t *remoteTable) chunkRows() int {
	return max(1, maxGetBytes/(4*max(1, t.info.Cols))-64)
}

// Get implements store.FeatureTable; reads larger than one response are
// split into several requests.
func (t *remoteTable) Get(ctx context.Context, ids []int64, dst *tensor.Dense) error {
	step := t.chunkRows()
	for lo := 0; lo < len(ids) || lo == 0; lo += step {
		hi := min(lo+step, len(ids))
		if err := t.get(ctx, &rpcpb.Rows{Ids: ids[lo:hi]}, dst.RowView(lo, hi)); err != nil {
			return err
		}
		if hi == len(ids) {
			break
		}
	}
	return nil
}

// GetRange implements store.TableRangeGetter.
func (t *remoteTable) GetRange(ctx context.Context, lo int64, dst *tensor.Dense) error {
	step := t.chunkRows()
	for at := 0; at < dst.Rows; at += step {
		hi := min(at+step, dst.Rows)
		if err := t.get(ctx, &rpcpb.Rows{Lo: lo + int64(at), Count: int64(hi - at)}, dst.RowView(at, hi)); err != nil {
			return err
		}
	}
	return nil
}

func (t *remoteTable) get(ctx context.Context, rows *rpcpb.Rows, dst *tensor.Dense) error {
	if len(rows.Ids) == 0 && rows.Count == 0 {
		return nil
	}
	// The generated client would unmarshal into a fresh GetRowsResponse;
	// the codec decodes into dst instead.
	reply := &rowsReply{dst: dst}
	req := &rpcpb.GetRowsRequest{Key: t.key, Incarnation: t.inc, Rows: rows, MinIndex: t.c.minIndex.Load()}
	if err := t.c.cc.Invoke(ctx, rpcpb.FeatureStore_GetRows_FullMethodName, req, reply, grpc.ForceCodecV2(t.c.codec)); err != nil {
		return t.result("get", err)
	}
	if reply.err != nil {
		return &store.Error{Op: "get", Key: t.info.Key.String(), Row: store.NoRow, Err: fmt.Errorf("rpc: %w", reply.err)}
	}
	return nil
}

// Put implements store.FeatureTable: one request, so it stays atomic.
func (t *remoteTable) Put(ctx context.Context, ids []int64, src *tensor.Dense) error {
	return t.put(ctx, &rpcpb.Rows{Ids: ids}, src)
}

// PutRange implements store.TableRangePutter.
func (t *remoteTable) PutRange(ctx context.Context, lo int64, src *tensor.Dense) error {
	return t.put(ctx, &rpcpb.Rows{Lo: lo, Count: int64(src.Rows)}, src)
}

func (t *remoteTable) put(ctx context.Context, rows *rpcpb.Rows, src *tensor.Dense) error {
	if len(rows.Ids) == 0 && rows.Count == 0 {
		return nil
	}
	buf := pooledRowsBuffer(src.Rows, src.Cols)
	// The request is marshalled (copied) before PutRows returns.
	defer mem.DefaultBufferPool().Put(buf)
	b, err := encodeRows(src, (*buf)[:0])
	if err != nil {
		return &store.Error{Op: "put", Key: t.info.Key.String(), Row: store.NoRow, Err: fmt.Errorf("rpc: %w", err)}
	}
	resp, err := t.c.c.PutRows(ctx, &rpcpb.PutRowsRequest{Key: t.key, Incarnation: t.inc, Rows: rows, Arrow: b})
	t.c.ReadAtLeast(resp.GetIndex())
	return t.result("put", err)
}

// Remove implements store.FeatureTable.
func (t *remoteTable) Remove(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	resp, err := t.c.c.RemoveRows(ctx, &rpcpb.RemoveRowsRequest{Key: t.key, Incarnation: t.inc, Rows: &rpcpb.Rows{Ids: ids}})
	t.c.ReadAtLeast(resp.GetIndex())
	return t.result("remove", err)
}
