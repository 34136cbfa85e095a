// Command npygen writes a rows x cols float32 .npy file of synth.Value
// elements, for the larger-than-memory store test.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"unsafe"

	"github.com/gnnscale/gnnscale/bench/store/synth"
	"github.com/gnnscale/gnnscale/pkg/store/ingest"
)

func main() {
	rows := flag.Int64("rows", 1<<24, "rows")
	cols := flag.Int("cols", 128, "columns")
	seed := flag.Uint64("seed", 1, "seed of synth.Value")
	out := flag.String("out", "", "output .npy file")
	flag.Parse()
	if err := run(*out, *rows, *cols, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "npygen:", err)
		os.Exit(1)
	}
}

func run(path string, rows int64, cols int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 8<<20)
	if err := ingest.WriteNPYHeader(w, rows, cols); err != nil {
		return err
	}
	const chunk = 1 << 16 // rows generated per step, split over the cores
	buf := make([]float32, chunk*cols)
	workers := runtime.GOMAXPROCS(0)
	for lo := int64(0); lo < rows; lo += chunk {
		n := int(min(chunk, rows-lo))
		var wg sync.WaitGroup
		per := (n + workers - 1) / workers
		for p := 0; p < n; p += per {
			wg.Add(1)
			go func(p, q int) {
				defer wg.Done()
				synth.Fill(buf[p*cols:q*cols], seed, lo+int64(p), cols)
			}(p, min(p+per, n))
		}
		wg.Wait()
		b := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), 4*n*cols) // little-endian host
		if _, err := w.Write(b); err != nil {
			return err
		}
		if lo%(1<<22) == 0 {
			fmt.Fprintf(os.Stderr, "npygen: %d / %d rows\n", lo, rows)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Sync()
}
