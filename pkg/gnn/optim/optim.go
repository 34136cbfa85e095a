package optim

import (
	"fmt"
	"math"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// Group is a set of parameters sharing hyperparameters.
type Group struct {
	Params      []ad.Named
	WeightDecay float64
	// LR overrides the optimizer's learning rate when > 0.
	LR float64
}

// Optimizer updates parameters from their gradients.
type Optimizer interface {
	// Step applies one update.
	Step()
	// ZeroGrad clears every parameter's gradient.
	ZeroGrad()
	// SetLR changes the base learning rate (schedules).
	SetLR(lr float64)
}

func zeroGrad(groups []Group) {
	for _, g := range groups {
		for _, p := range g.Params {
			p.Param.ZeroGrad()
		}
	}
}

func checkGroups(groups []Group) error {
	seen := map[*ad.Param]string{}
	for gi, g := range groups {
		if g.WeightDecay < 0 || g.LR < 0 {
			return fmt.Errorf("optim: group %d: negative weight decay %g or lr %g", gi, g.WeightDecay, g.LR)
		}
		for _, p := range g.Params {
			if prev, ok := seen[p.Param]; ok {
				return fmt.Errorf("optim: parameter %q is also in a group as %q", p.Name, prev)
			}
			seen[p.Param] = p.Name
		}
	}
	return nil
}

// AdamOptions configure Adam and AdamW; zero fields take PyTorch's
// defaults (betas 0.9, 0.999, eps 1e-8).
type AdamOptions struct {
	LR           float64
	Beta1, Beta2 float64
	Eps          float64
}

func (o *AdamOptions) defaults() {
	if o.Beta1 == 0 {
		o.Beta1 = 0.9
	}
	if o.Beta2 == 0 {
		o.Beta2 = 0.999
	}
	if o.Eps == 0 {
		o.Eps = 1e-8
	}
}

type adamState struct {
	step int
	m, v []float32
}

// Adam is torch.optim.Adam (Kingma & Ba 2015) with L2 weight decay added
// to the gradient, or torch.optim.AdamW (Loshchilov & Hutter 2019) with
// decoupled decay when made by NewAdamW.
type Adam struct {
	opts      AdamOptions
	groups    []Group
	decoupled bool
	state     map[*ad.Param]*adamState
}

// NewAdam returns Adam over groups.
func NewAdam(groups []Group, o AdamOptions) (*Adam, error) { return newAdam(groups, o, false) }

// NewAdamW returns AdamW over groups (weight decay decoupled from the
// gradient: p -= lr*wd*p before the Adam step).
func NewAdamW(groups []Group, o AdamOptions) (*Adam, error) { return newAdam(groups, o, true) }

func newAdam(groups []Group, o AdamOptions, decoupled bool) (*Adam, error) {
	o.defaults()
	if err := checkGroups(groups); err != nil {
		return nil, err
	}
	if o.LR <= 0 || o.Beta1 < 0 || o.Beta1 >= 1 || o.Beta2 < 0 || o.Beta2 >= 1 || o.Eps <= 0 {
		return nil, fmt.Errorf("optim: adam: invalid lr %g, betas (%g, %g) or eps %g", o.LR, o.Beta1, o.Beta2, o.Eps)
	}
	return &Adam{opts: o, groups: groups, decoupled: decoupled, state: map[*ad.Param]*adamState{}}, nil
}

// ZeroGrad implements Optimizer.
func (a *Adam) ZeroGrad() { zeroGrad(a.groups) }

// SetLR implements Optimizer.
func (a *Adam) SetLR(lr float64) { a.opts.LR = lr }

// Step implements Optimizer.
func (a *Adam) Step() {
	b1, b2 := a.opts.Beta1, a.opts.Beta2
	for _, g := range a.groups {
		lr := a.opts.LR
		if g.LR > 0 {
			lr = g.LR
		}
		for _, np := range g.Params {
			p := np.Param
			if !p.HasGrad() || !p.NeedsGrad() {
				continue
			}
			st := a.state[p]
			if st == nil {
				n := len(p.Value.Data)
				st = &adamState{m: make([]float32, n), v: make([]float32, n)}
				a.state[p] = st
			}
			st.step++
			bc1 := 1 - math.Pow(b1, float64(st.step))
			bc2 := 1 - math.Pow(b2, float64(st.step))
			stepSize := float32(lr / bc1)
			sqrtBC2 := float32(math.Sqrt(bc2))
			eps := float32(a.opts.Eps)
			wd := float32(g.WeightDecay)
			fb1, fb2 := float32(b1), float32(b2)
			if a.decoupled && wd != 0 {
				scale := 1 - float32(lr)*wd
				for i := range p.Value.Data {
					p.Value.Data[i] *= scale
				}
			}
			w, gr := p.Value.Data, p.Grad.Data
			for i := range w {
				gi := gr[i]
				if !a.decoupled && wd != 0 {
					gi += wd * w[i]
				}
				st.m[i] = fb1*st.m[i] + (1-fb1)*gi
				st.v[i] = fb2*st.v[i] + (1-fb2)*gi*gi
				denom := float32(math.Sqrt(float64(st.v[i])))/sqrtBC2 + eps
				w[i] -= stepSize * st.m[i] / denom
			}
		}
	}
}

// SGDOptions configure SGD (torch.optim.SGD's arguments).
type SGDOptions struct {
	LR        float64
	Momentum  float64
	Dampening float64
	Nesterov  bool
}

// SGD is torch.optim.SGD: g += wd*p; with momentum, buf = momentum*buf +
// (1-dampening)*g (buf = g on the first step) and g = buf (or g +
// momentum*buf with Nesterov); p -= lr*g.
type SGD struct {
	opts   SGDOptions
	groups []Group
	bufs   map[*ad.Param][]float32
}

// NewSGD returns SGD over groups.
func NewSGD(groups []Group, o SGDOptions) (*SGD, error) {
	if err := checkGroups(groups); err != nil {
		return nil, err
	}
	if o.LR <= 0 || o.Momentum < 0 || (o.Nesterov && (o.Momentum <= 0 || o.Dampening != 0)) {
		return nil, fmt.Errorf("optim: sgd: invalid lr %g, momentum %g, dampening %g, nesterov %v", o.LR, o.Momentum, o.Dampening, o.Nesterov)
	}
	return &SGD{opts: o, groups: groups, bufs: map[*ad.Param][]float32{}}, nil
}

// ZeroGrad implements Optimizer.
func (s *SGD) ZeroGrad() { zeroGrad(s.groups) }

// SetLR implements Optimizer.
func (s *SGD) SetLR(lr float64) { s.opts.LR = lr }

// Step implements Optimizer.
func (s *SGD) Step() {
	mom, damp := float32(s.opts.Momentum), float32(s.opts.Dampening)
	for _, g := range s.groups {
		lr := float32(s.opts.LR)
		if g.LR > 0 {
			lr = float32(g.LR)
		}
		wd := float32(g.WeightDecay)
		for _, np := range g.Params {
			p := np.Param
			if !p.HasGrad() || !p.NeedsGrad() {
				continue
			}
			w, gr := p.Value.Data, p.Grad.Data
			buf, started := s.bufs[p]
			if mom != 0 && !started {
				buf = make([]float32, len(w))
				s.bufs[p] = buf
			}
			for i := range w {
				gi := gr[i] + wd*w[i]
				if mom != 0 {
					if started {
						buf[i] = mom*buf[i] + (1-damp)*gi
					} else {
						buf[i] = gi
					}
					if s.opts.Nesterov {
						gi += mom * buf[i]
					} else {
						gi = buf[i]
					}
				}
				w[i] -= lr * gi
			}
		}
	}
}

// ClipGradNorm scales every gradient so that their global L2 norm is at
// most maxNorm (torch.nn.utils.clip_grad_norm_, with its 1e-6 guard) and
// returns the norm before clipping.
func ClipGradNorm(params []ad.Named, maxNorm float64) float64 {
	var sq float64
	for _, p := range params {
		if !p.Param.HasGrad() {
			continue
		}
		for _, v := range p.Param.Grad.Data {
			sq += float64(v) * float64(v)
		}
	}
	norm := math.Sqrt(sq)
	if coef := maxNorm / (norm + 1e-6); coef < 1 {
		for _, p := range params {
			if !p.Param.HasGrad() {
				continue
			}
			for i := range p.Param.Grad.Data {
				p.Param.Grad.Data[i] *= float32(coef)
			}
		}
	}
	return norm
}
