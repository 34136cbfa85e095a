#!/usr/bin/python3
"""PyTorch reference for the full-batch trainer configs (configs/*.yaml).

Reads the same YAML config and the same OGB raw-layout data set as
cmd/trainer and trains the same model with PyTorch (PyG is not packaged in
Debian, so the layers are written out as PyG defines them), so that the
accuracy of pkg/gnn can be compared with an independent implementation on
the very same split and hyperparameters:

  gcn    PyGAS GCN: [dropout] GCNConv -> ReLU -> dropout -> GCNConv;
         GCNConv = A_hat (x W^T) + b, glorot W, zero b, A_hat = gcn_norm
  sage   the same shape with SAGEConv (mean): lin_l(mean_j x_j) + lin_r(x)
  gin    the same shape with GINConv(MLP [in, h, h]): MLP(x + sum_j x_j)
  gat    PyG examples/gat.py: dropout -> GATConv(heads, concat) -> ELU ->
         dropout -> GATConv(out_heads, mean)
  appnp  PyGAS APPNP: dropout -> Linear -> ReLU -> dropout -> Linear ->
         K steps of x = (1 - alpha) A_hat x + alpha x_0
  gcn2   PyG examples/gcn2_cora.py (GCNII)

Optimiser: Adam (torch.optim) over the two parameter groups the Go models
use (PyGAS's reg_modules / nonreg_modules) with optim.weight_decay and
optim.weight_decay_nonreg. Every epoch: one full-batch training step, then
evaluation; the test accuracy reported for a seed is the one at the first
epoch with the best validation accuracy (as PyG's examples and PyGAS), or
with train.select: val_loss at the last epoch with the lowest validation
cross-entropy (Shchur et al.'s gnn-benchmark). train.patience > 0 stops a
seed once that many epochs have passed since the selected one, as
cmd/trainer does.

    /usr/bin/python3 bench/gnn/torch_ref.py --config configs/gcn-coauthor-cs.yaml --seeds 10 \
        [--set model.dropout=0.8 ...] [--threads 1] [--json out.json]

Prints one line per seed and a final JSON summary (accuracies in percent,
cpu_seconds_per_epoch = process CPU time of the training steps / epochs).
"""
import argparse
import gzip
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
import yaml


def read_csv(path, dtype):
    with gzip.open(path, "rt") as f:
        return np.loadtxt(f, delimiter=",", dtype=dtype, ndmin=1)


def load(root, name, split, normalize):
    d = os.path.join(root, name)
    e = read_csv(f"{d}/raw/edge.csv.gz", np.int64).reshape(-1, 2)
    x = read_csv(f"{d}/raw/node-feat.csv.gz", np.float32)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    y = read_csv(f"{d}/raw/node-label.csv.gz", np.int64).reshape(-1)
    if not split:
        split = sorted(os.listdir(f"{d}/split"))[0]
    idx = [torch.from_numpy(read_csv(f"{d}/split/{split}/{s}.csv.gz", np.int64))
           for s in ("train", "valid", "test")]
    x = torch.from_numpy(x)
    if normalize:  # PyG's NormalizeFeatures
        x = x - x.min()
        x = x / x.sum(dim=-1, keepdim=True).clamp(min=1.0)
    n = x.shape[0]
    ei = torch.from_numpy(e.T.copy())
    ei = ei[:, ei[0] != ei[1]]  # no self loops (each conv adds its own)
    # coalesce: drop duplicate edges (src, dst)
    key = torch.unique(ei[1] * n + ei[0])
    src, dst = key % n, key // n
    return x, torch.from_numpy(y), idx, src, dst, n


def sparse(dst, src, w, n):
    return torch.sparse_coo_tensor(torch.stack([dst, src]), w, (n, n)).coalesce()


def gcn_norm(src, dst, n):
    loop = torch.arange(n)
    s, t = torch.cat([src, loop]), torch.cat([dst, loop])
    deg = torch.zeros(n).index_add_(0, t, torch.ones(len(t)))
    w = deg[s].pow(-0.5) * deg[t].pow(-0.5)
    return sparse(t, s, w, n)


def glorot(rows, cols):
    a = math.sqrt(6.0 / (rows + cols))
    return torch.nn.Parameter(torch.empty(rows, cols).uniform_(-a, a))


def spdropout(x, p, training):
    """Dropout of a dense or sparse feature matrix (sparse: on the non-zeros,
    which is what dropout of the dense matrix does to it)."""
    if not training or p == 0:
        return x
    if x.is_sparse:
        v = x.values()
        keep = (torch.rand_like(v) >= p).to(v.dtype) / (1 - p)
        return torch.sparse_coo_tensor(x.indices(), v * keep, x.shape)
    return F.dropout(x, p, True)


def mm(x, w_t):
    return torch.sparse.mm(x, w_t) if x.is_sparse else x @ w_t


class Lin(torch.nn.Module):
    """torch.nn.Linear (kaiming-uniform) or PyG's glorot Linear, on dense or
    sparse input."""

    def __init__(self, fin, fout, bias=True, init="kaiming"):
        super().__init__()
        if init == "glorot":
            self.weight = glorot(fout, fin)
            self.bias = torch.nn.Parameter(torch.zeros(fout)) if bias else None
        else:
            ref = torch.nn.Linear(fin, fout, bias=bias)
            self.weight, self.bias = ref.weight, ref.bias

    def forward(self, x):
        out = mm(x, self.weight.t())
        return out if self.bias is None else out + self.bias


class GCNConv(torch.nn.Module):
    def __init__(self, fin, fout):
        super().__init__()
        self.lin = Lin(fin, fout, bias=False, init="glorot")
        self.bias = torch.nn.Parameter(torch.zeros(fout))

    def forward(self, x, g):
        return torch.sparse.mm(g["gcn"], self.lin(x)) + self.bias


class SAGEConv(torch.nn.Module):
    def __init__(self, fin, fout):
        super().__init__()
        self.lin_l = Lin(fin, fout, bias=True)
        self.lin_r = Lin(fin, fout, bias=False)

    def forward(self, x, g):
        xd = x.to_dense() if x.is_sparse else x
        return self.lin_l(torch.sparse.mm(g["mean"], xd)) + self.lin_r(x)


class GINConv(torch.nn.Module):
    def __init__(self, fin, fout):
        super().__init__()
        self.l1, self.l2 = Lin(fin, fout), Lin(fout, fout)

    def forward(self, x, g):
        xd = x.to_dense() if x.is_sparse else x
        h = xd + torch.sparse.mm(g["sum"], xd)
        return self.l2(F.relu(self.l1(h)))


class GATConv(torch.nn.Module):
    def __init__(self, fin, fout, heads, concat, dropout):
        super().__init__()
        self.h, self.c, self.concat, self.dropout = heads, fout, concat, dropout
        self.lin = Lin(fin, heads * fout, bias=False, init="glorot")
        self.att_src = glorot(heads, fout)  # PyG: glorot on [1, H, C]
        self.att_dst = glorot(heads, fout)
        with torch.no_grad():
            a = math.sqrt(6.0 / (heads + fout))
            self.att_src.uniform_(-a, a)
            self.att_dst.uniform_(-a, a)
        self.bias = torch.nn.Parameter(torch.zeros(heads * fout if concat else fout))

    def forward(self, x, g):
        src, dst, n = g["loop_src"], g["loop_dst"], g["n"]
        h = self.lin(x).view(-1, self.h, self.c)
        a_s = (h * self.att_src).sum(-1)
        a_d = (h * self.att_dst).sum(-1)
        e = F.leaky_relu(a_s[src] + a_d[dst], 0.2)  # E x H
        m = torch.full((n, self.h), -math.inf).scatter_reduce(0, dst.view(-1, 1).expand_as(e), e, "amax")
        e = (e - m[dst]).exp()
        s = torch.zeros(n, self.h).index_add_(0, dst, e)
        alpha = e / s[dst]
        alpha = F.dropout(alpha, self.dropout, self.training)
        out = torch.zeros(n, self.h, self.c).index_add_(0, dst, h[src] * alpha.unsqueeze(-1))
        out = out.reshape(n, -1) if self.concat else out.mean(1)
        return out + self.bias


class Basic(torch.nn.Module):
    """PyGAS GCN shape for gcn, sage, gin; reg = all convs but the last."""

    def __init__(self, kind, fin, hidden, fout, layers, dropout, drop_input):
        super().__init__()
        conv = {"gcn": GCNConv, "sage": SAGEConv, "gin": GINConv}[kind]
        dims = [fin] + [hidden] * (layers - 1) + [fout]
        self.convs = torch.nn.ModuleList(conv(dims[i], dims[i + 1]) for i in range(layers))
        self.dropout, self.drop_input = dropout, drop_input

    def groups(self):
        return list(self.convs[:-1].parameters()), list(self.convs[-1].parameters())

    def forward(self, x, g):
        if self.drop_input:
            x = spdropout(x, self.dropout, self.training)
        for i, conv in enumerate(self.convs):
            x = conv(x, g)
            if i < len(self.convs) - 1:
                x = F.dropout(F.relu(x), self.dropout, self.training)
        return x


class GAT(torch.nn.Module):
    def __init__(self, fin, hidden, fout, layers, heads, out_heads, dropout, attn, drop_input):
        super().__init__()
        convs, d = [], fin
        for _ in range(layers - 1):
            convs.append(GATConv(d, hidden, heads, True, attn))
            d = hidden * heads
        convs.append(GATConv(d, fout, out_heads, False, attn))
        self.convs = torch.nn.ModuleList(convs)
        self.dropout, self.drop_input = dropout, drop_input

    def groups(self):
        return list(self.parameters()), []

    def forward(self, x, g):
        for i, conv in enumerate(self.convs):
            if i > 0 or self.drop_input:
                x = spdropout(x, self.dropout, self.training)
            x = conv(x, g)
            if i < len(self.convs) - 1:
                x = F.elu(x)
        return x


class APPNP(torch.nn.Module):
    def __init__(self, fin, hidden, fout, k, alpha, dropout, drop_input):
        super().__init__()
        self.l0, self.l1 = Lin(fin, hidden), Lin(hidden, fout)
        self.k, self.alpha, self.dropout, self.drop_input = k, alpha, dropout, drop_input

    def groups(self):
        return list(self.l0.parameters()), list(self.l1.parameters())

    def forward(self, x, g):
        if self.drop_input:
            x = spdropout(x, self.dropout, self.training)
        x = F.dropout(F.relu(self.l0(x)), self.dropout, self.training)
        x = x0 = self.l1(x)
        for _ in range(self.k):
            x = (1 - self.alpha) * torch.sparse.mm(g["gcn"], x) + self.alpha * x0
        return x


class GCN2(torch.nn.Module):
    def __init__(self, fin, hidden, fout, layers, alpha, theta, dropout, drop_input):
        super().__init__()
        self.l0, self.l1 = Lin(fin, hidden), Lin(hidden, fout)
        self.ws = torch.nn.ParameterList(glorot(hidden, hidden) for _ in range(layers))
        self.betas = [math.log(theta / (i + 1) + 1) for i in range(layers)]
        self.alpha, self.dropout, self.drop_input = alpha, dropout, drop_input

    def groups(self):
        return list(self.ws.parameters()), list(self.l0.parameters()) + list(self.l1.parameters())

    def forward(self, x, g):
        if self.drop_input:
            x = spdropout(x, self.dropout, self.training)
        x = x0 = F.relu(self.l0(x))
        for w, beta in zip(self.ws, self.betas):
            x = F.dropout(x, self.dropout, self.training)
            h = (1 - self.alpha) * torch.sparse.mm(g["gcn"], x) + self.alpha * x0
            x = F.relu(torch.addmm(h, h, w, beta=1 - beta, alpha=beta))
        x = F.dropout(x, self.dropout, self.training)
        return self.l1(x)


def build(m, fin, fout):
    name = m.get("name", "gcn")
    hidden, layers = m.get("hidden", 64), m.get("layers", 64 if name == "gcn2" else 2)
    dropout, drop_input = m.get("dropout", 0.0), m.get("drop_input", True)
    if name in ("gcn", "sage", "gin"):
        return Basic(name, fin, hidden, fout, layers, dropout, drop_input)
    if name == "gat":
        attn = m.get("attn_dropout")
        return GAT(fin, hidden, fout, layers, m.get("heads", 8), m.get("out_heads", 1), dropout,
                   dropout if attn is None else attn, drop_input)
    if name == "appnp":
        return APPNP(fin, hidden, fout, m.get("k", 10), m.get("alpha", 0.1), dropout, drop_input)
    if name in ("gcn2", "gcnii"):
        return GCN2(fin, hidden, fout, layers, m.get("alpha", 0.1), m.get("theta", 0.5), dropout, drop_input)
    raise SystemExit(f"torch_ref: model {name} not supported")


def numbers(v):
    """PyYAML reads 5e-4 (no dot) as a string; the Go YAML decoder as a
    number. Convert such strings back."""
    if isinstance(v, dict):
        return {k: numbers(w) for k, w in v.items()}
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return v
    return v


def apply_set(cfg, kv):
    key, _, val = kv.partition("=")
    node = cfg
    parts = key.split(".")
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    node[parts[-1]] = yaml.safe_load(val)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = yaml.safe_load(open(args.config))
    for kv in args.set:
        apply_set(cfg, kv)
    cfg = numbers(cfg)
    ds, mc, oc, tc = cfg.get("dataset", {}), cfg.get("model", {}), cfg.get("optim", {}), cfg.get("train", {})
    root = ds.get("root") or os.environ.get("GNNSCALE_DATASETS") or os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared", "datasets")
    x, y, (tr, va, te), src, dst, n = load(root, ds["name"], ds.get("split", ""), ds.get("normalize_features", False))
    if (x != 0).float().mean() < 0.1:
        x = x.to_sparse()
    loop = torch.arange(n)
    deg = torch.zeros(n).index_add_(0, dst, torch.ones(len(dst)))
    g = {
        "n": n,
        "gcn": gcn_norm(src, dst, n),
        "sum": sparse(dst, src, torch.ones(len(dst)), n),
        "mean": sparse(dst, src, 1.0 / deg.clamp(min=1)[dst], n),
        "loop_src": torch.cat([src, loop]),
        "loop_dst": torch.cat([dst, loop]),
    }
    fout = int(y.max()) + 1
    epochs, patience = int(tc.get("epochs", 200)), int(tc.get("patience", 0))
    by_loss = tc.get("select", "val_acc") == "val_loss"
    runs = []
    cpu, steps = 0.0, 0
    for seed in range(cfg.get("seed", 0), cfg.get("seed", 0) + args.seeds):
        torch.manual_seed(seed)
        model = build(mc, x.shape[1], fout)
        reg, nonreg = model.groups()
        if oc.get("name", "adam") != "adam":
            raise SystemExit("torch_ref: only optim.name adam is supported")
        opt = torch.optim.Adam([dict(params=reg, weight_decay=oc.get("weight_decay", 0.0)),
                                dict(params=nonreg, weight_decay=oc.get("weight_decay_nonreg", 0.0))],
                               lr=oc.get("lr", 0.01))
        best_va, best_te, best_ep, best_vl = -1.0, 0.0, 0, math.inf
        for ep in range(1, epochs + 1):
            t0 = time.process_time()
            model.train()
            opt.zero_grad()
            loss = F.cross_entropy(model(x, g)[tr], y[tr])
            loss.backward()
            opt.step()
            cpu += time.process_time() - t0
            steps += 1
            model.eval()
            with torch.no_grad():
                out = model(x, g)
            p = out.argmax(1)
            a_va = (p[va] == y[va]).float().mean().item()
            a_te = (p[te] == y[te]).float().mean().item()
            vl = F.cross_entropy(out[va], y[va]).item()
            if (vl <= best_vl) if by_loss else (a_va > best_va):
                best_va, best_te, best_ep, best_vl = a_va, a_te, ep, vl
            if patience and ep - best_ep >= patience:
                break
        runs.append({"seed": seed, "best_epoch": best_ep, "epochs_run": ep, "val_acc": best_va,
                     "test_acc": best_te, "val_loss": best_vl})
        print(f"seed {seed}: best epoch {best_ep} val {100 * best_va:.2f} test {100 * best_te:.2f}", flush=True)
    te = np.array([r["test_acc"] for r in runs]) * 100
    va = np.array([r["val_acc"] for r in runs]) * 100
    sd = lambda v: float(v.std(ddof=1)) if len(v) > 1 else 0.0
    out = {"config": args.config, "set": args.set, "seeds": args.seeds, "torch": torch.__version__,
           "test_acc_mean": float(te.mean()), "test_acc_std": sd(te),
           "val_acc_mean": float(va.mean()), "val_acc_std": sd(va),
           "cpu_seconds_per_epoch": cpu / max(steps, 1), "runs": runs}
    print(json.dumps(out))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
