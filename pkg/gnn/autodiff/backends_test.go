package autodiff_test

import (
	"github.com/gnnscale/gnnscale/pkg/gnn/gnntest"
	"github.com/gnnscale/gnnscale/pkg/kernels"
)

// backends lists the backends every op is checked on.
func backends() []kernels.Backend {
	return []kernels.Backend{gnntest.Reference()}
}
