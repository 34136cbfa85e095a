package autodiff_test

import (
	"github.com/gnnscale/gnnscale/pkg/gnn/gnntest"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
)

// backends lists the backends every op is checked on: the plain-loop
// reference and the CPU backend (with every parallel split forced).
func backends() []kernels.Backend {
	return []kernels.Backend{gnntest.Reference(), cpu.New(cpu.WithGrain(1))}
}
