package autodiff

import (
	"fmt"
	"math"

	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// LogSoftmax returns log(softmax(x)) over every row.
func (t *Tape) LogSoftmax(x *Var) *Var {
	y := t.alloc(x.Value.Rows, x.Value.Cols)
	parallelFor(y.Rows, y.Cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xr, yr := x.Value.Row(i), y.Row(i)
			lse := logSumExp(xr)
			for j, v := range xr {
				yr[j] = float32(float64(v) - lse)
			}
		}
	})
	return t.result(y, func(out *Var) {
		g := out.Grad
		t.accumulate(x, func(dst *tensor.Dense) {
			parallelFor(dst.Rows, dst.Cols, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					yr, gr, dr := out.Value.Row(i), g.Row(i), dst.Row(i)
					var s float64
					for _, v := range gr {
						s += float64(v)
					}
					for j := range dr {
						dr[j] = gr[j] - float32(math.Exp(float64(yr[j]))*s)
					}
				}
			})
		})
	}, x)
}

func logSumExp(r []float32) float64 {
	m := math.Inf(-1)
	for _, v := range r {
		m = math.Max(m, float64(v))
	}
	if math.IsInf(m, -1) {
		return m
	}
	var s float64
	for _, v := range r {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

// CrossEntropy returns the mean over the given rows of the cross-entropy
// between softmax(logits[row]) and labels[row] (torch's F.cross_entropy on
// logits[rows], labels[rows]). Labels must lie in [0, cols).
func (t *Tape) CrossEntropy(logits *Var, labels []int32, rows []int32) *Var {
	x := logits.Value
	if len(labels) < x.Rows {
		panic(fmt.Sprintf("autodiff: CrossEntropy: %d labels for %d rows", len(labels), x.Rows))
	}
	for _, r := range rows {
		if r < 0 || int(r) >= x.Rows {
			panic(fmt.Sprintf("autodiff: CrossEntropy: row %d out of range [0, %d)", r, x.Rows))
		}
		if l := labels[r]; l < 0 || int(l) >= x.Cols {
			panic(fmt.Sprintf("autodiff: CrossEntropy: row %d has label %d outside [0, %d)", r, l, x.Cols))
		}
	}
	var sum float64
	for _, r := range rows {
		xr := x.Row(int(r))
		sum += logSumExp(xr) - float64(xr[labels[r]])
	}
	n := float64(max(len(rows), 1))
	y := t.alloc(1, 1)
	y.Data[0] = float32(sum / n)
	return t.result(y, func(out *Var) {
		scale := float64(out.Grad.Data[0]) / n
		t.accumulate(logits, func(dst *tensor.Dense) {
			dst.Zero()
			for _, r := range rows {
				xr, dr := x.Row(int(r)), dst.Row(int(r))
				lse := logSumExp(xr)
				for j, v := range xr {
					dr[j] += float32(math.Exp(float64(v)-lse) * scale)
				}
				dr[labels[r]] -= float32(scale)
			}
		})
	}, logits)
}

// BCEWithLogits returns the mean over the given rows and all columns of
// the binary cross-entropy between sigmoid(logits) and targets (values in
// [0, 1], same shape as logits): multi-label classification, as torch's
// F.binary_cross_entropy_with_logits on logits[rows], targets[rows].
func (t *Tape) BCEWithLogits(logits *Var, targets *tensor.Dense, rows []int32) *Var {
	x := logits.Value
	tensor.MustSameShape("BCEWithLogits", x, targets)
	for _, r := range rows {
		if r < 0 || int(r) >= x.Rows {
			panic(fmt.Sprintf("autodiff: BCEWithLogits: row %d out of range [0, %d)", r, x.Rows))
		}
	}
	var sum float64
	for _, r := range rows {
		xr, tr := x.Row(int(r)), targets.Row(int(r))
		for j, v := range xr {
			// max(x, 0) - x*t + log(1 + exp(-|x|)), the stable form.
			z := float64(v)
			sum += math.Max(z, 0) - z*float64(tr[j]) + math.Log1p(math.Exp(-math.Abs(z)))
		}
	}
	n := float64(max(len(rows)*x.Cols, 1))
	y := t.alloc(1, 1)
	y.Data[0] = float32(sum / n)
	return t.result(y, func(out *Var) {
		scale := float64(out.Grad.Data[0]) / n
		t.accumulate(logits, func(dst *tensor.Dense) {
			dst.Zero()
			for _, r := range rows {
				xr, tr, dr := x.Row(int(r)), targets.Row(int(r)), dst.Row(int(r))
				for j, v := range xr {
					s := 1 / (1 + math.Exp(-float64(v)))
					dr[j] += float32((s - float64(tr[j])) * scale)
				}
			}
		})
	}, logits)
}
