package aggr

import (
	"fmt"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/kernels"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// Softmax is softmax aggregation (Li et al. 2020, "DeeperGCN"; PyG's
// SoftmaxAggregation): out_i = sum_j softmax_j(t * m_j) ⊙ m_j, the softmax
// taken over the messages of target i, per channel. With Learn, the
// temperature t is a parameter (one per channel, or one shared when
// Channels is 1).
type Softmax struct {
	T        *ad.Param // 1 x Channels, nil when not learned
	t0       float32
	channels int
}

// NewSoftmax returns softmax aggregation with temperature t, learnable when
// learn is set (channels temperatures, 1 = shared).
func NewSoftmax(t float32, learn bool, channels int) *Softmax {
	a := &Softmax{t0: t, channels: max(channels, 1)}
	if learn {
		a.T = ad.NewParam(1, a.channels, a.channels)
		ad.Fill(a.T, t)
	}
	return a
}

// Params returns the temperature when learned ("t").
func (a *Softmax) Params() []ad.Named {
	if a.T == nil {
		return nil
	}
	return []ad.Named{{Name: "t", Param: a.T}}
}

// OutDim returns in.
func (a *Softmax) OutDim(in int) int { return in }

func (a *Softmax) String() string {
	return fmt.Sprintf("softmax(t=%g, learn=%v)", a.t0, a.T != nil)
}

// Reduce implements Aggregation.
func (a *Softmax) Reduce(t *ad.Tape, m *ad.Var, s *ad.Sparse) *ad.Var {
	if a.channels != 1 && a.channels != m.Cols() {
		panic(fmt.Sprintf("aggr: softmax with %d channels on %d-wide messages", a.channels, m.Cols()))
	}
	scores := m
	switch {
	case a.T != nil:
		scores = t.MulRowVector(m, a.T.Var)
	case a.t0 != 1:
		scores = t.Scale(m, a.t0)
	}
	alpha := t.SegmentSoftmax(scores, s)
	return t.SpMM(s.Segments(), t.Mul(m, alpha), kernels.Sum)
}

// PowerMean is power mean aggregation (Li et al. 2020; PyG's
// PowerMeanAggregation): out = mean(clamp(m, 0, 100)^p)^(1/p), clamped to
// [0, 100] before the root. With Learn, p is a parameter clamped to
// [0, 100].
type PowerMean struct {
	P        *ad.Param
	p0       float32
	channels int
}

// NewPowerMean returns power mean aggregation with exponent p, learnable
// when learn is set.
func NewPowerMean(p float32, learn bool, channels int) *PowerMean {
	a := &PowerMean{p0: p, channels: max(channels, 1)}
	if learn {
		a.P = ad.NewParam(1, a.channels, a.channels)
		ad.Fill(a.P, p)
	}
	return a
}

// Params returns p when learned ("p").
func (a *PowerMean) Params() []ad.Named {
	if a.P == nil {
		return nil
	}
	return []ad.Named{{Name: "p", Param: a.P}}
}

// OutDim returns in.
func (a *PowerMean) OutDim(in int) int { return in }

func (a *PowerMean) String() string {
	return fmt.Sprintf("powermean(p=%g, learn=%v)", a.p0, a.P != nil)
}

// Reduce implements Aggregation.
func (a *PowerMean) Reduce(t *ad.Tape, m *ad.Var, s *ad.Sparse) *ad.Var {
	seg := s.Segments()
	if a.P == nil && a.p0 == 1 {
		return t.SpMM(seg, m, kernels.Mean)
	}
	var p *ad.Var
	if a.P != nil {
		p = t.Clamp(a.P.Var, 0, 100)
	} else {
		p = t.Const(tensor.FromSlice(1, 1, []float32{a.p0}))
	}
	out := t.SpMM(seg, t.Pow(t.Clamp(m, 0, 100), p), kernels.Mean)
	return t.Pow(t.Clamp(out, 0, 100), t.Recip(p))
}
