package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
)

// ErrFormat marks a file that is not a valid safetensors file.
var ErrFormat = errors.New("checkpoint: malformed safetensors")

// ErrMismatch marks a checkpoint that does not fit the model it is restored
// into (missing tensor, wrong shape).
var ErrMismatch = errors.New("checkpoint: does not match model")

// maxHeader bounds the JSON header, as the reference implementation does.
const maxHeader = 100 << 20

// Tensor is one float32 tensor.
type Tensor struct {
	Shape []int
	Data  []float32
}

// File is the content of a safetensors file.
type File struct {
	Tensors  map[string]Tensor
	Metadata map[string]string
}

type entry struct {
	Dtype       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// Encode returns f serialised. Tensors are laid out in name order; the
// header is padded with spaces to a multiple of 8 bytes.
func Encode(f *File) ([]byte, error) {
	names := make([]string, 0, len(f.Tensors))
	for n := range f.Tensors {
		if n == "__metadata__" || n == "" {
			return nil, fmt.Errorf("checkpoint: invalid tensor name %q", n)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	header := make(map[string]any, len(names)+1)
	var off int64
	for _, n := range names {
		t := f.Tensors[n]
		if numel(t.Shape) != len(t.Data) {
			return nil, fmt.Errorf("checkpoint: tensor %q: shape %v holds %d values, data has %d", n, t.Shape, numel(t.Shape), len(t.Data))
		}
		size := int64(len(t.Data)) * 4
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[n] = entry{Dtype: "F32", Shape: shape, DataOffsets: [2]int64{off, off + size}}
		off += size
	}
	if len(f.Metadata) > 0 {
		header["__metadata__"] = f.Metadata
	}
	h, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: encode header: %w", err)
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	out := make([]byte, 8, 8+len(h)+int(off))
	binary.LittleEndian.PutUint64(out, uint64(len(h)))
	out = append(out, h...)
	for _, n := range names {
		for _, v := range f.Tensors[n].Data {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
		}
	}
	return out, nil
}

func numel(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// Decode parses a safetensors file. Errors wrap ErrFormat and name the
// offending tensor or field. Only F32 tensors are accepted.
func Decode(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the 8-byte header length", ErrFormat, len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > maxHeader || n > uint64(len(b)-8) {
		return nil, fmt.Errorf("%w: header length %d exceeds the file (%d bytes) or the 100 MiB limit", ErrFormat, n, len(b))
	}
	hb, data := b[8:8+n], b[8+n:]
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hb, &raw); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	f := &File{Tensors: make(map[string]Tensor, len(raw))}
	type span struct {
		name     string
		from, to int64
	}
	var spans []span
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.Metadata); err != nil {
				return nil, fmt.Errorf("%w: __metadata__ must map strings to strings: %v", ErrFormat, err)
			}
			continue
		}
		var e entry
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("%w: tensor %q: %v", ErrFormat, name, err)
		}
		if e.Dtype != "F32" {
			return nil, fmt.Errorf("%w: tensor %q: dtype %q, only F32 is supported", ErrFormat, name, e.Dtype)
		}
		count := int64(1)
		for _, s := range e.Shape {
			if s < 0 || (s > 0 && count > math.MaxInt32/int64(s)) {
				return nil, fmt.Errorf("%w: tensor %q: bad shape %v", ErrFormat, name, e.Shape)
			}
			count *= int64(s)
		}
		from, to := e.DataOffsets[0], e.DataOffsets[1]
		if from < 0 || to < from || to > int64(len(data)) || to-from != 4*count {
			return nil, fmt.Errorf("%w: tensor %q: offsets [%d, %d) for shape %v in %d data bytes", ErrFormat, name, from, to, e.Shape, len(data))
		}
		spans = append(spans, span{name, from, to})
		vals := make([]float32, count)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[from+4*int64(i):]))
		}
		f.Tensors[name] = Tensor{Shape: e.Shape, Data: vals}
	}
	// The data must be covered exactly, without holes or overlaps.
	sort.Slice(spans, func(i, j int) bool {
		return spans[i].from < spans[j].from || (spans[i].from == spans[j].from && spans[i].to < spans[j].to)
	})
	var end int64
	for _, s := range spans {
		if s.from != end {
			return nil, fmt.Errorf("%w: tensor %q starts at %d, expected %d (hole or overlap)", ErrFormat, s.name, s.from, end)
		}
		end = s.to
	}
	if end != int64(len(data)) {
		return nil, fmt.Errorf("%w: tensors cover %d of %d data bytes", ErrFormat, end, len(data))
	}
	return f, nil
}
