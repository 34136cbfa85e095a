package models

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// Model is a node classifier.
type Model interface {
	ad.Module
	// Forward returns one row of logits per target of a.
	Forward(t *ad.Tape, a *ad.Sparse, x *ad.Var) *ad.Var
	// Groups splits the parameters into those that get the regular weight
	// decay and those that get the second one (often 0).
	Groups() (reg, nonreg []ad.Named)
	String() string
}

// Config is the "model:" section of a trainer config. Zero fields take
// the defaults noted; fields a model does not use are ignored.
type Config struct {
	// Name is gcn, gat, sage, gin, appnp, gcn2 or mlp.
	Name string `yaml:"name" json:"name"`
	// Hidden is the hidden width (per head for GAT). Default 64.
	Hidden int `yaml:"hidden" json:"hidden"`
	// Layers is the number of message-passing layers (GCNII: of GCN2Conv;
	// MLP: of linear layers). Default 2 (GCNII 64).
	Layers int `yaml:"layers" json:"layers"`
	// Dropout is the feature dropout probability between layers.
	Dropout float64 `yaml:"dropout" json:"dropout"`
	// DropInput applies dropout to the input features too (default true).
	DropInput *bool `yaml:"drop_input" json:"drop_input"`
	// BatchNorm adds BatchNorm1d after hidden convolutions (GCN, SAGE, GIN).
	BatchNorm bool `yaml:"batch_norm" json:"batch_norm"`
	// Normalize: GCN-normalise the adjacency inside the convolutions
	// (GCN, APPNP, GCNII; default true). Set false when the adjacency
	// already carries normalised values (GNNAutoScale batches).
	Normalize *bool `yaml:"normalize" json:"normalize"`

	// Heads and OutHeads are GAT's attention heads (default 8 and 1);
	// AttnDropout its attention dropout (default Dropout).
	Heads       int      `yaml:"heads" json:"heads"`
	OutHeads    int      `yaml:"out_heads" json:"out_heads"`
	AttnDropout *float64 `yaml:"attn_dropout" json:"attn_dropout"`

	// Aggr is SAGE's aggregation (default mean); L2Normalize normalises
	// its outputs.
	Aggr        string `yaml:"aggr" json:"aggr"`
	L2Normalize bool   `yaml:"l2_normalize" json:"l2_normalize"`

	// TrainEps makes GIN's ε learnable.
	TrainEps bool `yaml:"train_eps" json:"train_eps"`

	// Alpha is APPNP's and GCNII's teleport (default 0.1), K APPNP's
	// steps (default 10), Theta GCNII's (default 0.5), SharedWeights
	// GCNII's weight sharing (default true).
	Alpha         float64 `yaml:"alpha" json:"alpha"`
	K             int     `yaml:"k" json:"k"`
	Theta         float64 `yaml:"theta" json:"theta"`
	SharedWeights *bool   `yaml:"shared_weights" json:"shared_weights"`
}

// Names lists the supported model names.
var Names = []string{"gcn", "gat", "sage", "gin", "appnp", "gcn2", "mlp"}

// ErrConfig marks an invalid model configuration.
var ErrConfig = errors.New("invalid model config")

// EnsureDefaults fills zero fields with the defaults.
func (c *Config) EnsureDefaults() {
	c.Name = strings.ToLower(c.Name)
	if c.Name == "gcnii" {
		c.Name = "gcn2"
	}
	if c.Hidden == 0 {
		c.Hidden = 64
	}
	if c.Layers == 0 {
		c.Layers = 2
		if c.Name == "gcn2" {
			c.Layers = 64
		}
	}
	if c.Heads == 0 {
		c.Heads = 8
	}
	if c.OutHeads == 0 {
		c.OutHeads = 1
	}
	if c.Alpha == 0 {
		c.Alpha = 0.1
	}
	if c.K == 0 {
		c.K = 10
	}
	if c.Theta == 0 {
		c.Theta = 0.5
	}
	if c.Aggr == "" {
		c.Aggr = "mean"
	}
	if c.DropInput == nil {
		c.DropInput = ptr(true)
	}
	if c.Normalize == nil {
		c.Normalize = ptr(true)
	}
	if c.SharedWeights == nil {
		c.SharedWeights = ptr(true)
	}
	if c.AttnDropout == nil {
		c.AttnDropout = ptr(c.Dropout)
	}
}

func ptr[T any](v T) *T { return &v }

// Validate reports every problem at once, each naming its field.
func (c *Config) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf("model."+f, a...)) }
	known := false
	for _, n := range Names {
		known = known || n == c.Name
	}
	if !known {
		bad("name: %q is not one of %s", c.Name, strings.Join(Names, ", "))
	}
	if c.Hidden < 1 {
		bad("hidden: %d, want >= 1", c.Hidden)
	}
	if c.Layers < 1 {
		bad("layers: %d, want >= 1", c.Layers)
	}
	if c.Dropout < 0 || c.Dropout >= 1 {
		bad("dropout: %g outside [0, 1)", c.Dropout)
	}
	if c.AttnDropout != nil && (*c.AttnDropout < 0 || *c.AttnDropout >= 1) {
		bad("attn_dropout: %g outside [0, 1)", *c.AttnDropout)
	}
	if c.Heads < 1 || c.OutHeads < 1 {
		bad("heads/out_heads: %d/%d, want >= 1", c.Heads, c.OutHeads)
	}
	if c.Alpha < 0 || c.Alpha > 1 {
		bad("alpha: %g outside [0, 1]", c.Alpha)
	}
	if c.K < 1 {
		bad("k: %d, want >= 1", c.K)
	}
	if c.Theta < 0 {
		bad("theta: %g, want >= 0", c.Theta)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrConfig, errors.Join(errs...))
	}
	return nil
}

// Build returns the model c describes for in input features and out
// classes, initialised from r. c is completed with defaults first.
func Build(c Config, in, out int, r *rand.Rand) (Model, error) {
	c.EnsureDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if in < 1 || out < 1 {
		return nil, fmt.Errorf("%w: %d input features, %d classes", ErrConfig, in, out)
	}
	switch c.Name {
	case "gcn", "sage", "gin":
		return newBasic(c, in, out, r)
	case "gat":
		return newGAT(c, in, out, r), nil
	case "appnp":
		return newAPPNP(c, in, out, r), nil
	case "gcn2":
		return newGCN2(c, in, out, r), nil
	default:
		return newMLP(c, in, out, r), nil
	}
}
