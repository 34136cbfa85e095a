package gnn

import (
	"fmt"
	"math/rand/v2"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// Init names a weight initialisation.
type Init int

const (
	// KaimingUniform is torch.nn.Linear's default: weight and bias
	// uniform in ±1/sqrt(in).
	KaimingUniform Init = iota
	// Glorot is uniform in ±sqrt(6/(in+out)) with a zero bias (PyG's
	// weight_initializer="glorot", used by GCNConv and GATConv).
	Glorot
)

// Linear is y = x W^T + b (torch.nn.Linear; PyG's Linear). W is out x in.
type Linear struct {
	In, Out int
	W       *ad.Param // "weight", out x in
	B       *ad.Param // "bias", 1 x out; nil without bias
	init    Init
}

// NewLinear returns a Linear layer initialised with init from r.
func NewLinear(in, out int, bias bool, init Init, r *rand.Rand) *Linear {
	l := &Linear{In: in, Out: out, W: ad.NewParam(out, in), init: init}
	if bias {
		l.B = ad.NewParam(1, out, out)
	}
	l.Reset(r)
	return l
}

// Reset re-draws the parameters.
func (l *Linear) Reset(r *rand.Rand) {
	switch l.init {
	case Glorot:
		ad.Glorot(l.W, l.In, l.Out, r)
		if l.B != nil {
			ad.Fill(l.B, 0)
		}
	default:
		ad.KaimingUniform(l.W, l.In, r)
		if l.B != nil {
			ad.KaimingUniform(l.B, l.In, r)
		}
	}
}

// Params returns "weight" and, with a bias, "bias".
func (l *Linear) Params() []ad.Named {
	ps := []ad.Named{{Name: "weight", Param: l.W}}
	if l.B != nil {
		ps = append(ps, ad.Named{Name: "bias", Param: l.B})
	}
	return ps
}

// Forward returns x W^T + b.
func (l *Linear) Forward(t *ad.Tape, x *ad.Var) *ad.Var {
	return t.Linear(x, l.W.Var, l.bias())
}

func (l *Linear) bias() *ad.Var {
	if l.B == nil {
		return nil
	}
	return l.B.Var
}

func (l *Linear) String() string {
	return fmt.Sprintf("Linear(%d, %d, bias=%v)", l.In, l.Out, l.B != nil)
}

// BatchNorm is torch.nn.BatchNorm1d over nodes: learnable "weight" and
// "bias" and the running statistics "running_mean" and "running_var"
// (parameters that need no gradient, so checkpoints carry them and
// optimizers skip them).
type BatchNorm struct {
	Gamma, Beta     *ad.Param
	RunMean, RunVar *ad.Param
	Momentum, Eps   float64
	channels        int
	state           ad.BatchNormState
}

// NewBatchNorm returns batch normalisation of channels columns with torch's
// defaults (momentum 0.1, eps 1e-5, weight 1, bias 0).
func NewBatchNorm(channels int) *BatchNorm {
	b := &BatchNorm{
		Gamma: ad.NewParam(1, channels, channels), Beta: ad.NewParam(1, channels, channels),
		RunMean: ad.NewParam(1, channels, channels), RunVar: ad.NewParam(1, channels, channels),
		Momentum: 0.1, Eps: 1e-5, channels: channels,
	}
	b.RunMean.SetRequiresGrad(false)
	b.RunVar.SetRequiresGrad(false)
	b.Reset()
	return b
}

// Reset restores the initial parameters and statistics.
func (b *BatchNorm) Reset() {
	ad.Fill(b.Gamma, 1)
	ad.Fill(b.Beta, 0)
	ad.Fill(b.RunMean, 0)
	ad.Fill(b.RunVar, 1)
}

// Params returns weight, bias, running_mean, running_var.
func (b *BatchNorm) Params() []ad.Named {
	return []ad.Named{
		{Name: "weight", Param: b.Gamma}, {Name: "bias", Param: b.Beta},
		{Name: "running_mean", Param: b.RunMean}, {Name: "running_var", Param: b.RunVar},
	}
}

// Forward normalises x with batch statistics in training mode (updating
// the running ones) and running statistics otherwise.
func (b *BatchNorm) Forward(t *ad.Tape, x *ad.Var) *ad.Var {
	b.state = ad.BatchNormState{Mean: b.RunMean.Value.Data, Var: b.RunVar.Value.Data, Momentum: b.Momentum, Eps: b.Eps}
	return t.BatchNorm(x, b.Gamma.Var, b.Beta.Var, &b.state)
}

func (b *BatchNorm) String() string { return fmt.Sprintf("BatchNorm(%d)", b.channels) }

// LayerNorm is torch.nn.LayerNorm(channels) applied to every node.
type LayerNorm struct {
	Gamma, Beta *ad.Param
	Eps         float64
}

// NewLayerNorm returns layer normalisation with weight 1, bias 0, eps 1e-5.
func NewLayerNorm(channels int) *LayerNorm {
	l := &LayerNorm{Gamma: ad.NewParam(1, channels, channels), Beta: ad.NewParam(1, channels, channels), Eps: 1e-5}
	ad.Fill(l.Gamma, 1)
	return l
}

// Params returns weight and bias.
func (l *LayerNorm) Params() []ad.Named {
	return []ad.Named{{Name: "weight", Param: l.Gamma}, {Name: "bias", Param: l.Beta}}
}

// Forward normalises every row of x.
func (l *LayerNorm) Forward(t *ad.Tape, x *ad.Var) *ad.Var {
	return t.LayerNorm(x, l.Gamma.Var, l.Beta.Var, l.Eps)
}

func (l *LayerNorm) String() string { return fmt.Sprintf("LayerNorm(%d)", l.Gamma.Value.Cols) }
