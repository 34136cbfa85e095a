package optim_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
	"github.com/gnnscale/gnnscale/pkg/gnn/optim"
	"github.com/gnnscale/gnnscale/pkg/tensor"
)

const steps = 6

// grad returns the gradient fed at step s for element i of parameter p:
// a fixed, sign-changing sequence.
func grad(p, s, i int) float32 {
	return float32(math.Sin(float64(1+p*7+s*3+i*5))) * float32(1+s%3)
}

func initial(p, i int) float32 { return float32(math.Cos(float64(2 + p*11 + i))) }

type config struct {
	Kind     string  `json:"kind"` // adam, adamw, sgd
	LR       float64 `json:"lr"`
	WD       [2]float64
	Momentum float64 `json:"momentum"`
	Damp     float64 `json:"dampening"`
	Nesterov bool    `json:"nesterov"`
	Skip     int     `json:"skip"` // step at which param 1 has no gradient
}

var configs = map[string]config{
	"adam":         {Kind: "adam", LR: 0.01, WD: [2]float64{5e-4, 0}, Skip: 2},
	"adamw":        {Kind: "adamw", LR: 0.02, WD: [2]float64{0.01, 0.1}, Skip: -1},
	"sgd":          {Kind: "sgd", LR: 0.1, WD: [2]float64{1e-3, 0}, Skip: -1},
	"sgd_momentum": {Kind: "sgd", LR: 0.05, WD: [2]float64{1e-3, 0.01}, Momentum: 0.9, Damp: 0.1, Skip: 3},
	"sgd_nesterov": {Kind: "sgd", LR: 0.05, Momentum: 0.8, Nesterov: true, Skip: -1},
}

// runGo applies the optimizer for steps steps to two parameters (sizes 5
// and 3) and returns their final values.
func runGo(t *testing.T, c config) [2][]float32 {
	ps := [2]*ad.Param{ad.NewParam(1, 5), ad.NewParam(3, 1)}
	for p, q := range ps {
		for i := range q.Value.Data {
			q.Value.Data[i] = initial(p, i)
		}
	}
	groups := []optim.Group{
		{Params: []ad.Named{{Name: "a", Param: ps[0]}}, WeightDecay: c.WD[0]},
		{Params: []ad.Named{{Name: "b", Param: ps[1]}}, WeightDecay: c.WD[1]},
	}
	var o optim.Optimizer
	var err error
	switch c.Kind {
	case "adam":
		o, err = optim.NewAdam(groups, optim.AdamOptions{LR: c.LR})
	case "adamw":
		o, err = optim.NewAdamW(groups, optim.AdamOptions{LR: c.LR})
	default:
		o, err = optim.NewSGD(groups, optim.SGDOptions{LR: c.LR, Momentum: c.Momentum, Dampening: c.Damp, Nesterov: c.Nesterov})
	}
	if err != nil {
		t.Fatal(err)
	}
	for s := 0; s < steps; s++ {
		o.ZeroGrad()
		for p, q := range ps {
			if p == 1 && s == c.Skip {
				continue // no gradient this step: must be skipped
			}
			g := tensor.New(q.Value.Rows, q.Value.Cols)
			for i := range g.Data {
				g.Data[i] = grad(p, s, i)
			}
			q.AddGrad(g)
		}
		o.Step()
	}
	return [2][]float32{ps[0].Value.Data, ps[1].Value.Data}
}

// reference64 is the update rule written out in float64 from PyTorch's
// documentation.
func reference64(c config) [2][]float64 {
	var out [2][]float64
	sizes := [2]int{5, 3}
	for p := 0; p < 2; p++ {
		w := make([]float64, sizes[p])
		m := make([]float64, sizes[p])
		v := make([]float64, sizes[p])
		for i := range w {
			w[i] = float64(initial(p, i))
		}
		t := 0
		for s := 0; s < steps; s++ {
			if p == 1 && s == c.Skip {
				continue
			}
			t++
			for i := range w {
				g := float64(grad(p, s, i))
				wd := c.WD[p]
				switch c.Kind {
				case "adam", "adamw":
					if c.Kind == "adam" {
						g += wd * w[i]
					} else {
						w[i] *= 1 - c.LR*wd
					}
					m[i] = 0.9*m[i] + 0.1*g
					v[i] = 0.999*v[i] + 0.001*g*g
					mh := m[i] / (1 - math.Pow(0.9, float64(t)))
					vh := v[i] / (1 - math.Pow(0.999, float64(t)))
					w[i] -= c.LR * mh / (math.Sqrt(vh) + 1e-8)
				default:
					g += wd * w[i]
					if c.Momentum != 0 {
						if t == 1 {
							m[i] = g
						} else {
							m[i] = c.Momentum*m[i] + (1-c.Damp)*g
						}
						if c.Nesterov {
							g += c.Momentum * m[i]
						} else {
							g = m[i]
						}
					}
					w[i] -= c.LR * g
				}
			}
		}
		out[p] = w
	}
	return out
}

func TestAgainstReference(t *testing.T) {
	for name, c := range configs {
		t.Run(name, func(t *testing.T) {
			got := runGo(t, c)
			want := reference64(c)
			for p := range got {
				for i := range got[p] {
					if d := math.Abs(float64(got[p][i]) - want[p][i]); d > 1e-5 {
						t.Fatalf("param %d[%d] = %v, want %v", p, i, got[p][i], want[p][i])
					}
				}
			}
		})
	}
}

// TestAgainstPyTorch runs the same sequences through torch.optim when
// Debian's python3-torch is installed (one interpreter for all configs).
func TestAgainstPyTorch(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil || exec.Command(py, "-c", "import torch").Run() != nil {
		t.Skip("python3-torch not installed")
	}
	var names []string
	var cases []map[string]any
	for name, c := range configs {
		var grads [steps][2][]float32
		for s := range grads {
			for p, n := range []int{5, 3} {
				if p == 1 && s == c.Skip {
					continue
				}
				for i := 0; i < n; i++ {
					grads[s][p] = append(grads[s][p], grad(p, s, i))
				}
			}
		}
		var init [2][]float32
		for p, n := range []int{5, 3} {
			for i := 0; i < n; i++ {
				init[p] = append(init[p], initial(p, i))
			}
		}
		names = append(names, name)
		cases = append(cases, map[string]any{"c": c, "wd": c.WD, "grads": grads, "init": init})
	}
	in, _ := json.Marshal(cases)
	cmd := exec.Command(py, "-c", torchScript)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	var want [][2][]float64
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(out))), &want); err != nil || len(want) != len(names) {
		t.Fatalf("python output %q: %v", out, err)
	}
	for k, name := range names {
		t.Run(name, func(t *testing.T) {
			got := runGo(t, configs[name])
			for p := range got {
				for i := range got[p] {
					if d := math.Abs(float64(got[p][i]) - want[k][p][i]); d > 2e-6 {
						t.Fatalf("param %d[%d] = %v, torch %v", p, i, got[p][i], want[k][p][i])
					}
				}
			}
		})
	}
}

const torchScript = `
import json, sys, torch

def run(d):
    c = d["c"]
    ps = [torch.nn.Parameter(torch.tensor(v, dtype=torch.float32)) for v in d["init"]]
    groups = [dict(params=[ps[0]], weight_decay=d["wd"][0]), dict(params=[ps[1]], weight_decay=d["wd"][1])]
    if c["kind"] == "adam":
        o = torch.optim.Adam(groups, lr=c["lr"])
    elif c["kind"] == "adamw":
        o = torch.optim.AdamW(groups, lr=c["lr"])
    else:
        o = torch.optim.SGD(groups, lr=c["lr"], momentum=c["momentum"], dampening=c["dampening"], nesterov=c["nesterov"])
    for step in d["grads"]:
        o.zero_grad(set_to_none=True)
        for p, g in zip(ps, step):
            if g is not None:
                p.grad = torch.tensor(g, dtype=torch.float32)
        o.step()
    return [p.detach().tolist() for p in ps]

print(json.dumps([run(d) for d in json.load(sys.stdin)]))
`

func TestClipGradNorm(t *testing.T) {
	a, b := ad.NewParam(1, 2), ad.NewParam(1, 1)
	a.AddGrad(tensor.FromSlice(1, 2, []float32{3, 0}))
	b.AddGrad(tensor.FromSlice(1, 1, []float32{4}))
	ps := []ad.Named{{Name: "a", Param: a}, {Name: "b", Param: b}}
	if n := optim.ClipGradNorm(ps, 1); math.Abs(n-5) > 1e-6 {
		t.Fatalf("norm = %v, want 5", n)
	}
	if g := a.Grad.Data[0]; math.Abs(float64(g)-0.6) > 1e-5 {
		t.Fatalf("clipped grad = %v, want 0.6", g)
	}
	if n := optim.ClipGradNorm(ps, 10); math.Abs(n-1) > 1e-5 || math.Abs(float64(b.Grad.Data[0])-0.8) > 1e-5 {
		t.Fatalf("second clip changed a small gradient: norm %v, grad %v", n, b.Grad.Data[0])
	}
}

func TestInvalid(t *testing.T) {
	p := ad.NewParam(1, 1)
	dup := []optim.Group{{Params: []ad.Named{{Name: "x", Param: p}}}, {Params: []ad.Named{{Name: "y", Param: p}}}}
	if _, err := optim.NewAdam(dup, optim.AdamOptions{LR: 0.1}); err == nil || !strings.Contains(err.Error(), `"y" is also in a group as "x"`) {
		t.Fatalf("duplicate param: %v", err)
	}
	if _, err := optim.NewSGD(nil, optim.SGDOptions{LR: 0.1, Nesterov: true}); err == nil {
		t.Fatal("nesterov without momentum accepted")
	}
	if _, err := optim.NewAdamW(nil, optim.AdamOptions{}); err == nil {
		t.Fatal("zero lr accepted")
	}
}
