package tensor

import (
	"strings"
	"testing"
)

func TestRowViewAndCopy(t *testing.T) {
	m := New(4, 3)
	for i := range m.Data {
		m.Data[i] = float32(i)
	}
	v := m.RowView(1, 3)
	if v.Rows != 2 || v.At(0, 0) != 3 || v.At(1, 2) != 8 {
		t.Fatalf("RowView = %v", v)
	}
	c := v.Clone()
	c.Set(0, 0, -1)
	if m.At(1, 0) != 3 {
		t.Fatal("Clone aliases its source")
	}
	if got := MaxAbsDiff(v, v.Clone()); got != 0 {
		t.Fatalf("MaxAbsDiff of copies = %v", got)
	}
}

func TestShapePanicsNameBothShapes(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "3x4 vs 3x5") {
			t.Fatalf("panic = %v", r)
		}
	}()
	New(3, 4).Copy(New(3, 5))
}

func TestOverlap(t *testing.T) {
	buf := make([]float32, 10)
	tests := []struct {
		name string
		a, b []float32
		want bool
	}{
		{"same", buf, buf, true},
		{"disjoint", buf[:5], buf[5:], false},
		{"touching", buf[:6], buf[5:], true},
		{"empty", buf[:0], buf, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Overlap(tt.a, tt.b); got != tt.want {
				t.Fatalf("Overlap = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		m    Dense
		bad  string
	}{
		{"ok", Dense{Rows: 2, Cols: 2, Stride: 3, Data: make([]float32, 5)}, ""},
		{"short", Dense{Rows: 2, Cols: 2, Stride: 3, Data: make([]float32, 4)}, "needs 5"},
		{"stride", Dense{Rows: 2, Cols: 2, Stride: 1, Data: make([]float32, 4)}, "stride 1 < cols 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Validate()
			if (err == nil) != (tt.bad == "") || (err != nil && !strings.Contains(err.Error(), tt.bad)) {
				t.Fatalf("Validate = %v, want %q", err, tt.bad)
			}
		})
	}
}

func TestCSRValidate(t *testing.T) {
	good := CSR{Rows: 2, Cols: 3, Indptr: []int64{0, 2, 3}, Indices: []int32{0, 2, 1}}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.Indices = []int32{0, 3, 1}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "row 0 entry 1: column 3") {
		t.Fatalf("Validate = %v", err)
	}
	d := good.ToDense()
	if d.At(0, 2) != 1 || d.At(1, 1) != 1 || d.At(1, 0) != 0 {
		t.Fatalf("ToDense = %v", d)
	}
}
