// Command gnnctl is the operator's tool: it generates and inspects datasets,
// partitions graphs, ingests data into stores and reports cluster status.
// Each subcommand lives in its own file and is listed in commands below.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one gnnctl subcommand. run gets the arguments after the
// subcommand name and writes its report to stdout.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists every subcommand; add a line here for a new one.
func commands() []command {
	return []command{
		{"version", "print the version", runVersion},
		{"partition", "partition a graph (METIS .graph or OGB folder) into K parts", runPartition},
		{"generate", "generate a synthetic data set (sbm, rmat, grid, rgg) in the OGB raw layout", runGenerate},
		{"summary", "print a data set's counts, degrees, classes and split", runSummary},
		{"ingest", "load a data set (OGB folder, .npy/.parquet features) into a Pebble store", runIngest},
		{"inspect", "print what a Pebble store holds", runInspect},
		{"status", "ask feature and graph servers (given, or the members in etcd) what they hold, and which are down", runStatus},
	}
}

// errUsage marks an error that should be followed by the usage text.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gnnctl:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return fmt.Errorf("%w: no subcommand", errUsage)
		}
		return nil
	}
	for _, c := range cmds {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	usage(stderr, cmds)
	return fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
}

func usage(w io.Writer, cmds []command) {
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	fmt.Fprintln(w, "usage: gnnctl <subcommand> [flags]  (gnnctl <subcommand> -h for its flags)")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) error {
	_, err := fmt.Fprintln(stdout, "gnnctl (GNNScale) dev")
	return err
}
