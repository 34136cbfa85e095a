package dataset

import (
	"bytes"
	"context"
	gzip "github.com/klauspost/compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// textBytes returns the uncompressed size of a data set's files.
func textBytes(b *testing.B, dir string) int64 {
	var total int64
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || filepath.Ext(p) != ".gz" {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		n, err := io.Copy(io.Discard, zr)
		total += n
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return total
}

// BenchmarkLoad reports MB/s of uncompressed text loaded.
func BenchmarkLoad(b *testing.B) {
	for _, name := range []string{"cora", "amazon-photo", "coauthor-cs"} {
		b.Run(name, func(b *testing.B) {
			dir := needDataset(b, name)
			b.SetBytes(textBytes(b, dir))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load(context.Background(), dir, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGunzip is the floor under BenchmarkLoad: decompressing the
// same files without parsing.
func BenchmarkGunzip(b *testing.B) {
	dir := needDataset(b, "coauthor-cs")
	b.SetBytes(textBytes(b, dir))
	b.ReportAllocs()
	for b.Loop() {
		textBytes(b, dir)
	}
}

// BenchmarkParseFeatures parses in-memory binary features (no gzip).
func BenchmarkParseFeatures(b *testing.B) {
	for _, kind := range []struct {
		name string
		text func(i int) string
	}{
		{"binary", func(i int) string { return []string{"0", "1", "0", "0"}[i%4] }},
		{"decimal", func(i int) string { return []string{"0.25", "-1.125", "3.5", "0.0625"}[i%4] }},
		{"shortest-float32", func(i int) string { return []string{"0.33333334", "-1.2345679e-05", "2.7182817", "-0.70710677"}[i%4] }},
	} {
		b.Run(kind.name, func(b *testing.B) {
			const rows, dim = 2000, 500
			var buf bytes.Buffer
			for r := range rows {
				for j := range dim {
					if j > 0 {
						buf.WriteByte(',')
					}
					buf.WriteString(kind.text(r + j))
				}
				buf.WriteByte('\n')
			}
			data := buf.Bytes()
			dst := tensor.New(256, dim)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				r := NewFeatureReader(bytes.NewReader(data), "bench", dim)
				for {
					if _, err := r.Read(dst); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

func reportEdges(b *testing.B, edges int64, start time.Time) {
	b.ReportMetric(float64(edges)*float64(b.N)/time.Since(start).Seconds(), "edges/s")
}

func BenchmarkSBM(b *testing.B) {
	cfg := DefaultSBM()
	cfg.NumNodes = 200000
	b.ReportAllocs()
	var m int64
	start := time.Now()
	for b.Loop() {
		ds, err := SBM(cfg)
		if err != nil {
			b.Fatal(err)
		}
		m = ds.NumEdges()
	}
	reportEdges(b, m, start)
}

func BenchmarkRMAT(b *testing.B) {
	for _, tc := range []struct {
		name string
		cfg  RMATConfig
	}{
		{"raw-scale18", RMATConfig{Scale: 18, EdgeFactor: 16, Seed: 1}},
		{"symmetrized-scale18", RMATConfig{Scale: 18, EdgeFactor: 16, Seed: 1, Permute: true, Symmetrize: true, NoSelfLoops: true}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			var m int64
			for b.Loop() {
				g, err := RMATEdges(tc.cfg)
				if err != nil {
					b.Fatal(err)
				}
				m = g.NumEdges()
			}
			reportEdges(b, m, start)
		})
	}
}

func BenchmarkRGG(b *testing.B) {
	cfg := RGGConfig{NumNodes: 200000, AvgDegree: 10}
	b.ReportAllocs()
	start := time.Now()
	var m int64
	for b.Loop() {
		ds, err := RGG(cfg)
		if err != nil {
			b.Fatal(err)
		}
		m = ds.NumEdges()
	}
	reportEdges(b, m, start)
}

func BenchmarkGrid(b *testing.B) {
	cfg := GridConfig{Width: 1000, Height: 1000}
	b.ReportAllocs()
	start := time.Now()
	var m int64
	for b.Loop() {
		ds, err := Grid(cfg)
		if err != nil {
			b.Fatal(err)
		}
		m = ds.NumEdges()
	}
	reportEdges(b, m, start)
}

func BenchmarkWrite(b *testing.B) {
	cfg := DefaultSBM()
	ds, err := SBM(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		dir := filepath.Join(b.TempDir(), "w")
		if err := Write(context.Background(), dir, ds, nil); err != nil {
			b.Fatal(err)
		}
	}
}
