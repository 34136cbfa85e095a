package dataset_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gnnscale/gnnscale/pkg/dataset"
)

func ExampleSBM() {
	cfg := dataset.DefaultSBM()
	cfg.NumNodes = 1000
	ds, err := dataset.SBM(cfg)
	if err != nil {
		panic(err)
	}
	fmt.Println(ds.NumNodes(), ds.NumFeatures(), ds.NumClasses, len(ds.Split.Train))
	// Output: 1000 64 8 100
}

func ExampleLoad() {
	ds, err := dataset.Load(context.Background(), "testdata/tiny", &dataset.LoadOptions{Split: "b"})
	if err != nil {
		panic(err)
	}
	fmt.Println(ds.Name, ds.NumNodes(), ds.NumEdges(), ds.NumFeatures(), ds.Split.Name, ds.Split.Train)
	// Output: tiny 5 8 3 b [4]
}

func ExampleEdgeReader() {
	r, err := dataset.OpenEdgeReader(filepath.Join("testdata/tiny", dataset.EdgeFile), 5)
	if err != nil {
		panic(err)
	}
	defer r.Close()
	src, dst := make([]int32, 3), make([]int32, 3)
	for {
		n, err := r.Read(src, dst)
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		fmt.Println(src[:n], dst[:n])
	}
	// Output:
	// [0 1 1] [1 0 2]
	// [2 2 3] [1 3 2]
	// [0 4] [4 0]
}

func ExampleWrite() {
	ds, _ := dataset.Grid(dataset.GridConfig{Width: 3, Height: 2})
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	if err := dataset.Write(context.Background(), filepath.Join(dir, "grid"), ds, nil); err != nil {
		panic(err)
	}
	back, _ := dataset.Load(context.Background(), filepath.Join(dir, "grid"), nil)
	fmt.Println(back.NumNodes(), back.NumEdges())
	// Output: 6 14
}
