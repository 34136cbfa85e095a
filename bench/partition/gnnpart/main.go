// Command gnnpart is `gnnctl partition` alone: the same code
// (pkg/partition/partcli) in a binary without gnnctl's other subcommands,
// whose storage and RPC libraries add tens of MiB of resident binary
// pages to every gnnctl process. bench/partition.sh measures it against
// gpmetis so that peak memory compares the partitioners, not the binaries.
//
//	gnnpart --parts K [flags] INPUT      (flags as gnnctl partition)
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gnnscale/gnnscale/pkg/partition/partcli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := partcli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gnnpart:", err)
		os.Exit(1)
	}
}
