package checkpoint_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/checkpoint"
)

func params() []ad.Named {
	w := ad.NewParam(2, 3)
	for i := range w.Value.Data {
		w.Value.Data[i] = float32(i) + 0.5
	}
	b := ad.NewParam(1, 2, 2)
	b.Value.Data[0], b.Value.Data[1] = -1, 2
	att := ad.NewParam(2, 2, 1, 2, 2)
	att.Value.Data[3] = 7
	return []ad.Named{{Name: "convs.0.lin.weight", Param: w}, {Name: "convs.0.bias", Param: b}, {Name: "convs.0.att_src", Param: att}}
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	ps := params()
	meta := map[string]string{"config": "model:\n  name: gcn\n", "format": "pt"}
	if err := checkpoint.Save(path, ps, meta); err != nil {
		t.Fatal(err)
	}
	f, err := checkpoint.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["config"] != meta["config"] {
		t.Fatalf("metadata = %v", f.Metadata)
	}
	fresh := params()
	for _, p := range fresh {
		p.Param.Value.Zero()
	}
	if err := checkpoint.Restore(f, fresh); err != nil {
		t.Fatal(err)
	}
	for i := range ps {
		for j, v := range ps[i].Param.Value.Data {
			if fresh[i].Param.Value.Data[j] != v {
				t.Fatalf("%s[%d] = %v, want %v", ps[i].Name, j, fresh[i].Param.Value.Data[j], v)
			}
		}
	}
	if sh := f.Tensors["convs.0.att_src"].Shape; len(sh) != 3 || sh[0] != 1 {
		t.Fatalf("att shape %v, want [1 2 2]", sh)
	}
}

func TestRestoreMismatchChangesNothing(t *testing.T) {
	b, _ := checkpoint.Encode(mustFile(t, params()))
	f, err := checkpoint.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func([]ad.Named) []ad.Named{
		"missing": func(ps []ad.Named) []ad.Named { return append(ps, ad.Named{Name: "extra", Param: ad.NewParam(1, 1)}) },
		"shape":   func(ps []ad.Named) []ad.Named { ps[1].Param = ad.NewParam(1, 3); return ps },
		"unused":  func(ps []ad.Named) []ad.Named { return ps[:2] },
	} {
		t.Run(name, func(t *testing.T) {
			ps := mutate(params())
			for _, p := range ps {
				p.Param.Value.Fill(42)
			}
			if err := checkpoint.Restore(f, ps); !errors.Is(err, checkpoint.ErrMismatch) {
				t.Fatalf("Restore = %v, want ErrMismatch", err)
			}
			for _, p := range ps {
				if p.Param.Value.Data[0] != 42 {
					t.Fatalf("%s changed by a failed restore", p.Name)
				}
			}
		})
	}
}

func mustFile(t *testing.T, ps []ad.Named) *checkpoint.File {
	f, err := checkpoint.FromParams(ps, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDecodeRejects(t *testing.T) {
	good, _ := checkpoint.Encode(mustFile(t, params()))
	header := func(h string, data int) []byte {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint64(b, uint64(len(h)))
		return append(append(b, h...), make([]byte, data)...)
	}
	tests := map[string][]byte{
		"short":      good[:5],
		"truncated":  good[:len(good)-4],
		"huge":       append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0}, good[8:]...),
		"json":       header("{not json", 0),
		"dtype":      header(`{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}`, 4),
		"shape":      header(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8),
		"negative":   header(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}`, 0),
		"hole":       header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8),
		"overlap":    header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8),
		"uncovered":  header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8),
		"metadata":   header(`{"__metadata__":{"k":1}}`, 0),
		"unknown":    header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, 4),
		"past_end":   header(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, 8),
		"overflowed": header(`{"a":{"dtype":"F32","shape":[65536,65536,65536],"data_offsets":[0,0]}}`, 0),
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := checkpoint.Decode(b); !errors.Is(err, checkpoint.ErrFormat) {
				t.Fatalf("Decode = %v, want ErrFormat", err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	good, _ := checkpoint.Encode(&checkpoint.File{
		Tensors:  map[string]checkpoint.Tensor{"w": {Shape: []int{2}, Data: []float32{1, 2}}},
		Metadata: map[string]string{"a": "b"},
	})
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := checkpoint.Decode(b)
		if err != nil {
			return
		}
		// A file that decodes re-encodes to one that decodes the same.
		again, err := checkpoint.Encode(file)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		back, err := checkpoint.Decode(again)
		if err != nil || len(back.Tensors) != len(file.Tensors) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func TestFailedSaveKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	if err := checkpoint.Save(path, params(), nil); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	bad := append(params(), params()[0]) // duplicate name: rejected before writing
	if err := checkpoint.Save(path, bad, nil); err == nil {
		t.Fatal("duplicate names accepted")
	}
	if err := checkpoint.Save(filepath.Join(dir, "missing", "m.safetensors"), params(), nil); err == nil {
		t.Fatal("save into a missing directory succeeded")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("a failed save changed the existing checkpoint")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

// TestPyTorchLoads reads a checkpoint in Python the way
// safetensors.torch.load_file does (header JSON, torch.frombuffer per
// tensor), with the format's validity rules, when python3-torch exists.
func TestPyTorchLoads(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil || exec.Command(py, "-c", "import torch").Run() != nil {
		t.Skip("python3-torch not installed")
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := checkpoint.Save(path, params(), map[string]string{"config": "x: 1"}); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", pyLoad, path).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	want := "convs.0.att_src [1, 2, 2] 7.0\nconvs.0.bias [2] 1.0\nconvs.0.lin.weight [2, 3] 18.0\nmeta x: 1"
	if got := strings.TrimSpace(string(out)); got != want {
		t.Fatalf("python read:\n%s\nwant:\n%s", got, want)
	}
}

const pyLoad = `
import json, struct, sys, torch
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]
assert n % 8 == 0, "header not 8-aligned"
h = json.loads(b[8:8+n])
meta = h.pop("__metadata__", {})
data = bytearray(b[8+n:])
end = 0
for name, e in sorted(h.items(), key=lambda kv: kv[1]["data_offsets"]):
    s, t = e["data_offsets"]
    assert s == end, "hole"
    end = t
assert end == len(data), "uncovered"
for name in sorted(h):
    e = h[name]
    s, t = e["data_offsets"]
    x = torch.frombuffer(data[s:t], dtype=torch.float32).reshape(e["shape"])
    print(name, list(x.shape), float(x.sum()))
print("meta", meta["config"])
`
