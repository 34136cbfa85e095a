package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gnnscale/gnnscale/pkg/dataset"
	"github.com/gnnscale/gnnscale/pkg/store"
	"github.com/gnnscale/gnnscale/pkg/store/pebblestore"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// ingestData writes an SBM data set of n nodes in the OGB layout.
func ingestData(t *testing.T, n int) (string, *dataset.Dataset) {
	t.Helper()
	ds, err := dataset.SBM(dataset.SBMConfig{NumNodes: n, NumClasses: 3, AvgDegree: 5, Homophily: 0.7,
		NumFeatures: 16, Signal: 1, TrainFrac: 0.3, ValidFrac: 0.3, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "sbm")
	if err := dataset.Write(context.Background(), dir, ds, nil); err != nil {
		t.Fatal(err)
	}
	back, err := dataset.Load(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return dir, back
}

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	s, err := pebblestore.Open(dir, &pebblestore.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rowsOK reports whether rows [lo, hi) of node/x are present and equal to
// the data set's features, absent (all of them), or neither (an error).
func rowsState(s *store.Store, ds *dataset.Dataset, lo, hi int64) (string, error) {
	present := 0
	dst := tensor.New(1, ds.NumFeatures())
	for id := lo; id < hi; id++ {
		err := s.Get(context.Background(), store.Key{Group: "node", Name: "x"}, []int64{id}, dst)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", err
		}
		for j, v := range dst.Row(0) {
			if v != ds.Features.At(int(id), j) {
				return "", fmt.Errorf("row %d col %d = %v, want %v", id, j, v, ds.Features.At(int(id), j))
			}
		}
		present++
	}
	switch present {
	case 0:
		return "none", nil
	case int(hi - lo):
		return "all", nil
	}
	return "", fmt.Errorf("rows [%d, %d): %d present: torn batch", lo, hi, present)
}

func TestIngestAndInspect(t *testing.T) {
	dir, ds := ingestData(t, 3000)
	out := filepath.Join(t.TempDir(), "store")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"ingest", "--out", out, "--partition", "3", "--batch", "500", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "ingested 3000 nodes") || !strings.Contains(stderr.String(), "features: done") {
		t.Fatalf("stdout %q\nstderr %q", stdout.String(), stderr.String())
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"inspect", "--count", out}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"node/x", "3000 x 16", "present 3000 rows", "node/to/node", "3 parts"} {
		if !strings.Contains(stdout.String(), want) {
			t.Fatalf("inspect output lacks %q:\n%s", want, stdout.String())
		}
	}
	// The perm file maps new ids back to the data set's.
	raw, err := os.ReadFile(filepath.Join(out, ingestPerm))
	if err != nil || len(raw) != 4*3000 {
		t.Fatalf("perm file: %d bytes, %v", len(raw), err)
	}
	s := openStore(t, out)
	defer s.Close()
	x := tensor.New(3000, 16)
	if err := s.GetRange(context.Background(), store.Key{Group: "node", Name: "x"}, 0, x); err != nil {
		t.Fatal(err)
	}
	for nw := 0; nw < 3000; nw++ {
		old := int(int32(uint32(raw[4*nw]) | uint32(raw[4*nw+1])<<8 | uint32(raw[4*nw+2])<<16 | uint32(raw[4*nw+3])<<24))
		if x.At(nw, 5) != ds.Features.At(old, 5) {
			t.Fatalf("new row %d holds %v, old row %d has %v", nw, x.At(nw, 5), old, ds.Features.At(old, 5))
		}
	}
}

func TestIngestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"ingest"}, {"ingest", "--out", "x"}, {"inspect"}} {
		err := run(context.Background(), args, io.Discard, io.Discard)
		if !errors.Is(err, errUsage) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	err := run(context.Background(), []string{"inspect", t.TempDir()}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "not a Pebble store") {
		t.Errorf("inspect of an empty folder: %v", err)
	}
}

// TestIngestChild is the body of the process TestIngestSIGKILL kills.
func TestIngestChild(t *testing.T) {
	args := os.Getenv("GNNSCALE_INGEST_CHILD")
	if args == "" {
		t.Skip("run by TestIngestSIGKILL")
	}
	if err := run(context.Background(), strings.Split(args, "\x1f"), os.Stdout, io.Discard); err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	os.Exit(0)
}

// TestIngestSIGKILL kills `gnnctl ingest --acks` with SIGKILL in the
// middle of the features, reopens the store and checks that it holds
// exactly the acknowledged batches (each complete, byte-exact), at most the
// one batch in flight beyond them, and nothing after; then --resume
// completes the ingest.
func TestIngestSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	const batch = 100
	dir, ds := ingestData(t, 20000)
	out := filepath.Join(t.TempDir(), "store")
	args := strings.Join([]string{"ingest", "--out", out, "--acks", "--batch", strconv.Itoa(batch), "--compact=false", dir}, "\x1f")
	cmd := exec.Command(os.Args[0], "-test.run=^TestIngestChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GNNSCALE_INGEST_CHILD="+args)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := int64(0) // rows of node/x acknowledged: [0, acked)
	sc := bufio.NewScanner(pipe)
	killed := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 4 && f[0] == "ack" && f[1] == "node/x" {
			hi, _ := strconv.ParseInt(f[3], 10, 64)
			acked = hi
			if hi >= 40*batch && !killed {
				time.Sleep(3 * time.Millisecond) // usually mid-batch
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
		if len(f) > 0 && f[0] == "error" {
			t.Fatalf("child: %s", sc.Text())
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatal("the ingest finished before it could be killed")
	}
	s := openStore(t, out)
	beyond := 0
	for lo := int64(0); lo < int64(ds.NumNodes()); lo += batch {
		st, err := rowsState(s, ds, lo, min(lo+batch, int64(ds.NumNodes())))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case lo < acked && st != "all":
			t.Fatalf("acknowledged batch [%d, %d) is %s after SIGKILL", lo, lo+batch, st)
		case lo >= acked && st == "all":
			beyond++
		}
	}
	if beyond > 1 {
		t.Fatalf("%d batches beyond the last acknowledged one are present (at most the one in flight may be)", beyond)
	}
	s.Close()
	t.Logf("killed after %d acknowledged rows; %d unacknowledged in-flight batch present", acked, beyond)

	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"ingest", "--out", out, "--resume", "--batch", strconv.Itoa(batch), dir}, &stdout, &stderr); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr.String())
	}
	s = openStore(t, out)
	defer s.Close()
	if st, err := rowsState(s, ds, 0, int64(ds.NumNodes())); err != nil || st != "all" {
		t.Fatalf("after resume: %s %v", st, err)
	}
}
