#!/usr/bin/python3
"""PyTorch peer of bench/gnn/gcnbench: the same 2-layer GCN, trained
full-batch on the same data (the folder gcnbench -export wrote), timing
forward + cross-entropy + backward + Adam per epoch.

The model is PyG's GCNConv written in plain torch (PyG is not packaged in
Debian): glorot weights, zero bias, h = A (x W^T) + b with A the GCN-
normalised adjacency as a torch sparse CSR tensor (PyG's cached=True),
ReLU, dropout 0.5, second layer, F.cross_entropy on the training nodes,
Adam(lr=0.01) with weight decay 5e-4 on the first layer.

--order pyg     transform then propagate in both layers (PyG's GCNConv)
--order ours    propagate then transform in the first layer (128 < 256),
                the order pkg/gnn picks; the same function

Prints one JSON line like gcnbench.

    /usr/bin/python3 bench/gnn/torch_gcn.py --data bench/out/gnn/data --threads 2
"""
import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn.functional as F


def load(d, nodes, features):
    indptr = torch.from_numpy(np.fromfile(f"{d}/indptr.i64", dtype="<i8"))
    indices = torch.from_numpy(np.fromfile(f"{d}/indices.i32", dtype="<i4").astype(np.int64))
    values = torch.from_numpy(np.fromfile(f"{d}/values.f32", dtype="<f4"))
    x = torch.from_numpy(np.fromfile(f"{d}/x.f32", dtype="<f4")).view(nodes, features)
    y = torch.from_numpy(np.fromfile(f"{d}/labels.i32", dtype="<i4").astype(np.int64))
    train = torch.from_numpy(np.fromfile(f"{d}/train.i32", dtype="<i4").astype(np.int64))
    a = torch._sparse_csr_tensor_unsafe(indptr, indices, values, (nodes, nodes))
    return a, x, y, train


def glorot(rows, cols, g):
    a = math.sqrt(6.0 / (rows + cols))
    return torch.nn.Parameter(torch.rand(rows, cols, generator=g) * 2 * a - a)


class GCN(torch.nn.Module):
    def __init__(self, fin, hidden, classes, order, g):
        super().__init__()
        self.w1, self.b1 = glorot(hidden, fin, g), torch.nn.Parameter(torch.zeros(hidden))
        self.w2, self.b2 = glorot(classes, hidden, g), torch.nn.Parameter(torch.zeros(classes))
        self.order = order

    def forward(self, a, x, dropout):
        if self.order == "ours":
            h = (a @ x) @ self.w1.t() + self.b1
        else:
            h = a @ (x @ self.w1.t()) + self.b1
        h = F.dropout(h.relu(), p=dropout, training=True)
        return a @ (h @ self.w2.t()) + self.b2


def check(a, x):
    """The CSR product (and its gradient) against a COO reference, so a
    fast wrong kernel is never timed."""
    xs = x[:, :8].clone().requires_grad_(True)
    out = a @ xs
    out.sum().backward()
    coo = a.to_sparse_coo().coalesce() if hasattr(a, "to_sparse_coo") else None
    if coo is None:
        return
    ref = torch.sparse.mm(coo, x[:, :8])
    if (out - ref).abs().max().item() > 1e-3:
        raise SystemExit("torch_gcn: CSR product disagrees with COO")
    gref = torch.sparse.mm(coo.t().coalesce(), torch.ones_like(ref))
    if (xs.grad - gref).abs().max().item() > 1e-3:
        raise SystemExit("torch_gcn: CSR gradient disagrees with COO")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--nodes", type=int, default=200_000)
    p.add_argument("--features", type=int, default=128)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--classes", type=int, default=16)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--order", choices=["pyg", "ours"], default="pyg")
    p.add_argument("--dropout", type=float, default=0.5)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    a, x, y, train = load(args.data, args.nodes, args.features)
    check(a, x)
    g = torch.Generator().manual_seed(1)
    torch.manual_seed(1)
    model = GCN(args.features, args.hidden, args.classes, args.order, g)
    opt = torch.optim.Adam([dict(params=[model.w1, model.b1], weight_decay=5e-4),
                            dict(params=[model.w2, model.b2], weight_decay=0)], lr=0.01)
    secs, losses = [], []
    for e in range(args.warmup + args.epochs):
        t0 = time.perf_counter()
        out = model(a, x, args.dropout)
        loss = F.cross_entropy(out[train], y[train])
        opt.zero_grad()
        loss.backward()
        opt.step()
        lv = float(loss)
        if e >= args.warmup:
            secs.append(time.perf_counter() - t0)
            losses.append(lv)
    print(json.dumps({"impl": "pytorch", "variant": f"torch {torch.__version__} CSR, {args.order} order",
                      "order": args.order, "epoch_seconds": secs, "loss": losses}))


if __name__ == "__main__":
    main()
