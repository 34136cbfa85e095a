package sampling

import (
	"context"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/graph"
)

// FuzzNeighborSample builds a small graph from the input bytes, samples it
// with fuzzed options and checks the output contract by brute force.
func FuzzNeighborSample(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 3, 3}, uint8(3), uint8(2), uint8(0), uint64(1))
	f.Add([]byte{9, 9, 9, 9, 1, 2, 2, 1}, uint8(255), uint8(1), uint8(3), uint64(7))
	f.Fuzz(func(t *testing.T, data []byte, f1, f2, mode uint8, seed uint64) {
		const n = 16
		coo := graph.COO{NumNodes: n}
		for i := 0; i+1 < len(data) && i < 400; i += 2 {
			coo.Src = append(coo.Src, int32(data[i]%n))
			coo.Dst = append(coo.Dst, int32(data[i+1]%n))
		}
		csc := coo.ToCSC()
		src, err := FromCSC(&csc, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		g := &testGraph{coo: coo, csc: csc, src: src}
		fan := []int{int(f1%8) - 1, int(f2%8) - 1}
		opts := NeighborOptions{Fanouts: fan, Replace: mode&1 != 0, Disjoint: mode&2 != 0}
		var source NeighborSource = src
		if mode&4 != 0 {
			source = slowSource{src}
		}
		hop, _ := NewLocalHopSampler(source, nil)
		s, err := NewNeighborSampler(hop, opts)
		if err != nil {
			t.Fatal(err)
		}
		seeds := []int32{int32(seed % n), int32(seed / n % n), int32(seed / 256 % n)}
		var out Output
		if err := s.Sample(context.Background(), seeds, nil, seed, &out); err != nil {
			t.Fatal(err)
		}
		checkOutput(t, g, &out, seeds, fan, opts.Replace, opts.Disjoint)
		ref := refSample(t, hop, fan, HopOptions{Replace: opts.Replace}, opts.Disjoint, seeds, nil, seed)
		equalOutput(t, &out, ref)
	})
}
