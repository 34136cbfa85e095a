#!/usr/bin/python3
"""PyTorch peer of the Go kernel benchmarks (bench/kernels.sh).

Runs the same operations on the same shapes as pkg/kernels/cpu's
benchmarks, on the CPU with torch.set_num_threads(--threads), and prints one
JSON object per (operation, variant): {"name", "variant", "ns"} with ns the
mean wall time per call over at least --min-time seconds, and cpu_ns the
process CPU time (user + system, all threads) per call. The SpMM graph is
read from the file bench/kernels/rmatgen wrote (int32 sources then int32
destinations); its CSR checksum is printed so the report can show both sides
used the same graph. Each torch variant is checked against a reference
result before it is timed, so a fast wrong variant is never reported.

    /usr/bin/python3 bench/kernels/torch_kernels.py --graph bench/out/rmat.i32 \
        --nodes 200000 --threads 2
"""
import argparse
import json
import resource
import sys
import time

import numpy as np
import torch

FEAT = 128
GATHER = 1_000_000


def emit(name, variant, times):
    ns, cpu_ns = times
    print(json.dumps({"name": name, "variant": variant, "ns": ns, "cpu_ns": cpu_ns}), flush=True)


def cpu_time():
    r = resource.getrusage(resource.RUSAGE_SELF)  # every thread of the process
    return r.ru_utime + r.ru_stime


def bench(fn, min_time, min_iters=3):
    c0 = cpu_time()
    t0 = time.perf_counter()
    fn()  # warm up (allocator, threads, caches)
    el = time.perf_counter() - t0
    if el > 2 * min_time:
        # A slow operation (seconds; it allocates its temporaries afresh on
        # every call anyway): the warm-up call is the measurement.
        return el * 1e9, (cpu_time() - c0) * 1e9
    n = 0
    c0 = cpu_time()
    t0 = time.perf_counter()
    while True:
        fn()
        n += 1
        el = time.perf_counter() - t0
        if el >= min_time and n >= min_iters:
            return el / n * 1e9, (cpu_time() - c0) / n * 1e9


def close(a, b, name, scale=None):
    """Fails unless |a - b| <= 1e-4 * scale elementwise, where scale (for
    sums) is the sum of the absolute terms; default |b| + 1."""
    if scale is None:
        scale = b.abs() + 1
    bad = (a - b).abs() - 1e-4 * scale
    if bad.max().item() > 0:
        raise SystemExit(f"torch_kernels: {name}: variant disagrees with the reference "
                         f"(max diff {(a - b).abs().max().item()})")


def load_graph(path, nodes):
    e = np.fromfile(path, dtype="<i4")
    m = e.size // 2
    src, dst = e[:m].astype(np.int64), e[m:].astype(np.int64)
    order = np.lexsort((src, dst))  # rows by destination, columns sorted (kernelstest.InEdgeCSR)
    col = src[order]
    crow = np.zeros(nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(dst, minlength=nodes), out=crow[1:])
    k = np.arange(m, dtype=np.int64) % 1009
    checksum = int(crow.sum() + ((col + 1) * k).sum())
    return torch.from_numpy(crow), torch.from_numpy(col), torch.from_numpy(dst[order]), checksum


def gemm(t):
    m, k, n = 4096, 512, 256
    g = torch.Generator().manual_seed(1)
    for name, ta, tb in (("NN", False, False), ("NT", False, True), ("TN", True, False), ("TT", True, True)):
        a = torch.rand((k, m) if ta else (m, k), generator=g)
        b = torch.rand((n, k) if tb else (k, n), generator=g)
        c = torch.empty(m, n)
        aa = a.t() if ta else a
        bb = b.t() if tb else b
        emit("Gemm/" + name, "torch.mm(out=)", bench(lambda: torch.mm(aa, bb, out=c), t))


def spmm(t, crow, col, row, nodes):
    g = torch.Generator().manual_seed(2)
    nnz = col.numel()
    w = torch.rand(nnz, generator=g)
    ones = torch.ones(nnz)
    x = torch.rand(nodes, FEAT, generator=g) * 2 - 1
    gr = torch.rand(nodes, FEAT, generator=g) * 2 - 1
    deg = (crow[1:] - crow[:-1]).clamp(min=1).to(torch.float32)

    def csr_of(crow, col, values):
        # The multigraph has unsorted and repeated columns, which the checked
        # constructor rejects; the kernels handle them (each variant's result
        # is checked against the coalesced COO product).
        return torch._sparse_csr_tensor_unsafe(crow, col, values, (nodes, nodes))

    def variants(values, name):
        coo = torch.sparse_coo_tensor(torch.stack([row, col]), values, (nodes, nodes)).coalesce()
        ref = torch.sparse.mm(coo, x)
        scale = torch.sparse.mm(coo.abs(), x.abs()) + 1
        csr = csr_of(crow, col, values)
        close(csr @ x, ref, name + " csr", scale)
        emit(name, "csr @ dense", bench(lambda: csr @ x, t))
        coo = torch.sparse_coo_tensor(torch.stack([row, col]), values, (nodes, nodes))._coalesced_(True)
        close(torch.sparse.mm(coo, x), ref, name + " coo", scale)
        emit(name, "sparse.mm(coo)", bench(lambda: torch.sparse.mm(coo, x), t))
        return csr, ref

    csr, ref = variants(w, "SpMM/sum")
    variants(ones, "SpMM/sum-unweighted")
    variants(1 / deg[row], "SpMM/mean")

    # Max: PyG's path without torch_sparse, gather then scatter_reduce.
    def spmm_max():
        out = torch.zeros(nodes, FEAT)
        return out.scatter_reduce_(0, row.view(-1, 1).expand(-1, FEAT), x[col], "amax", include_self=False)
    emit("SpMM/max", "scatter_reduce(amax)", bench(spmm_max, t))

    # Backward with respect to x: autograd through csr @ x, and the
    # explicit transpose (as ours) at @ g.
    xr = x.clone().requires_grad_(True)
    y = csr @ xr
    at = csr.to_sparse_coo().t().coalesce()  # duplicates merged: only for the reference
    want = torch.sparse.mm(at, gr)
    scale = torch.sparse.mm(at.abs(), gr.abs()) + 1
    try:
        (gx,) = torch.autograd.grad(y, xr, gr, retain_graph=True)
        close(gx, want, "SpMMBackward/sum autograd", scale)
        emit("SpMMBackward/sum", "autograd", bench(lambda: torch.autograd.grad(y, xr, gr, retain_graph=True), t))
    except RuntimeError as e:
        print(f"torch_kernels: autograd through csr @ x: {e}", file=sys.stderr)
    order = np.argsort(col.numpy(), kind="stable")
    tcrow = torch.zeros(nodes + 1, dtype=torch.int64)
    tcrow[1:] = torch.cumsum(torch.bincount(col, minlength=nodes), 0)
    tcsr = csr_of(tcrow, row[order], w[order])
    close(tcsr @ gr, want, "SpMMBackward/sum transpose", scale)
    emit("SpMMBackward/sum", "csr(a^T) @ dense", bench(lambda: tcsr @ gr, t))

    # EdgeDot (SDDMM): gather, multiply, sum. (torch.sparse.sampled_addmm
    # densifies the product on the CPU in 1.13: 160 GB here.)
    emit("EdgeDot", "(g[row]*x[col]).sum(1)", bench(lambda: (gr[row] * x[col]).sum(1), t))

    # Segment softmax over each row's entries, 4 heads: PyG's softmax
    # (scatter max, exp, scatter sum, gather).
    s = torch.rand(nnz, 4, generator=g) * 2 - 1
    idx = row.view(-1, 1).expand(-1, 4)

    def seg_softmax():
        m = torch.zeros(nodes, 4).scatter_reduce_(0, idx, s, "amax", include_self=False)
        e = (s - m[row]).exp_()
        z = torch.zeros(nodes, 4).index_add_(0, row, e)
        return e.div_(z[row])
    emit("SegmentSoftmax/forward", "pyg-style scatter", bench(seg_softmax, t))
    y = seg_softmax()

    def seg_softmax_bw():
        d = torch.zeros(nodes, 4).index_add_(0, row, y * s)
        return y * (s - d[row])
    emit("SegmentSoftmax/backward", "pyg-style scatter", bench(seg_softmax_bw, t))
    return x


def indexed(t, x, nodes):
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(0, nodes, (GATHER,), generator=g)
    dst = torch.empty(GATHER, FEAT)
    emit("Gather", "index_select(out=)", bench(lambda: torch.index_select(x, 0, ids, out=dst), t))
    emit("Gather", "x[ids]", bench(lambda: x[ids], t))
    src = torch.rand(GATHER, FEAT, generator=g)
    acc = torch.zeros(nodes, FEAT)
    emit("ScatterAdd", "index_add_", bench(lambda: acc.index_add_(0, ids, src), t))
    idx = ids.view(-1, 1).expand(-1, FEAT)
    emit("ScatterAdd", "scatter_add_", bench(lambda: acc.scatter_add_(0, idx, src), t))


def elementwise(t, nodes):
    g = torch.Generator().manual_seed(6)
    x = torch.rand(nodes, FEAT, generator=g) * 2 - 1
    y = torch.rand(nodes, FEAT, generator=g) * 2 - 1
    d = torch.empty(nodes, FEAT)
    bias = torch.rand(FEAT, generator=g)
    ops = {
        "Add": lambda: torch.add(x, y, out=d),
        "Axpy": lambda: d.add_(x, alpha=0.5),
        "Mul": lambda: torch.mul(x, y, out=d),
        "AddRowVector": lambda: d.add_(bias),
        "SumRows": lambda: torch.sum(x, 0, out=bias),
        "ReLU": lambda: torch.clamp_min(x, 0, out=d),
        "ReLUBackward": lambda: torch.ops.aten.threshold_backward(y, x, 0),
        "Sigmoid": lambda: torch.sigmoid(x, out=d),
        "ELU": lambda: torch.nn.functional.elu(x),
        "Tanh": lambda: torch.tanh(x, out=d),
    }
    for name, fn in ops.items():
        emit("Elementwise/" + name, "torch", bench(fn, t))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--graph", required=True)
    p.add_argument("--nodes", type=int, default=200_000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--min-time", type=float, default=1.0)
    p.add_argument("--only", default="", help="comma-separated groups: gemm,spmm,indexed,elementwise")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    groups = set(a.only.split(",")) if a.only else {"gemm", "spmm", "indexed", "elementwise"}
    meta = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    if "spmm" in groups:
        crow, col, row, checksum = load_graph(a.graph, a.nodes)
        meta.update(checksum=checksum, nnz=col.numel())
    print(json.dumps(meta), flush=True)
    with torch.no_grad():
        if "gemm" in groups:
            gemm(a.min_time)
    x = None
    if "spmm" in groups:
        x = spmm(a.min_time, crow, col, row, a.nodes)
    with torch.no_grad():
        if "indexed" in groups:
            if x is None:
                x = torch.rand(a.nodes, FEAT)
            indexed(a.min_time, x, a.nodes)
        if "elementwise" in groups:
            elementwise(a.min_time, a.nodes)


if __name__ == "__main__":
    main()
