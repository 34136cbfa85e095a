package replica

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

func sampleRows(rows, cols, stride int) *tensor.Dense {
	m := &tensor.Dense{Rows: rows, Cols: cols, Stride: stride, Data: make([]float32, max(0, (rows-1)*stride+cols))}
	for i := range m.Data {
		m.Data[i] = float32(i) - 0.5
	}
	return m
}

func sampleCommands() map[string]*command {
	k := store.Key{Group: "paper", Name: "x"}
	return map[string]*command{
		"create":          {op: opCreate, key: k, rows: 1 << 40, cols: 128},
		"drop":            {op: opDrop, key: store.Key{Name: "h"}},
		"put":             {op: opPut, key: k, ids: []int64{5, 0, 1 << 40, 5}, src: sampleRows(4, 3, 3)},
		"put strided":     {op: opPut, key: k, ids: []int64{2, 1}, src: sampleRows(2, 3, 7)},
		"put empty":       {op: opPut, key: k, ids: []int64{}, src: tensor.New(0, 2)},
		"put range":       {op: opPutRange, key: k, lo: 17, src: sampleRows(5, 2, 2)},
		"remove":          {op: opRemove, key: k, ids: []int64{9, 3, 9}},
		"announce":        {op: opAnnounce, id: "fs-1", addr: "10.0.0.1:7070"},
		"announce empty ": {op: opAnnounce},
	}
}

// dense returns m's rows as a contiguous matrix (nil stays nil).
func dense(m *tensor.Dense) *tensor.Dense {
	if m == nil {
		return nil
	}
	c := tensor.New(m.Rows, m.Cols)
	for i := 0; i < m.Rows; i++ {
		copy(c.Row(i), m.Row(i))
	}
	return c
}

func TestCommandRoundTrip(t *testing.T) {
	for name, c := range sampleCommands() {
		t.Run(name, func(t *testing.T) {
			b := c.encode(nil)
			if len(b) > c.size() {
				t.Fatalf("encoded %d bytes, size() promised at most %d", len(b), c.size())
			}
			got, err := decodeCommand(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			want := *c
			want.src = dense(c.src)
			if len(want.ids) == 0 && want.op == opPut {
				want.ids, got.ids = nil, nil
			}
			if !reflect.DeepEqual(got, &want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, &want)
			}
		})
	}
}

func TestDecodeCommandErrors(t *testing.T) {
	put := (&command{op: opPut, key: store.Key{Name: "x"}, ids: []int64{1, 2}, src: sampleRows(2, 2, 2)}).encode(nil)
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"one byte", []byte{commandVersion}},
		{"future version", []byte{9, byte(opDrop), 0, 1, 'x'}},
		{"unknown op", []byte{commandVersion, 99, 0, 1, 'x'}},
		{"name longer than entry", []byte{commandVersion, byte(opDrop), 0, 200, 'x'}},
		{"truncated rows", put[:len(put)-1]},
		{"trailing byte", append(append([]byte(nil), put...), 0)},
		{"huge row count", []byte{commandVersion, byte(opRemove), 0, 1, 'x', 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"zero cols", []byte{commandVersion, byte(opPut), 0, 1, 'x', 0, 0}},
		{"too many cols", []byte{commandVersion, byte(opPutRange), 0, 1, 'x', 0, 0, 0xff, 0xff, 0xff, 0x0f}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := decodeCommand(tt.b)
			if !errors.Is(err, ErrBadCommand) {
				t.Fatalf("decode %x = %+v, %v; want ErrBadCommand", tt.b, c, err)
			}
		})
	}
}

func FuzzDecodeCommand(f *testing.F) {
	for _, c := range sampleCommands() {
		f.Add(c.encode(nil))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCommand(b)
		if err != nil {
			if !errors.Is(err, ErrBadCommand) {
				t.Fatalf("error %v does not wrap ErrBadCommand", err)
			}
			return
		}
		// A command that decodes re-encodes to bytes that decode to the
		// same command (compared encoded: NaN rows are not DeepEqual).
		enc := c.encode(nil)
		again, err := decodeCommand(enc)
		if err != nil {
			t.Fatalf("re-encoded command does not decode: %v", err)
		}
		if !bytes.Equal(again.encode(nil), enc) {
			t.Fatalf("re-decoded %+v, want %+v", again, c)
		}
	})
}
