//go:build !cuda

package cuda

import (
	"errors"

	"github.com/gnnscale/gnnscale/pkg/kernels"
)

// ErrNotBuilt is returned by New when the binary was built without the
// `cuda` tag.
var ErrNotBuilt = errors.New("cuda: backend not built (rebuild with -tags cuda)")

// Option configures the CUDA backend (device, streams); none exist without
// the cuda tag.
type Option func(*options)

type options struct{}

// New returns the CUDA backend, or ErrNotBuilt in this build.
func New(opts ...Option) (kernels.Backend, error) { return nil, ErrNotBuilt }
