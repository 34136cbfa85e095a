package rpc

import (
	"fmt"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// rowsCodec is protobuf, as gRPC's own codec, except on the path that
// carries a mini-batch's features: a GetRows response. Protobuf would copy
// its Arrow payload into a fresh buffer at both ends, and fresh memory is
// what a large payload pays for most (page faults, then garbage). Instead
// the server builds the payload in a buffer of gRPC's pool and hands that
// buffer to the transport as is, which returns it to the pool once sent;
// the client decodes the payload from the received buffers straight into
// the caller's tensor (see rowsReply). A Neighbors response, likewise, is
// decoded from the received buffers straight into the caller's adjacency
// (neighborsReply). The bytes on the wire are plain protobuf: either end
// may be any gRPC implementation.
type rowsCodec struct{ proto encoding.CodecV2 }

func newRowsCodec() rowsCodec { return rowsCodec{proto: encoding.GetCodecV2("proto")} }

// Name implements encoding.CodecV2: the content subtype stays "proto".
func (rowsCodec) Name() string { return "proto" }

// Marshal implements encoding.CodecV2. A GetRowsResponse gives up its
// Arrow buffer, which must come from mem.DefaultBufferPool (the server's
// GetRows builds it there) and is returned to it after the write.
func (c rowsCodec) Marshal(v any) (mem.BufferSlice, error) {
	r, ok := v.(*rpcpb.GetRowsResponse)
	if !ok || mem.IsBelowBufferPoolingThreshold(len(r.Arrow)) {
		return c.proto.Marshal(v)
	}
	b := r.Arrow
	r.Arrow = nil
	hdr := protowire.AppendTag(make([]byte, 0, 16), 1, protowire.BytesType)
	hdr = protowire.AppendVarint(hdr, uint64(len(b)))
	return mem.BufferSlice{mem.SliceBuffer(hdr), mem.NewBuffer(&b, mem.DefaultBufferPool())}, nil
}

// Unmarshal implements encoding.CodecV2; a *rowsReply is decoded into its
// tensor, a *neighborsReply into its adjacency.
func (c rowsCodec) Unmarshal(data mem.BufferSlice, v any) error {
	r, ok := v.(reply)
	if !ok {
		return c.proto.Unmarshal(data, v)
	}
	buf := data.MaterializeToBuffer(mem.DefaultBufferPool())
	defer buf.Free()
	r.receive(buf.ReadOnlyData())
	return nil
}

// reply is a response the codec decodes in place of protobuf. A payload
// that does not decode is the reply's error, not the call's: the call
// itself succeeded.
type reply interface{ receive(b []byte) }

func (r *rowsReply) receive(b []byte)      { r.err = r.decode(b) }
func (r *neighborsReply) receive(b []byte) { r.err = r.decode(b) }

// fields calls f with each field of a protobuf message.
func fields(b []byte, msg string, f func(num protowire.Number, typ protowire.Type, v []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%s: %w", msg, protowire.ParseError(n))
		}
		b = b[n:]
		var v []byte
		if typ == protowire.BytesType {
			v, n = protowire.ConsumeBytes(b)
		} else {
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("%s field %d: %w", msg, num, protowire.ParseError(n))
		}
		if err := f(num, typ, v); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// rowsReply receives a GetRowsResponse into dst, which must have as many
// rows as were asked for. A payload that does not decode leaves its error
// in err (the call itself succeeded).
type rowsReply struct {
	dst *tensor.Dense
	err error
}

func (r *rowsReply) decode(b []byte) error {
	var arrow []byte
	err := fields(b, "GetRowsResponse", func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num == 1 && typ == protowire.BytesType {
			arrow = v
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = decodeRows(arrow, r.dst.Cols, r.dst)
	return err
}

// neighborsReply receives a NeighborsResponse for n query nodes of an
// edge type described by info, appending it to dst. A response that does
// not decode leaves its error in err (the call itself succeeded) and dst
// possibly extended.
type neighborsReply struct {
	dst  *graph.Adjacency
	n    int
	info store.EdgeInfo
	err  error
}

func (r *neighborsReply) decode(b []byte) error {
	var arr [6][]byte // by field number
	err := fields(b, "NeighborsResponse", func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num >= 1 && num <= 5 && typ == protowire.BytesType {
			arr[num] = v
		}
		return nil
	})
	if err != nil {
		return err
	}
	indptr, err := appendLE(make([]int64, 0, r.n+1), arr[1], r.n+1, "indptr")
	if err != nil {
		return err
	}
	m := indptr[r.n]
	if indptr[0] != 0 || m < 0 || m > int64(len(arr[2])/4) {
		return fmt.Errorf("malformed neighbors response: offsets run from %d to %d for %d bytes of neighbours", indptr[0], m, len(arr[2]))
	}
	d := r.dst
	base := d.Indptr[len(d.Indptr)-1]
	for i := 1; i <= r.n; i++ {
		if indptr[i] < indptr[i-1] {
			return fmt.Errorf("malformed neighbors response: offsets decrease at %d", i)
		}
		d.Indptr = append(d.Indptr, base+indptr[i])
	}
	if d.Nbrs, err = appendLE(d.Nbrs, arr[2], int(m), "neighbours"); err != nil {
		return err
	}
	if d.EdgeID, err = appendLE(d.EdgeID, arr[3], int(m), "edge ids"); err != nil {
		return err
	}
	if r.info.Weighted {
		if d.Weight, err = appendLE(d.Weight, arr[4], int(m), "weights"); err != nil {
			return err
		}
	}
	if r.info.Timed {
		if d.Time, err = appendLE(d.Time, arr[5], int(m), "times"); err != nil {
			return err
		}
	}
	return nil
}
