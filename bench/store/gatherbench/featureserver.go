package main

import (
	"context"
	"os/exec"
	"strconv"

	"github.com/gnnscale/gnnscale/pkg/rpc"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// featureServer is a cmd/featurestore child process on loopback with its
// memory store, and a remote store connected to it.
type featureServer struct {
	cmd *exec.Cmd
	fs  *store.Features
}

func startFeatureServer(ctx context.Context, bin string, port int) (*featureServer, error) {
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd, err := startListening(ctx, addr, bin, "--listen", addr)
	if err != nil {
		return nil, err
	}
	s := &featureServer{cmd: cmd}
	if s.fs, err = rpc.DialFeatures(addr); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// load writes data through the server in 64Ki-row puts.
func (s *featureServer) load(ctx context.Context, data *tensor.Dense) error {
	if err := s.fs.Create(ctx, store.AttrInfo{Key: key, Rows: int64(data.Rows), Cols: data.Cols}); err != nil {
		return err
	}
	for lo := 0; lo < data.Rows; lo += 1 << 16 {
		hi := min(lo+1<<16, data.Rows)
		if err := s.fs.PutRange(ctx, key, int64(lo), data.RowView(lo, hi)); err != nil {
			return err
		}
	}
	return nil
}

func (s *featureServer) stop() {
	if s.fs != nil {
		_ = s.fs.Close()
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}
