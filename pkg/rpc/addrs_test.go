package rpc_test

import (
	"reflect"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/rpc"
)

func TestSplitAddrs(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want [][]string
	}{
		{"", nil},
		{"a:1", [][]string{{"a:1"}}},
		{"a:1|b:1", [][]string{{"a:1", "b:1"}}},
		{" a:1 | b:1 , c:1,, |", [][]string{{"a:1", "b:1"}, {"c:1"}}},
	} {
		if got := rpc.SplitAddrs(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitAddrs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
