package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/rpc/rpctest"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/memstore"
)

// TestStatus: status lists what live servers hold, marks dead ones DOWN,
// and fails only when a shard has no replica answering.
func TestStatus(t *testing.T) {
	ctx := context.Background()
	st := memstore.Open()
	defer st.Close()
	if err := st.Create(ctx, store.AttrInfo{Key: store.Key{Group: "node", Name: "x"}, Rows: 10, Cols: 4}); err != nil {
		t.Fatal(err)
	}
	coo := graph.COO{NumNodes: 3, Src: []int32{0, 1}, Dst: []int32{1, 2}}
	if err := st.PutEdges(ctx, store.DefaultEdgeType, store.FromCOO(coo)); err != nil {
		t.Fatal(err)
	}
	live := rpctest.Serve(t, st, st)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := lis.Addr().String()
	lis.Close()

	tests := []struct {
		args    []string
		want    []string
		wantErr string
	}{
		{[]string{"--feature-server", live + "|" + dead, "--graph-server", live},
			[]string{live + ": up", "node/x", "10 x 4", dead + ": DOWN", "shard 0 " + live + ": up", "2 edges"}, ""},
		{[]string{"--graph-server", live + "," + dead}, []string{"shard 1 " + dead + ": DOWN"}, "graph shard 1"},
		{nil, nil, "want --etcd, --feature-server"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		err := runStatus(ctx, tt.args, &out, &errOut)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%q: error %v, want %q", tt.args, err, tt.wantErr)
		}
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%q: output lacks %q:\n%s", tt.args, w, out.String())
			}
		}
	}
}
