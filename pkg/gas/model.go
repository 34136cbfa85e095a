package gas

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/models"
)

// Model is a GNNAutoScale model: NumLayers layers with a history between
// consecutive ones.
type Model interface {
	ad.Module
	// Groups splits the parameters into the regularised group and the rest
	// (PyGAS's reg_modules and nonreg_modules).
	Groups() (reg, nonreg []ad.Named)
	// NumLayers is the number of layers; the model keeps NumLayers-1
	// histories.
	NumLayers() int
	// HistoryDim is the width of every history.
	HistoryDim() int
	// Layer computes layer i for the adj.Rows() targets of a batch from x,
	// the layer's input for all adj.Cols() nodes of the batch (targets
	// first). st carries per-batch values between the layers of one batch
	// (a fresh State for each batch).
	Layer(t *ad.Tape, i int, adj *ad.Sparse, x *ad.Var, st *State) *ad.Var
	String() string
}

// State is what a model keeps for one batch from one layer to the next:
// the initial representation of its in-batch rows (GCNII's x_0, APPNP's
// MLP output).
type State struct {
	X0 *ad.Var
}

// Options are the architecture options PyGAS adds to the shared model
// config (the trainer's "gas:" section).
type Options struct {
	// Residual adds each hidden layer's input to its output when the widths
	// agree (GCN, SAGE, GCNII).
	Residual bool `yaml:"residual" json:"residual"`
	// Linear puts a linear layer before the first and after the last
	// convolution, every convolution then being hidden x hidden (GCN,
	// SAGE).
	Linear bool `yaml:"linear" json:"linear"`
}

// ErrConfig marks an invalid model configuration.
var ErrConfig = errors.New("gas: invalid model config")

// Names lists the models with a GAS form.
var Names = []string{"gcn", "sage", "gat", "appnp", "gcn2"}

// Build returns the GAS model c describes for in features and out
// classes, initialised from r (the same draws, in the same order, as
// pkg/gnn/models.Build for the same config when o is zero, so parameters
// can be compared with the full-batch model).
func Build(c models.Config, o Options, in, out int, r *rand.Rand) (Model, error) {
	c.EnsureDefaults()
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("gas: %w", err)
	}
	if in < 1 || out < 1 {
		return nil, fmt.Errorf("%w: %d input features, %d classes", ErrConfig, in, out)
	}
	switch c.Name {
	case "gcn", "sage":
		return newBasic(c, o, in, out, r)
	case "gat":
		return newGAT(c, in, out, r), nil
	case "appnp":
		return newAPPNP(c, in, out, r), nil
	case "gcn2":
		return newGCN2(c, o, in, out, r), nil
	default:
		return nil, fmt.Errorf("%w: model.name %q has no GAS form (one of %s)", ErrConfig, c.Name, strings.Join(Names, ", "))
	}
}

// NeedsNormalizedAdj reports whether model name propagates over the
// GCN-normalised adjacency with self loops (computed from global degrees
// before batching, as PyGAS's gcn_norm on the full graph).
func NeedsNormalizedAdj(name string) bool {
	switch strings.ToLower(name) {
	case "gcn", "appnp", "gcn2", "gcnii":
		return true
	}
	return false
}

func describe[T fmt.Stringer](name string, parts []T) string {
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = p.String()
	}
	return name + "(" + strings.Join(s, ", ") + ")"
}
