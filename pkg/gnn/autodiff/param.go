package autodiff

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Param is a trainable parameter: a leaf Var that outlives tapes and owns
// its gradient buffer. Shape is the tensor shape reported to checkpoints
// ([out, in] for a weight, [n] for a bias); the value is always stored as a
// 2-D matrix of the same element count.
type Param struct {
	*Var
	Shape []int
	// NoDecay marks a parameter weight decay should skip when an optimizer
	// is told to honour it (unused by default; PyTorch decays everything
	// in a param group).
	NoDecay bool
}

// NewParam returns a zeroed rows x cols parameter whose checkpoint shape is
// shape (nil means [rows, cols]).
func NewParam(rows, cols int, shape ...int) *Param {
	if shape == nil {
		shape = []int{rows, cols}
	}
	n := 1
	for _, s := range shape {
		n *= s
	}
	if n != rows*cols {
		panic(fmt.Sprintf("autodiff: NewParam %dx%d with shape %v", rows, cols, shape))
	}
	v := &Var{Value: tensor.New(rows, cols), Grad: tensor.New(rows, cols), leaf: true, needsGrad: true}
	return &Param{Var: v, Shape: slices.Clone(shape)}
}

// ZeroGrad clears the gradient (PyTorch's zero_grad(set_to_none) in effect:
// the next contribution overwrites instead of adding).
func (p *Param) ZeroGrad() {
	p.hasGrad = false
}

// HasGrad reports whether a backward pass has written p's gradient since
// the last ZeroGrad. When false, p.Grad's contents are stale.
func (p *Param) HasGrad() bool { return p.hasGrad }

// SetRequiresGrad freezes (false) or unfreezes (true) the parameter.
func (p *Param) SetRequiresGrad(on bool) { p.needsGrad = on }

// Named is a parameter with its state_dict name.
type Named struct {
	Name  string
	Param *Param
}

// Module is anything with parameters. Params lists them in a stable order
// with PyTorch-style dotted names relative to the module.
type Module interface {
	Params() []Named
}

// Prefix returns the parameters of m with prefix+"." prepended to names.
func Prefix(prefix string, m Module) []Named {
	ps := m.Params()
	out := make([]Named, len(ps))
	for i, p := range ps {
		out[i] = Named{Name: prefix + "." + p.Name, Param: p.Param}
	}
	return out
}

// ZeroGrad clears the gradients of every parameter of the modules.
func ZeroGrad(ms ...Module) {
	for _, m := range ms {
		for _, p := range m.Params() {
			p.Param.ZeroGrad()
		}
	}
}

// CheckNames returns an error naming the first duplicate or empty
// parameter name, so checkpoints can rely on unique names.
func CheckNames(ps []Named) error {
	seen := make(map[string]bool, len(ps))
	for i, p := range ps {
		if p.Name == "" || strings.HasPrefix(p.Name, ".") || strings.HasSuffix(p.Name, ".") {
			return fmt.Errorf("autodiff: parameter %d has a malformed name %q", i, p.Name)
		}
		if seen[p.Name] {
			return fmt.Errorf("autodiff: duplicate parameter name %q", p.Name)
		}
		seen[p.Name] = true
	}
	return nil
}

// NumParams returns the total number of scalar parameters.
func NumParams(ps []Named) int {
	n := 0
	for _, p := range ps {
		n += p.Param.Value.Rows * p.Param.Value.Cols
	}
	return n
}

// Glorot fills p uniformly in [-a, a] with a = sqrt(6 / (fanIn + fanOut))
// (Glorot & Bengio 2010; PyG's glorot, torch's xavier_uniform_).
func Glorot(p *Param, fanIn, fanOut int, r *rand.Rand) {
	a := math.Sqrt(6 / float64(fanIn+fanOut))
	Uniform(p, -a, a, r)
}

// KaimingUniform fills p as torch.nn.Linear's default weight init does:
// kaiming_uniform_ with a = sqrt(5), i.e. uniform in [-1/sqrt(fanIn),
// 1/sqrt(fanIn)]. The same bound is torch.nn.Linear's default bias init.
func KaimingUniform(p *Param, fanIn int, r *rand.Rand) {
	if fanIn <= 0 {
		Uniform(p, 0, 0, r)
		return
	}
	b := 1 / math.Sqrt(float64(fanIn))
	Uniform(p, -b, b, r)
}

// Uniform fills p uniformly in [lo, hi).
func Uniform(p *Param, lo, hi float64, r *rand.Rand) {
	d := p.Value
	for i := 0; i < d.Rows; i++ {
		row := d.Row(i)
		for j := range row {
			row[j] = float32(lo + (hi-lo)*r.Float64())
		}
	}
}

// Fill sets every element of p to v.
func Fill(p *Param, v float32) { p.Value.Fill(v) }

// AddGrad adds g (same shape as the parameter) to its gradient, for
// gradients computed outside a tape (averaged across workers, tests).
func (p *Param) AddGrad(g *tensor.Dense) {
	tensor.MustSameShape("AddGrad", p.Value, g)
	if !p.hasGrad {
		p.Grad.Copy(g)
		p.hasGrad = true
		return
	}
	for i := 0; i < g.Rows; i++ {
		dst, src := p.Grad.Row(i), g.Row(i)
		for j, v := range src {
			dst[j] += v
		}
	}
}
