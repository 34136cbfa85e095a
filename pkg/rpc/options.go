package rpc

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"
)

// MaxMessageBytes bounds one request or response. A Put travels in one
// message so that it stays atomic; reads are split by the client.
const MaxMessageBytes = 1 << 30

// windowBytes is the HTTP/2 flow-control window of streams and
// connections: a feature batch (1024 rows of 128 floats is 512 KiB) then
// goes out without waiting for window updates.
const windowBytes = 16 << 20

// DialOptions are the client options DialFeatures uses by default:
// plaintext (the cluster network is trusted; put TLS in front otherwise)
// and MaxMessageBytes in both directions.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessageBytes), grpc.MaxCallSendMsgSize(MaxMessageBytes)),
		grpc.WithInitialWindowSize(windowBytes), grpc.WithInitialConnWindowSize(windowBytes),
		// A server that vanishes without closing its connections (a host
		// down, a network cut, a killed container) is noticed within 5 s
		// of silence on a busy connection, and its calls fail with
		// store.ErrUnavailable: a replica can take over. Idle connections
		// are not pinged.
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 2 * time.Second, Timeout: 3 * time.Second}),
		// Connecting to a host that is gone gives up after 3 s (gRPC's
		// default is 20 s), so that a read moves on to a replica soon.
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.DefaultConfig, MinConnectTimeout: 3 * time.Second}),
	}
}

// ServerOptions are the server options matching DialOptions, with the
// codec that sends GetRows payloads without copying them (rowsCodec; a
// server without it still works, with one more copy per response), and an
// interceptor that turns a panic in a handler into an INTERNAL error (and
// a log line with the stack) instead of a dead server.
func ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(MaxMessageBytes), grpc.MaxSendMsgSize(MaxMessageBytes),
		grpc.InitialWindowSize(windowBytes), grpc.InitialConnWindowSize(windowBytes),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Second}),
		grpc.ChainUnaryInterceptor(recoverUnary),
		grpc.ForceServerCodecV2(newRowsCodec()),
	}
}

func recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if p := recover(); p != nil {
			slog.Error("rpc: handler panicked", "method", info.FullMethod, "panic", p, "stack", string(debug.Stack()))
			resp, err = nil, status.Errorf(codes.Internal, "%s: internal error: %v", info.FullMethod, p)
		}
	}()
	return handler(ctx, req)
}
