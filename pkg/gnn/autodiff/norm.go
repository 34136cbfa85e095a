package autodiff

import (
	"fmt"
	"math"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// normBlock is the number of rows per partial sum in column statistics; a
// fixed size keeps the summation order, hence results, core-independent.
const normBlock = 1024

// colStats returns per-column sums of x and of x*x in float64.
func colStats(x *tensor.Dense) (sum, sq []float64) {
	nb := (x.Rows + normBlock - 1) / normBlock
	ps := make([][]float64, nb)
	blocks(x.Rows, normBlock, func(b, lo, hi int) {
		p := make([]float64, 2*x.Cols)
		for i := lo; i < hi; i++ {
			for j, v := range x.Row(i) {
				p[j] += float64(v)
				p[x.Cols+j] += float64(v) * float64(v)
			}
		}
		ps[b] = p
	})
	sum, sq = make([]float64, x.Cols), make([]float64, x.Cols)
	for _, p := range ps {
		for j := range sum {
			sum[j] += p[j]
			sq[j] += p[x.Cols+j]
		}
	}
	return sum, sq
}

// BatchNormState is the running statistics of a batch normalisation layer.
type BatchNormState struct {
	Mean, Var []float32
	Momentum  float64 // weight of the new batch (torch's default 0.1)
	Eps       float64 // added to the variance (torch's default 1e-5)
}

// BatchNorm normalises every column of x (torch.nn.BatchNorm1d): in
// training mode with the batch's mean and biased variance, updating the
// running statistics (with the unbiased variance, as torch does); in
// evaluation mode with the running statistics. gamma and beta are 1 x cols.
func (t *Tape) BatchNorm(x, gamma, beta *Var, st *BatchNormState) *Var {
	n, c := x.Value.Rows, x.Value.Cols
	if gamma.Value.Cols != c || beta.Value.Cols != c || len(st.Mean) != c || len(st.Var) != c {
		panic(fmt.Sprintf("autodiff: BatchNorm: input %s, gamma %s, beta %s, %d running stats",
			x.Value.Shape(), gamma.Value.Shape(), beta.Value.Shape(), len(st.Mean)))
	}
	mean, invStd := make([]float32, c), make([]float32, c)
	batch := t.training
	if batch {
		if n < 2 {
			panic(fmt.Sprintf("autodiff: BatchNorm: training needs more than one row, got %d", n))
		}
		sum, sq := colStats(x.Value)
		for j := range mean {
			m := sum[j] / float64(n)
			v := math.Max(sq[j]/float64(n)-m*m, 0)
			mean[j] = float32(m)
			invStd[j] = float32(1 / math.Sqrt(v+st.Eps))
			st.Mean[j] = float32((1-st.Momentum)*float64(st.Mean[j]) + st.Momentum*m)
			st.Var[j] = float32((1-st.Momentum)*float64(st.Var[j]) + st.Momentum*v*float64(n)/float64(n-1))
		}
	} else {
		for j := range mean {
			mean[j] = st.Mean[j]
			invStd[j] = float32(1 / math.Sqrt(float64(st.Var[j])+st.Eps))
		}
	}
	xhat := t.alloc(n, c)
	y := t.alloc(n, c)
	parallelFor(n, c, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xr, hr, yr := x.Value.Row(i), xhat.Row(i), y.Row(i)
			for j, v := range xr {
				h := (v - mean[j]) * invStd[j]
				hr[j] = h
				yr[j] = h*gamma.Value.Data[j] + beta.Value.Data[j]
			}
		}
	})
	return t.result(y, func(out *Var) {
		g := out.Grad
		sumG, sumGH := colDots(g, xhat)
		t.accumulate(gamma, func(dst *tensor.Dense) { copy64(dst.Data, sumGH) })
		t.accumulate(beta, func(dst *tensor.Dense) { copy64(dst.Data, sumG) })
		t.accumulate(x, func(dst *tensor.Dense) {
			parallelFor(n, c, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					gr, hr, dr := g.Row(i), xhat.Row(i), dst.Row(i)
					for j := range dr {
						k := gamma.Value.Data[j] * invStd[j]
						if !batch {
							dr[j] = gr[j] * k
							continue
						}
						// dx = gamma*invStd/n * (n g - sum g - xhat sum(g xhat))
						dr[j] = k * (gr[j] - float32(sumG[j]/float64(n)) - hr[j]*float32(sumGH[j]/float64(n)))
					}
				}
			})
		})
	}, x, gamma, beta)
}

// colDots returns per-column sums of g and of g*h.
func colDots(g, h *tensor.Dense) (sumG, sumGH []float64) {
	nb := (g.Rows + normBlock - 1) / normBlock
	ps := make([][]float64, nb)
	blocks(g.Rows, normBlock, func(b, lo, hi int) {
		p := make([]float64, 2*g.Cols)
		for i := lo; i < hi; i++ {
			hr := h.Row(i)
			for j, v := range g.Row(i) {
				p[j] += float64(v)
				p[g.Cols+j] += float64(v) * float64(hr[j])
			}
		}
		ps[b] = p
	})
	sumG, sumGH = make([]float64, g.Cols), make([]float64, g.Cols)
	for _, p := range ps {
		for j := range sumG {
			sumG[j] += p[j]
			sumGH[j] += p[g.Cols+j]
		}
	}
	return sumG, sumGH
}

func copy64(dst []float32, src []float64) {
	for i, v := range src {
		dst[i] = float32(v)
	}
}

// LayerNorm normalises every row of x to zero mean and unit (biased)
// variance, then scales by gamma and shifts by beta (1 x cols each):
// torch.nn.LayerNorm(cols) applied per node.
func (t *Tape) LayerNorm(x, gamma, beta *Var, eps float64) *Var {
	n, c := x.Value.Rows, x.Value.Cols
	if gamma.Value.Cols != c || beta.Value.Cols != c {
		panic(fmt.Sprintf("autodiff: LayerNorm: input %s, gamma %s, beta %s", x.Value.Shape(), gamma.Value.Shape(), beta.Value.Shape()))
	}
	xhat := t.alloc(n, c)
	y := t.alloc(n, c)
	invStd := make([]float32, n)
	parallelFor(n, c, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xr, hr, yr := x.Value.Row(i), xhat.Row(i), y.Row(i)
			var s, sq float64
			for _, v := range xr {
				s += float64(v)
				sq += float64(v) * float64(v)
			}
			m := s / float64(c)
			is := float32(1 / math.Sqrt(math.Max(sq/float64(c)-m*m, 0)+eps))
			invStd[i] = is
			for j, v := range xr {
				h := (v - float32(m)) * is
				hr[j] = h
				yr[j] = h*gamma.Value.Data[j] + beta.Value.Data[j]
			}
		}
	})
	return t.result(y, func(out *Var) {
		g := out.Grad
		sumG, sumGH := colDots(g, xhat)
		t.accumulate(gamma, func(dst *tensor.Dense) { copy64(dst.Data, sumGH) })
		t.accumulate(beta, func(dst *tensor.Dense) { copy64(dst.Data, sumG) })
		t.accumulate(x, func(dst *tensor.Dense) {
			parallelFor(n, c, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					gr, hr, dr := g.Row(i), xhat.Row(i), dst.Row(i)
					var s, sh float64
					for j := range gr {
						d := float64(gr[j] * gamma.Value.Data[j])
						s += d
						sh += d * float64(hr[j])
					}
					ms, msh := float32(s/float64(c)), float32(sh/float64(c))
					for j := range dr {
						dr[j] = invStd[i] * (gr[j]*gamma.Value.Data[j] - ms - hr[j]*msh)
					}
				}
			})
		})
	}, x, gamma, beta)
}
