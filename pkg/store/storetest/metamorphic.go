package storetest

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Named is a store constructor with a name, for RunMetamorphic.
type Named struct {
	Name string
	New  func(t *testing.T) Store
}

// RunMetamorphic generates one random sequence of ops operations from seed
// (creates, drops, puts, gets, ranges, removes, edge puts in every layout,
// neighbour lookups, listings; some invalid on purpose) and runs it against
// a store from each constructor. Logically equivalent stores must produce
// identical histories: the same error kind and offending row, or the same
// values, for every operation. It fails at the first difference, printing
// both histories' lines and the seed.
func RunMetamorphic(t *testing.T, seed uint64, ops int, stores ...Named) {
	t.Helper()
	t.Logf("metamorphic: seed %d, %d ops (replay with the same seed)", seed, ops)
	seq := generate(seed, ops)
	histories := make([][]string, len(stores))
	for i, st := range stores {
		s := st.New(t)
		histories[i] = make([]string, len(seq))
		for j, o := range seq {
			histories[i][j] = fmt.Sprintf("%d %s -> %s", j, o.desc, o.run(t, s))
		}
	}
	for j := range seq {
		for i := 1; i < len(stores); i++ {
			if histories[i][j] != histories[0][j] {
				from := max(0, j-3)
				t.Fatalf("seed %d: histories diverge at op %d:\n%s: %s\n%s: %s\n(previous ops of %s: %q)",
					seed, j, stores[0].Name, histories[0][j], stores[i].Name, histories[i][j], stores[0].Name, histories[0][from:j])
			}
		}
	}
}

// op is one generated operation; run returns its outcome as a string.
type op struct {
	desc string
	run  func(t *testing.T, s Store) string
}

var metaKeys = []store.Key{{Group: "a", Name: "x"}, {Group: "a", Name: "y"}, {Group: "b", Name: "x"}, {Name: "z"}}
var metaTypes = []store.EdgeType{store.DefaultEdgeType, etCites, {Src: "a", Rel: "to", Dst: "b"}}

// outcome renders an error as its kind and offending row.
func outcome(err error, ok func() string) string {
	if err == nil {
		return "ok " + ok()
	}
	var se *store.Error
	if errors.As(err, &se) && se.Row != store.NoRow {
		return fmt.Sprintf("%s row %d", errKind(err), se.Row)
	}
	return errKind(err)
}

func hashFloats(m *tensor.Dense) string {
	h := fnv.New64a()
	var b [4]byte
	for i := 0; i < m.Rows; i++ {
		for _, v := range m.Row(i) {
			x := math.Float32bits(v)
			b[0], b[1], b[2], b[3] = byte(x), byte(x>>8), byte(x>>16), byte(x>>24)
			h.Write(b[:])
		}
	}
	return fmt.Sprintf("%x", h.Sum64())
}

func hashAdj(a *graph.Adjacency) string {
	return fmt.Sprintf("%v|%v|%v|%v|%v", a.Indptr, a.Nbrs, a.EdgeID, a.Weight, a.Time)
}

func hashIndex(e store.EdgeIndex) string {
	if e.Layout == store.COO {
		return fmt.Sprintf("%d %v %v %v %v %v", e.COO.NumNodes, e.COO.Src, e.COO.Dst, e.COO.EdgeID, e.COO.Weight, e.Time)
	}
	c := e.Compressed
	return fmt.Sprintf("%d %v %v %v %v %v", c.NumNodes, c.Indptr, c.Indices, c.EdgeID, c.Weight, e.Time)
}

// generate builds the operation sequence. A shadow of the declared shapes
// keeps most operations valid; the rest exercise error paths.
func generate(seed uint64, n int) []op {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	shapes := map[store.Key]store.AttrInfo{}
	nodes := map[store.EdgeType]int{}
	// randIDs returns k random ids in [0, rows), one of them out of range
	// in about one call in ten.
	randIDs := func(rows int64, k int) []int64 {
		ids := make([]int64, k)
		for i := range ids {
			if rows > 0 {
				ids[i] = r.Int64N(rows)
			}
		}
		if k > 0 && (rows == 0 || r.IntN(10) == 0) {
			ids[r.IntN(k)] = rows + int64(r.IntN(3)) - 1 // -1, rows or rows+1
		}
		return ids
	}
	written := map[store.Key]map[int64]bool{} // rows the shadow believes present
	valid := func(key store.Key, ids []int64, cols int) bool {
		info, ok := shapes[key]
		if !ok || cols != info.Cols {
			return false
		}
		for _, id := range ids {
			if id < 0 || id >= info.Rows {
				return false
			}
		}
		return true
	}
	// pick returns k ids: in most calls only rows the shadow believes
	// present, otherwise any ids (absent or out of range ones included).
	pick := func(key store.Key, rows int64, k int) []int64 {
		var present []int64
		for id := range written[key] {
			present = append(present, id)
		}
		if len(present) == 0 || r.IntN(4) == 0 {
			return randIDs(rows, k)
		}
		slices.Sort(present)
		ids := make([]int64, k)
		for i := range ids {
			ids[i] = present[r.IntN(len(present))]
		}
		return ids
	}
	var seq []op
	for len(seq) < n {
		key := metaKeys[r.IntN(len(metaKeys))]
		info, exists := shapes[key]
		cols := info.Cols
		if !exists || r.IntN(30) == 0 {
			cols = 1 + r.IntN(9) // wrong or unknown shape
		}
		et := metaTypes[r.IntN(len(metaTypes))]
		switch p := r.IntN(100); {
		case p < 8:
			ni := store.AttrInfo{Key: key, Rows: int64(r.IntN(300)), Cols: 1 + r.IntN(9)}
			if r.IntN(20) == 0 {
				ni.Cols = 0
			}
			if !exists && ni.Cols > 0 {
				shapes[key] = ni
				written[key] = map[int64]bool{}
			}
			seq = append(seq, op{fmt.Sprintf("create %+v", ni), func(t *testing.T, s Store) string {
				return outcome(s.Create(ctx(t), ni), func() string { return "" })
			}})
		case p < 11:
			delete(shapes, key)
			delete(written, key)
			seq = append(seq, op{"drop " + key.String(), func(t *testing.T, s Store) string {
				return outcome(s.Drop(ctx(t), key), func() string { return "" })
			}})
		case p < 30:
			ids := randIDs(info.Rows, r.IntN(40))
			src := randRows(r, len(ids), cols)
			if valid(key, ids, cols) {
				for _, id := range ids {
					written[key][id] = true
				}
			}
			seq = append(seq, op{fmt.Sprintf("put %v %v cols %d", key, ids, cols), func(t *testing.T, s Store) string {
				return outcome(s.Put(ctx(t), key, ids, src), func() string { return "" })
			}})
		case p < 36:
			lo := int64(0)
			if info.Rows > 0 {
				lo = r.Int64N(info.Rows)
			}
			src := randRows(r, r.IntN(60), cols)
			if exists && cols == info.Cols && lo+int64(src.Rows) <= info.Rows {
				for id := lo; id < lo+int64(src.Rows); id++ {
					written[key][id] = true
				}
			}
			seq = append(seq, op{fmt.Sprintf("put-range %v %d+%d", key, lo, src.Rows), func(t *testing.T, s Store) string {
				return outcome(store.PutRange(ctx(t), s, key, lo, src), func() string { return "" })
			}})
		case p < 60:
			ids := pick(key, info.Rows, r.IntN(50))
			seq = append(seq, op{fmt.Sprintf("get %v %v", key, ids), func(t *testing.T, s Store) string {
				dst := tensor.New(len(ids), cols)
				return outcome(s.Get(ctx(t), key, ids, dst), func() string { return hashFloats(dst) })
			}})
		case p < 65:
			lo := int64(0)
			if p := pick(key, info.Rows, 1); p[0] >= 0 {
				lo = p[0]
			}
			k := r.IntN(30)
			if r.IntN(2) == 0 {
				for k > 0 && !written[key][lo+int64(k)-1] {
					k-- // end the range on a present row
				}
			}
			seq = append(seq, op{fmt.Sprintf("get-range %v %d+%d", key, lo, k), func(t *testing.T, s Store) string {
				dst := tensor.New(k, cols)
				return outcome(store.GetRange(ctx(t), s, key, lo, dst), func() string { return hashFloats(dst) })
			}})
		case p < 71:
			ids := pick(key, info.Rows, r.IntN(8))
			if valid(key, ids, info.Cols) {
				for _, id := range ids {
					delete(written[key], id)
				}
			}
			seq = append(seq, op{fmt.Sprintf("remove %v %v", key, ids), func(t *testing.T, s Store) string {
				return outcome(s.Remove(ctx(t), key, ids), func() string { return "" })
			}})
		case p < 73:
			seq = append(seq, op{"info " + key.String(), func(t *testing.T, s Store) string {
				i, err := s.Info(ctx(t), key)
				return outcome(err, func() string { return fmt.Sprintf("%+v", i) })
			}})
		case p < 75:
			seq = append(seq, op{"attrs", func(t *testing.T, s Store) string {
				as, err := s.Attrs(ctx(t))
				return outcome(err, func() string { return fmt.Sprintf("%+v", as) })
			}})
		case p < 81:
			nn := r.IntN(60)
			ei := randomEdges(r, max(nn, 1), r.IntN(250), r.IntN(2) == 0, r.IntN(3) == 0)
			if nn == 0 {
				ei = store.FromCOO(graph.COO{NumNodes: 0})
			}
			switch r.IntN(3) {
			case 1:
				if nn > 0 {
					ei = bruteCompressed(ei, false)
				}
			case 2:
				if nn > 0 {
					ei = bruteCompressed(ei, true)
				}
			}
			if r.IntN(15) == 0 && ei.Layout == store.COO && len(ei.COO.Src) > 0 {
				ei.COO.Src[0] = int32(ei.COO.NumNodes) // invalid
			} else {
				nodes[et] = ei.NumNodes()
			}
			seq = append(seq, op{fmt.Sprintf("put-edges %v %v n=%d m=%d", et, ei.Layout, ei.NumNodes(), ei.NumEdges()), func(t *testing.T, s Store) string {
				return outcome(s.PutEdges(ctx(t), et, ei), func() string { return "" })
			}})
		case p < 92:
			nn := nodes[et]
			q := make([]int32, r.IntN(40))
			for i := range q {
				if nn == 0 || r.IntN(50) == 0 {
					q[i] = int32(nn)
				} else {
					q[i] = int32(r.IntN(nn))
				}
			}
			seq = append(seq, op{fmt.Sprintf("neighbors %v %v", et, q), func(t *testing.T, s Store) string {
				var adj graph.Adjacency
				return outcome(s.Neighbors(ctx(t), et, q, &adj), func() string { return hashAdj(&adj) })
			}})
		case p < 96:
			l := store.Layout(r.IntN(3))
			seq = append(seq, op{fmt.Sprintf("get-edges %v %v", et, l), func(t *testing.T, s Store) string {
				e, err := s.GetEdges(ctx(t), et, l)
				return outcome(err, func() string { return hashIndex(e) })
			}})
		case p < 98:
			delete(nodes, et)
			seq = append(seq, op{"drop-edges " + et.String(), func(t *testing.T, s Store) string {
				return outcome(s.DropEdges(ctx(t), et), func() string { return "" })
			}})
		default:
			seq = append(seq, op{"edge-types", func(t *testing.T, s Store) string {
				es, err := s.EdgeTypes(ctx(t))
				return outcome(err, func() string { return fmt.Sprintf("%+v", es) })
			}})
		}
	}
	return seq
}
