package main

import (
	"context"
	"errors"
	"io"

	"github.com/gnnscale/gnnscale/pkg/partition/partcli"
)

// runPartition is `gnnctl partition` (see pkg/partition/partcli and
// docs/partitioning.md).
func runPartition(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := partcli.Run(ctx, args, stdout, stderr)
	if errors.Is(err, partcli.ErrUsage) {
		return usageError{err}
	}
	return err
}

// usageError keeps partcli's error chain and also matches errUsage.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func (e usageError) Is(target error) bool { return target == errUsage }
