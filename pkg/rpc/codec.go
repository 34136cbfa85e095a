package rpc

import (
	"fmt"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/gnnscale/gnnscale/pkg/rpc/rpcpb"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// rowsCodec is protobuf, as gRPC's own codec, except on the path that
// carries a mini-batch's features: a GetRows response. Protobuf would copy
// its Arrow payload into a fresh buffer at both ends, and fresh memory is
// what a large payload pays for most (page faults, then garbage). Instead
// the server builds the payload in a buffer of gRPC's pool and hands that
// buffer to the transport as is, which returns it to the pool once sent;
// the client decodes the payload from the received buffers straight into
// the caller's tensor (see rowsReply). The bytes on the wire are plain
// protobuf: either end may be any gRPC implementation.
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
// tensor.
func (c rowsCodec) Unmarshal(data mem.BufferSlice, v any) error {
	r, ok := v.(*rowsReply)
	if !ok {
		return c.proto.Unmarshal(data, v)
	}
	buf := data.MaterializeToBuffer(mem.DefaultBufferPool())
	defer buf.Free()
	r.err = r.decode(buf.ReadOnlyData())
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
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("GetRowsResponse: %w", protowire.ParseError(n))
		}
		b = b[n:]
		if num == 1 && typ == protowire.BytesType {
			arrow, n = protowire.ConsumeBytes(b)
		} else {
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("GetRowsResponse field %d: %w", num, protowire.ParseError(n))
		}
		b = b[n:]
	}
	_, err := decodeRows(arrow, r.dst.Cols, r.dst)
	return err
}
