#!/usr/bin/env python3
"""Python peers for bench/dataset.sh. Each task prints one line
"<task> <seconds per run>" (best of REPS runs).

  load <dir>        OGB's own raw loader (ogb/io/read_graph_raw.py
                    read_csv_graph_raw + the split files): pandas.read_csv on
                    the gzip CSVs, converted to numpy as OGB does.
  rmat <scale> <ef> vectorised numpy R-MAT (Graph500 a,b,c,d), one uniform
                    draw per edge per level, as Python generators do.
  tocsr <n> <m>     COO -> CSR in torch: stable sort by source + bincount
                    offsets (what PyG's SparseTensor/CSR conversion does).
  symmetrize <n> <m> PyG's to_undirected in torch: cat both directions,
                    key = row*n+col, sort, drop duplicates (coalesce).
"""
import gzip, os, sys, time
import numpy as np

REPS = int(os.environ.get("PEER_REPS", "3"))


def best(fn):
    t = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return min(t)


def load(d):
    import pandas as pd
    raw = os.path.join(d, "raw")

    def rd(name, dtype):
        return pd.read_csv(os.path.join(raw, name), compression="gzip", header=None).values.astype(dtype)

    def run():
        edge = rd("edge.csv.gz", np.int64).T
        feat = rd("node-feat.csv.gz", np.float32)
        label = rd("node-label.csv.gz", np.int64)
        nn = rd("num-node-list.csv.gz", np.int64)[0].tolist()
        ne = rd("num-edge-list.csv.gz", np.int64)[0].tolist()
        split = os.path.join(d, "split", sorted(os.listdir(os.path.join(d, "split")))[0])
        idx = {s: pd.read_csv(os.path.join(split, s + ".csv.gz"), compression="gzip", header=None).values.T[0]
               for s in ("train", "valid", "test")}
        assert edge.shape[1] == ne[0] and feat.shape[0] == nn[0] == label.shape[0]
        return edge, feat, label, idx

    return best(run)


def rmat(scale, ef):
    a, b, c = 0.57, 0.19, 0.19
    m = ef << scale
    rng = np.random.default_rng(1)

    def run():
        src = np.zeros(m, dtype=np.int64)
        dst = np.zeros(m, dtype=np.int64)
        for _ in range(scale):
            x = rng.random(m)
            src = (src << 1) | (x >= a + b)
            dst = (dst << 1) | (((x >= a) & (x < a + b)) | (x >= a + b + c))
        return src.astype(np.int32), dst.astype(np.int32)

    return best(run)


def edges(n, m):
    import torch
    torch.set_num_threads(2)
    g = torch.Generator().manual_seed(1)
    return torch, torch.randint(0, n, (m,), generator=g), torch.randint(0, n, (m,), generator=g)


def tocsr(n, m):
    torch, row, col = edges(n, m)

    def run():
        order = torch.sort(row, stable=True).indices
        indptr = torch.zeros(n + 1, dtype=torch.int64)
        indptr[1:] = torch.cumsum(torch.bincount(row, minlength=n), 0)
        return indptr, col[order], order

    return best(run)


def symmetrize(n, m):
    torch, row, col = edges(n, m)

    def run():
        r = torch.cat([row, col])
        c = torch.cat([col, row])
        idx = r * n + c
        idx, perm = torch.sort(idx)
        keep = torch.ones_like(idx, dtype=torch.bool)
        keep[1:] = idx[1:] != idx[:-1]
        idx = idx[keep]
        return idx // n, idx % n, perm[keep]

    return best(run)


if __name__ == "__main__":
    task, args = sys.argv[1], sys.argv[2:]
    fn = {"load": load, "rmat": rmat, "tocsr": tocsr, "symmetrize": symmetrize}[task]
    conv = [a if task == "load" else int(a) for a in args]
    print(task, *args, f"{fn(*conv):.4f}")
