package train

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gnnscale/gnnscale/pkg/gnn/models"
)

// Config is a trainer configuration (a YAML file under configs/, see
// docs/training.md). Zero fields take the defaults EnsureDefaults notes.
type Config struct {
	// Name names the run; outputs go to <output.dir>/<name>/. Default
	// "<model>-<dataset>".
	Name string `yaml:"name"`
	// Mode is the training mode: "gas" (GNNAutoScale mini-batches with
	// historical embeddings, the default; see GAS), "full" (full-batch)
	// or "neighbor" (PyG NeighborLoader mini-batches; see Neighbor).
	Mode string `yaml:"mode"`
	// Seed is the first seed; a run with N seeds uses Seed..Seed+N-1.
	Seed uint64 `yaml:"seed"`
	// Workers is the number of kernel goroutines (0 = all cores).
	Workers int `yaml:"workers"`

	Dataset DatasetConfig `yaml:"dataset"`
	Model   models.Config `yaml:"model"`
	Optim   OptimConfig   `yaml:"optim"`
	Train   LoopConfig    `yaml:"train"`
	Output  OutputConfig  `yaml:"output"`
	// GAS configures mode gas (pkg/train/gas_config.go).
	GAS GASConfig `yaml:"gas"`
	// Neighbor configures mode neighbor (pkg/train/neighbor.go).
	Neighbor NeighborConfig `yaml:"neighbor"`
	// Cluster finds the servers in etcd (pkg/train/gas_cluster.go).
	Cluster ClusterConfig `yaml:"cluster"`
}

// DatasetConfig selects the data.
type DatasetConfig struct {
	// Name is the data set folder under Root (OGB raw layout), or a label
	// for a generated one.
	Name string `yaml:"name"`
	// Root is the folder holding data sets; default $GNNSCALE_DATASETS,
	// else ../shared/datasets.
	Root string `yaml:"root"`
	// Split names the split folder (default: the only or first one).
	Split string `yaml:"split"`
	// NormalizeFeatures row-normalises features to sum 1 (PyG's
	// NormalizeFeatures, used for Planetoid data).
	NormalizeFeatures bool `yaml:"normalize_features"`
	// Generator makes the data instead of loading it: "sbm".
	Generator string `yaml:"generator"`
	// SBM configures the generator; zero fields take dataset.DefaultSBM.
	SBM SBMConfig `yaml:"sbm"`
}

// SBMConfig is the YAML form of dataset.SBMConfig.
type SBMConfig struct {
	Nodes     int     `yaml:"nodes"`
	Classes   int     `yaml:"classes"`
	AvgDegree float64 `yaml:"avg_degree"`
	Homophily float64 `yaml:"homophily"`
	Features  int     `yaml:"features"`
	Signal    float64 `yaml:"signal"`
	TrainFrac float64 `yaml:"train_frac"`
	ValidFrac float64 `yaml:"valid_frac"`
	Seed      uint64  `yaml:"seed"`
}

// OptimConfig selects the optimizer.
type OptimConfig struct {
	// Name is adam (default), adamw or sgd.
	Name string  `yaml:"name"`
	LR   float64 `yaml:"lr"` // default 0.01
	// WeightDecay applies to the model's regularised group,
	// WeightDecayNonreg to the rest (PyGAS's reg_weight_decay and
	// nonreg_weight_decay).
	WeightDecay       float64 `yaml:"weight_decay"`
	WeightDecayNonreg float64 `yaml:"weight_decay_nonreg"`
	Momentum          float64 `yaml:"momentum"`
	Nesterov          bool    `yaml:"nesterov"`
	// GradClip clips the global gradient norm (0 = off).
	GradClip float64 `yaml:"grad_clip"`
}

// LoopConfig controls the training loop.
type LoopConfig struct {
	Epochs int `yaml:"epochs"` // default 200 (the maximum with Patience)
	// EvalEvery evaluates every n epochs (default 1); model selection
	// sees only evaluated epochs.
	EvalEvery int `yaml:"eval_every"`
	// Select is the model-selection criterion over evaluated epochs:
	// "val_acc" (default; the first epoch with the highest validation
	// accuracy, as PyG's examples and PyGAS) or "val_loss" (the lowest
	// validation cross-entropy, the later epoch on ties, as Shchur et
	// al.'s gnn-benchmark).
	Select string `yaml:"select"`
	// Patience stops a seed early once this many epochs have passed since
	// the selected epoch (checked at evaluations); 0 trains all Epochs.
	// Mode full only.
	Patience int `yaml:"patience"`
}

// Selection criteria of LoopConfig.Select.
const (
	SelectValAcc  = "val_acc"
	SelectValLoss = "val_loss"
)

// OutputConfig controls what a run writes.
type OutputConfig struct {
	Dir          string `yaml:"dir"` // default "runs"
	NoCheckpoint bool   `yaml:"no_checkpoint"`
	NoPlot       bool   `yaml:"no_plot"`
}

// ErrConfig marks an invalid configuration.
var ErrConfig = errors.New("invalid config")

// EnsureDefaults fills zero fields with the defaults.
func (c *Config) EnsureDefaults() {
	if c.Mode == "" {
		c.Mode = "gas"
	}
	c.GAS.EnsureDefaults()
	c.Model.EnsureDefaults()
	c.Neighbor.ensureDefaults(c.Model.Layers)
	if c.Optim.Name == "" {
		c.Optim.Name = "adam"
	}
	if c.Optim.LR == 0 {
		c.Optim.LR = 0.01
	}
	if c.Train.Epochs == 0 {
		c.Train.Epochs = 200
	}
	if c.Train.EvalEvery == 0 {
		c.Train.EvalEvery = 1
	}
	if c.Train.Select == "" {
		c.Train.Select = SelectValAcc
	}
	if c.Output.Dir == "" {
		c.Output.Dir = "runs"
	}
	if c.Dataset.Root == "" {
		c.Dataset.Root = os.Getenv("GNNSCALE_DATASETS")
		if c.Dataset.Root == "" {
			c.Dataset.Root = "../shared/datasets"
		}
	}
	if c.Dataset.Name == "" && c.Dataset.Generator != "" {
		c.Dataset.Name = c.Dataset.Generator
	}
	if c.Name == "" {
		c.Name = c.Model.Name + "-" + c.Dataset.Name
	}
}

// Validate reports every problem at once, each naming its key.
func (c *Config) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	switch c.Mode {
	case "full":
	case "gas":
		c.GAS.validate(bad, c.Model.Name)
		c.Cluster.validate(bad, &c.GAS)
	case "neighbor":
		c.Neighbor.validate(bad)
		if c.GAS.Store != "" || c.Cluster.Etcd != "" {
			c.Cluster.validate(bad, &c.GAS)
		}
	default:
		bad("mode: %q is not one of full, gas, neighbor", c.Mode)
	}
	if c.Workers < 0 {
		bad("workers: %d, want >= 0", c.Workers)
	}
	if c.Dataset.Name == "" {
		bad("dataset.name: missing")
	}
	if strings.ContainsAny(c.Name, "/\\") || c.Name == "." || c.Name == ".." {
		bad("name: %q must not contain a path separator", c.Name)
	}
	switch c.Dataset.Generator {
	case "", "sbm":
	default:
		bad("dataset.generator: %q is not one of sbm", c.Dataset.Generator)
	}
	if err := c.Model.Validate(); err != nil {
		errs = append(errs, err)
	}
	switch c.Optim.Name {
	case "adam", "adamw", "sgd":
	default:
		bad("optim.name: %q is not one of adam, adamw, sgd", c.Optim.Name)
	}
	if c.Optim.LR <= 0 {
		bad("optim.lr: %g, want > 0", c.Optim.LR)
	}
	if c.Optim.WeightDecay < 0 || c.Optim.WeightDecayNonreg < 0 {
		bad("optim.weight_decay/weight_decay_nonreg: %g/%g, want >= 0", c.Optim.WeightDecay, c.Optim.WeightDecayNonreg)
	}
	if c.Optim.Momentum < 0 || c.Optim.GradClip < 0 {
		bad("optim.momentum/grad_clip: %g/%g, want >= 0", c.Optim.Momentum, c.Optim.GradClip)
	}
	if c.Optim.Nesterov && c.Optim.Momentum == 0 {
		bad("optim.nesterov: needs momentum > 0")
	}
	if c.Train.Epochs < 1 {
		bad("train.epochs: %d, want >= 1", c.Train.Epochs)
	}
	if c.Train.EvalEvery < 1 {
		bad("train.eval_every: %d, want >= 1", c.Train.EvalEvery)
	}
	switch c.Train.Select {
	case SelectValAcc:
	case SelectValLoss:
		if c.Mode != "full" {
			bad("train.select: %q is supported in mode full only", c.Train.Select)
		}
	default:
		bad("train.select: %q is not one of %s, %s", c.Train.Select, SelectValAcc, SelectValLoss)
	}
	if c.Train.Patience < 0 {
		bad("train.patience: %d, want >= 0", c.Train.Patience)
	}
	if c.Train.Patience > 0 && c.Mode != "full" {
		bad("train.patience: early stopping is supported in mode full only")
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrConfig, errors.Join(errs...))
	}
	return nil
}

// Parse decodes YAML (unknown keys are errors), applies the overrides
// ("key.path=value", value parsed as YAML, as Hydra's command-line
// overrides) and fills defaults. It does not Validate.
func Parse(data []byte, sets []string) (*Config, error) {
	var root yaml.Node
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.Unmarshal(data, &root); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	if root.Kind == 0 {
		root = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w: the top level must be a mapping", ErrConfig)
	}
	for _, s := range sets {
		if err := set(root.Content[0], s); err != nil {
			return nil, err
		}
	}
	var c Config
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(&root); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	c.EnsureDefaults()
	return &c, nil
}

// set applies one "a.b.c=value" override to a mapping node, creating
// intermediate mappings as needed.
func set(m *yaml.Node, kv string) error {
	key, val, ok := strings.Cut(kv, "=")
	if !ok || key == "" {
		return fmt.Errorf("%w: --set %q: want key.path=value", ErrConfig, kv)
	}
	var v yaml.Node
	if err := yaml.Unmarshal([]byte(val), &v); err != nil {
		return fmt.Errorf("%w: --set %s: value %q: %w", ErrConfig, key, val, err)
	}
	value := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}
	if v.Kind == yaml.DocumentNode && len(v.Content) == 1 {
		value = v.Content[0]
	}
	parts := strings.Split(key, ".")
	for i, p := range parts {
		if p == "" {
			return fmt.Errorf("%w: --set %q: empty key segment", ErrConfig, kv)
		}
		var child *yaml.Node
		for j := 0; j+1 < len(m.Content); j += 2 {
			if m.Content[j].Value == p {
				child = m.Content[j+1]
				if i == len(parts)-1 {
					m.Content[j+1] = value
				}
				break
			}
		}
		if i == len(parts)-1 {
			if child == nil {
				m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p}, value)
			}
			return nil
		}
		if child == nil {
			child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p}, child)
		}
		if child.Kind != yaml.MappingNode {
			return fmt.Errorf("%w: --set %s: %s is not a mapping", ErrConfig, key, strings.Join(parts[:i+1], "."))
		}
		m = child
	}
	return nil
}

// YAML returns the configuration as YAML (all defaults filled), the form
// stored next to checkpoints.
func (c *Config) YAML() []byte {
	b, err := yaml.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("train: marshal config: %v", err))
	}
	return b
}
