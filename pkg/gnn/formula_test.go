package gnn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/gnn"
	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/gnntest"
	"github.com/gnnscale/gnnscale/pkg/kernels/cpu"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

// The tests here recompute each layer from its paper formula with dense
// float64 matrices and compare.

type mat [][]float64

func toMat(d *tensor.Dense) mat {
	m := make(mat, d.Rows)
	for i := range m {
		m[i] = make([]float64, d.Cols)
		for j := range m[i] {
			m[i][j] = float64(d.At(i, j))
		}
	}
	return m
}

func zeros(r, c int) mat {
	m := make(mat, r)
	for i := range m {
		m[i] = make([]float64, c)
	}
	return m
}

// mul returns a b.
func mul(a, b mat) mat {
	out := zeros(len(a), len(b[0]))
	for i := range a {
		for k := range b {
			for j := range b[0] {
				out[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return out
}

func tr(a mat) mat {
	out := zeros(len(a[0]), len(a))
	for i := range a {
		for j := range a[i] {
			out[j][i] = a[i][j]
		}
	}
	return out
}

func addRow(a mat, b []float64) mat {
	for i := range a {
		for j := range a[i] {
			a[i][j] += b[j]
		}
	}
	return a
}

func lin(x mat, l *gnn.Linear) mat {
	out := mul(x, tr(toMat(l.W.Value)))
	if l.B != nil {
		addRow(out, toMat(l.B.Value)[0])
	}
	return out
}

func compare(t *testing.T, got *tensor.Dense, want mat) {
	t.Helper()
	for i := range want {
		for j := range want[i] {
			if d := math.Abs(float64(got.At(i, j)) - want[i][j]); d > 1e-4*math.Max(1, math.Abs(want[i][j])) {
				t.Fatalf("(%d, %d) = %v, want %v", i, j, got.At(i, j), want[i][j])
			}
		}
	}
}

func setup(seed uint64, n, in int, weighted bool) (tensor.CSR, *tensor.Dense, *rand.Rand) {
	r := rand.New(rand.NewPCG(seed, 5))
	a := gnntest.RandCSR(r, n, n, 3, weighted, false)
	return a, gnntest.RandDense(r, n, in), r
}

func run(c gnn.Conv, a tensor.CSR, x *tensor.Dense) *tensor.Dense {
	tp := ad.New(cpu.New())
	return c.Forward(tp, ad.MustSparse(a), tp.Const(x)).Value
}

// gcnDense returns D^-1/2 (A' ) D^-1/2 where A' is A with every diagonal
// entry replaced by 1 (add_remaining_self_loops on an unweighted graph
// keeps an existing loop's weight).
func gcnDense(a tensor.CSR) mat {
	n := a.Rows
	A := zeros(n, n)
	for i := 0; i < n; i++ {
		for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
			if int(a.Indices[k]) != i {
				A[i][a.Indices[k]] += float64(a.Value(k))
			} else {
				A[i][i] = float64(a.Value(k))
			}
		}
		if A[i][i] == 0 {
			A[i][i] = 1
		}
	}
	deg := make([]float64, n)
	for i := range A {
		for j := range A[i] {
			deg[i] += A[i][j]
		}
	}
	for i := range A {
		for j := range A[i] {
			A[i][j] /= math.Sqrt(deg[i] * deg[j])
		}
	}
	return A
}

func TestGCNFormula(t *testing.T) {
	for _, dims := range [][2]int{{5, 3}, {3, 5}} {
		a, x, r := setup(1, 9, dims[0], true)
		c := gnn.NewGCNConv(dims[0], dims[1], r)
		for i := range c.Bias.Value.Data {
			c.Bias.Value.Data[i] = float32(i) * 0.1
		}
		want := addRow(mul(mul(gcnDense(a), toMat(x)), tr(toMat(c.Lin.W.Value))), toMat(c.Bias.Value)[0])
		compare(t, run(c, a, x), want)
	}
}

func TestSAGEFormula(t *testing.T) {
	a, x, r := setup(2, 9, 4, false)
	c := gnn.NewSAGEConv(4, 3, nil, r)
	X := toMat(x)
	mean := zeros(9, 4)
	for i := 0; i < 9; i++ {
		d := float64(a.Indptr[i+1] - a.Indptr[i])
		for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
			for f := 0; f < 4; f++ {
				mean[i][f] += X[a.Indices[k]][f] / d
			}
		}
	}
	want := lin(mean, c.LinL)
	root := lin(X, c.LinR)
	for i := range want {
		for j := range want[i] {
			want[i][j] += root[i][j]
		}
	}
	compare(t, run(c, a, x), want)
}

func TestGATFormula(t *testing.T) {
	const heads, out = 3, 2
	a, x, r := setup(3, 8, 4, false)
	c := gnn.NewGATConv(4, out, heads, true, 0, r)
	for i := range c.Bias.Value.Data {
		c.Bias.Value.Data[i] = 0.05 * float32(i)
	}
	H := lin(toMat(x), c.Lin) // n x heads*out
	as, at := toMat(c.AttSrc.Value), toMat(c.AttDst.Value)
	want := zeros(8, heads*out)
	for i := 0; i < 8; i++ {
		nb := []int{i} // self loop, plus the others
		for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
			if int(a.Indices[k]) != i {
				nb = append(nb, int(a.Indices[k]))
			}
		}
		for h := 0; h < heads; h++ {
			e := make([]float64, len(nb))
			var z float64
			for q, j := range nb {
				var s float64
				for f := 0; f < out; f++ {
					s += as[h][f]*H[j][h*out+f] + at[h][f]*H[i][h*out+f]
				}
				if s < 0 {
					s *= 0.2
				}
				e[q] = math.Exp(s)
				z += e[q]
			}
			for q, j := range nb {
				for f := 0; f < out; f++ {
					want[i][h*out+f] += e[q] / z * H[j][h*out+f]
				}
			}
		}
	}
	addRow(want, toMat(c.Bias.Value)[0])
	compare(t, run(c, a, x), want)
}

func TestGINAPPNPGCN2Formulas(t *testing.T) {
	a, x, r := setup(4, 9, 4, false)
	X := toMat(x)
	sum := zeros(9, 4)
	for i := 0; i < 9; i++ {
		for k := a.Indptr[i]; k < a.Indptr[i+1]; k++ {
			for f := 0; f < 4; f++ {
				sum[i][f] += X[a.Indices[k]][f]
			}
		}
	}
	t.Run("gin", func(t *testing.T) {
		mlp := gnn.NewMLP([]int{4, 5, 2}, gnn.MLPOptions{Act: gnn.ReLU}, r)
		c := gnn.NewGINConv(mlp, 0.25, false)
		h := zeros(9, 4)
		for i := range h {
			for f := range h[i] {
				h[i][f] = 1.25*X[i][f] + sum[i][f]
			}
		}
		h = lin(h, mlp.Lins[0])
		for i := range h {
			for f := range h[i] {
				h[i][f] = math.Max(h[i][f], 0)
			}
		}
		compare(t, run(c, a, x), lin(h, mlp.Lins[1]))
	})
	A := gcnDense(a)
	t.Run("appnp", func(t *testing.T) {
		c := gnn.NewAPPNP(4, 0.2)
		h := X
		for k := 0; k < 4; k++ {
			p := mul(A, h)
			for i := range p {
				for f := range p[i] {
					p[i][f] = 0.8*p[i][f] + 0.2*X[i][f]
				}
			}
			h = p
		}
		compare(t, run(c, a, x), h)
	})
	t.Run("gcn2", func(t *testing.T) {
		c := gnn.NewGCN2Conv(4, 0.1, 0.5, 3, true, r)
		beta := math.Log(0.5/3 + 1)
		x0 := gnntest.RandDense(r, 9, 4)
		X0 := toMat(x0)
		h := mul(A, X)
		for i := range h {
			for f := range h[i] {
				h[i][f] = 0.9*h[i][f] + 0.1*X0[i][f]
			}
		}
		hw := mul(h, toMat(c.W1.Value))
		for i := range h {
			for f := range h[i] {
				h[i][f] = (1-beta)*h[i][f] + beta*hw[i][f]
			}
		}
		tp := ad.New(cpu.New())
		compare(t, c.Forward(tp, ad.MustSparse(a), tp.Const(x), tp.Const(x0)).Value, h)
	})
}
