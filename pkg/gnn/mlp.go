package gnn

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/kernels"
)

// Norm names the normalisation an MLP applies between its layers.
type Norm string

const (
	NoNorm        Norm = ""
	BatchNormKind Norm = "batch_norm"
	LayerNormKind Norm = "layer_norm"
)

// MLPOptions configure [NewMLP]. The zero value is PyG's MLP default
// without normalisation: ReLU, no dropout, a plain last layer.
type MLPOptions struct {
	Act     kernels.Act // activation between layers (zero value: Identity; set ReLU)
	Dropout float64     // dropout after each hidden activation
	Norm    Norm        // normalisation after each hidden linear layer
	Init    Init
}

// MLP is a stack of Linear layers (PyG's MLP with plain_last=True): every
// layer but the last is followed by norm, activation and dropout.
type MLP struct {
	Lins  []*Linear
	Norms []ad.Module // *BatchNorm or *LayerNorm per hidden layer (nil entries without)
	opts  MLPOptions
}

// ReLU is the activation most layers use.
var ReLU = kernels.Act{Kind: kernels.ReLU}

// NewMLP returns an MLP over the channel list [in, hidden..., out].
func NewMLP(channels []int, o MLPOptions, r *rand.Rand) *MLP {
	if len(channels) < 2 {
		panic(fmt.Sprintf("gnn: NewMLP: channel list %v needs at least two entries", channels))
	}
	m := &MLP{opts: o}
	for i := 0; i+1 < len(channels); i++ {
		m.Lins = append(m.Lins, NewLinear(channels[i], channels[i+1], true, o.Init, r))
		if i+2 < len(channels) {
			switch o.Norm {
			case BatchNormKind:
				m.Norms = append(m.Norms, NewBatchNorm(channels[i+1]))
			case LayerNormKind:
				m.Norms = append(m.Norms, NewLayerNorm(channels[i+1]))
			}
		}
	}
	return m
}

// Params returns "lins.<i>.weight", "lins.<i>.bias" and "norms.<i>.*".
func (m *MLP) Params() []ad.Named {
	var ps []ad.Named
	for i, l := range m.Lins {
		ps = append(ps, ad.Prefix("lins."+strconv.Itoa(i), l)...)
	}
	for i, n := range m.Norms {
		ps = append(ps, ad.Prefix("norms."+strconv.Itoa(i), n)...)
	}
	return ps
}

// In returns the input width, Out the output width.
func (m *MLP) In() int  { return m.Lins[0].In }
func (m *MLP) Out() int { return m.Lins[len(m.Lins)-1].Out }

// Forward applies the stack.
func (m *MLP) Forward(t *ad.Tape, x *ad.Var) *ad.Var {
	for i, l := range m.Lins {
		x = l.Forward(t, x)
		if i == len(m.Lins)-1 {
			break
		}
		if i < len(m.Norms) {
			switch n := m.Norms[i].(type) {
			case *BatchNorm:
				x = n.Forward(t, x)
			case *LayerNorm:
				x = n.Forward(t, x)
			}
		}
		if m.opts.Act.Kind != kernels.Identity {
			x = t.Act(x, m.opts.Act)
		}
		x = t.Dropout(x, m.opts.Dropout)
	}
	return x
}

func (m *MLP) String() string {
	ch := []string{strconv.Itoa(m.In())}
	for _, l := range m.Lins {
		ch = append(ch, strconv.Itoa(l.Out))
	}
	return "MLP(" + strings.Join(ch, ", ") + ")"
}
