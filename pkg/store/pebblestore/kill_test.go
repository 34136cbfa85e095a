package pebblestore

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
	"github.com/gnnscale/gnnscale/pkg/store"
)

// The tests below run a writer in a child process (this test binary with
// GNNSCALE_CRASH_CHILD set) that commits batches and prints "ack <i>" after
// each one returns. The parent kills it, or the child dies of an injected
// storage failure; the parent then reopens the directory and checks that it
// holds every acknowledged batch, no torn batch, and nothing beyond the one
// batch that may have been in flight.

// TestCrashChild is the child's body; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("GNNSCALE_CRASH_CHILD")
	if dir == "" {
		t.Skip("run by the crash tests")
	}
	first, _ := strconv.Atoi(os.Getenv("GNNSCALE_CRASH_FIRST"))
	rangeMode = os.Getenv("GNNSCALE_CRASH_RANGE") == "1"
	failSync, _ := strconv.Atoi(os.Getenv("GNNSCALE_CRASH_FAIL_SYNC"))
	var fs vfs.FS = vfs.Default
	var armed atomic.Bool
	if failSync > 0 {
		var n atomic.Int64
		fs = errorfs.Wrap(vfs.Default, errorfs.InjectorFunc(func(op errorfs.Op) error {
			if armed.Load() && (op.Kind == errorfs.OpFileSync || op.Kind == errorfs.OpFileSyncData) &&
				strings.HasSuffix(op.Path, ".log") && n.Add(1) == int64(failSync) {
				return errorfs.ErrInjected
			}
			return nil
		}))
	}
	s, err := Open(dir, crashOptions(fs))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	ctx := t.Context()
	err = s.Create(ctx, store.AttrInfo{Key: crashKey, Rows: crashRows, Cols: crashCols})
	if err != nil && !errors.Is(err, store.ErrExists) {
		fmt.Println("error", err)
		os.Exit(3)
	}
	armed.Store(true)
	for i := first; i < crashRows/crashBatch; i++ {
		fmt.Println("start", i)
		if err := putBatch(ctx, s, i); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Println("ack", i)
	}
	fmt.Println("done")
	s.Close()
	os.Exit(0)
}

// child runs the writer on dir from batch first and returns the last
// acknowledged batch (-1: none), the last started one, and the process.
type child struct {
	cmd            *exec.Cmd
	lines          chan string
	acked, started int
}

func startChild(t *testing.T, dir string, first, failSync int) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GNNSCALE_CRASH_CHILD="+dir,
		"GNNSCALE_CRASH_FIRST="+strconv.Itoa(first), "GNNSCALE_CRASH_FAIL_SYNC="+strconv.Itoa(failSync),
		"GNNSCALE_CRASH_RANGE="+map[bool]string{false: "0", true: "1"}[rangeMode])
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, lines: make(chan string, 1024), acked: first - 1, started: first - 1}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	return c
}

// read consumes one line, updating acked/started; false at EOF.
func (c *child) read(t *testing.T) (string, bool) {
	t.Helper()
	var l string
	var ok bool
	select {
	case l, ok = <-c.lines:
	case <-time.After(2 * time.Minute):
		c.cmd.Process.Kill()
		t.Fatalf("the child wrote nothing for 2 minutes (acked %d, started %d)", c.acked, c.started)
	}
	if !ok {
		return "", false
	}
	switch f := strings.Fields(l); {
	case len(f) == 2 && f[0] == "ack":
		c.acked, _ = strconv.Atoi(f[1])
	case len(f) == 2 && f[0] == "start":
		c.started, _ = strconv.Atoi(f[1])
	case f[0] == "error":
		t.Fatalf("child: %s", l)
	}
	return l, true
}

// TestSIGKILLKeepsAcknowledgedBatches kills the writer with SIGKILL at
// random moments, three times over the same directory, resuming after the
// last acknowledged batch each time.
func TestSIGKILLKeepsAcknowledgedBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	for _, rm := range []bool{false, true} {
		rangeMode = rm
		t.Run(map[bool]string{false: "put", true: "ingest"}[rm], testSIGKILL)
	}
	rangeMode = false
}

func testSIGKILL(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 2))
	dir := t.TempDir()
	next := 0
	for round := 0; round < 3; round++ {
		c := startChild(t, dir, next, 0)
		kill := 3 + r.IntN(10) // acks to wait for before the kill
		for n := 0; n < kill; {
			l, ok := c.read(t)
			if !ok {
				break
			}
			if strings.HasPrefix(l, "ack") {
				n++
			}
		}
		time.Sleep(time.Duration(r.IntN(2000)) * time.Microsecond) // kill mid-batch, usually
		if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for {
			if _, ok := c.read(t); !ok {
				break
			}
		}
		_ = c.cmd.Wait()
		s, err := Open(dir, &Options{Logger: quietLog})
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		checkRecovered(t, s, c.acked+1, c.started)
		s.Close()
		t.Logf("round %d: killed after ack %d (batch %d in flight); reopened store holds exactly the acknowledged batches", round, c.acked, c.started)
		next = c.acked + 1 // the in-flight batch is written again (same values)
		if next >= crashRows/crashBatch {
			break
		}
	}
}

// TestWALSyncFailureStopsWriter makes the n-th WAL sync fail in the child:
// the writer must die (Pebble does not know what reached the disk and
// stops) without acknowledging the failed batch, and the reopened store
// holds every acknowledged batch and no torn one.
func TestWALSyncFailureStopsWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	for _, failAt := range []int{1, 2, 5, 13} {
		dir := t.TempDir()
		c := startChild(t, dir, 0, failAt)
		done := false
		for {
			l, ok := c.read(t)
			if !ok {
				break
			}
			done = done || l == "done"
		}
		err := c.cmd.Wait()
		if done || err == nil {
			t.Fatalf("sync failure %d: the writer finished instead of stopping", failAt)
		}
		s, err := Open(dir, &Options{Logger: quietLog})
		if err != nil {
			t.Fatalf("sync failure %d: reopen: %v", failAt, err)
		}
		checkRecovered(t, s, c.acked+1, c.started)
		s.Close()
		t.Logf("sync failure %d: writer died after ack %d with batch %d in flight; store consistent", failAt, c.acked, c.started)
	}
}
