package store

import (
	"fmt"
	"strings"
)

// Key names a tensor attribute: a group (a node or edge type, "paper"; may
// be empty for a homogeneous graph) and an attribute name ("x", "y").
// It corresponds to PyG's TensorAttr without the index.
type Key struct {
	Group, Name string
}

// String returns "group/name", or "name" when the group is empty.
func (k Key) String() string {
	if k.Group == "" {
		return k.Name
	}
	return k.Group + "/" + k.Name
}

// maxNameLen bounds every name component (the keys of durable backends
// embed them).
const maxNameLen = 255

// checkName returns an error for a component that is too long, contains
// '/' or a control character, or is empty when required.
func checkName(field, s string, required bool) error {
	switch {
	case s == "" && required:
		return fmt.Errorf("%w: empty %s", ErrInvalid, field)
	case len(s) > maxNameLen:
		return fmt.Errorf("%w: %s is %d bytes, limit %d", ErrInvalid, field, len(s), maxNameLen)
	case strings.ContainsRune(s, '/'):
		return fmt.Errorf("%w: %s %q contains '/'", ErrInvalid, field, s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: %s %q contains a control character", ErrInvalid, field, s)
		}
	}
	return nil
}

// Validate reports whether k is a usable attribute name: Name non-empty, no
// component longer than 255 bytes or containing '/' or control characters.
func (k Key) Validate() error {
	if err := checkName("group", k.Group, false); err != nil {
		return err
	}
	return checkName("name", k.Name, true)
}

// ParseKey parses "group/name" or "name".
func ParseKey(s string) (Key, error) {
	var k Key
	if i := strings.IndexByte(s, '/'); i >= 0 {
		k = Key{Group: s[:i], Name: s[i+1:]}
	} else {
		k = Key{Name: s}
	}
	if err := k.Validate(); err != nil {
		return Key{}, fmt.Errorf("store: parse key %q: %w", s, err)
	}
	return k, nil
}

// AttrInfo describes a tensor attribute: a dense float32 table of Rows x
// Cols whose rows are addressed by ids in [0, Rows). Each row is either
// present (written by Put) or absent (never written, or removed). The shape
// is fixed when the attribute is created.
type AttrInfo struct {
	Key  Key
	Rows int64 // size of the row id space
	Cols int   // float32 values per row
}

// MaxCols bounds the width of one row (64 Ki values, 256 KiB).
const MaxCols = 1 << 16

// Validate checks the key and that Rows >= 0 and 1 <= Cols <= MaxCols.
func (a AttrInfo) Validate() error {
	if err := a.Key.Validate(); err != nil {
		return err
	}
	if a.Rows < 0 {
		return fmt.Errorf("%w: negative row count %d", ErrInvalid, a.Rows)
	}
	if a.Cols < 1 || a.Cols > MaxCols {
		return fmt.Errorf("%w: %d columns, want 1..%d", ErrInvalid, a.Cols, MaxCols)
	}
	return nil
}

// EdgeType names a relation (PyG's (src, rel, dst) triple).
type EdgeType struct {
	Src, Rel, Dst string
}

// DefaultEdgeType is the edge type of a homogeneous graph.
var DefaultEdgeType = EdgeType{Src: "node", Rel: "to", Dst: "node"}

// String returns "src/rel/dst".
func (e EdgeType) String() string { return e.Src + "/" + e.Rel + "/" + e.Dst }

// Validate checks that every component is a non-empty name.
func (e EdgeType) Validate() error {
	for _, f := range [...]struct{ n, v string }{{"edge source type", e.Src}, {"edge relation", e.Rel}, {"edge destination type", e.Dst}} {
		if err := checkName(f.n, f.v, true); err != nil {
			return err
		}
	}
	return nil
}

// ParseEdgeType parses "src/rel/dst".
func ParseEdgeType(s string) (EdgeType, error) {
	p := strings.Split(s, "/")
	if len(p) != 3 {
		return EdgeType{}, fmt.Errorf("store: parse edge type %q: %w: want src/rel/dst", s, ErrInvalid)
	}
	e := EdgeType{Src: p[0], Rel: p[1], Dst: p[2]}
	if err := e.Validate(); err != nil {
		return EdgeType{}, fmt.Errorf("store: parse edge type %q: %w", s, err)
	}
	return e, nil
}

// EdgeInfo describes the stored edge index of one edge type.
type EdgeInfo struct {
	Type     EdgeType
	NumNodes int   // node ids are in [0, NumNodes)
	NumEdges int64 // stored edges
	Weighted bool  // edges carry float32 weights
	Timed    bool  // edges carry int64 timestamps
}

// Layout is the form of an edge index.
type Layout uint8

const (
	COO Layout = iota // edge list
	CSR               // compressed by source (out-neighbours)
	CSC               // compressed by destination (in-neighbours)
)

func (l Layout) String() string {
	switch l {
	case COO:
		return "coo"
	case CSR:
		return "csr"
	case CSC:
		return "csc"
	}
	return fmt.Sprintf("Layout(%d)", uint8(l))
}
