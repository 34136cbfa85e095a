#!/usr/bin/python3
"""Builds docs/benchmarks/kernels.md from the outputs of bench/kernels.sh.

Reads the Go benchmark outputs (go.N.txt) and the PyTorch peer's JSON lines
(torch.N.jsonl) of every round in --dir, takes each operation's fastest
round on each side (and the fastest torch variant), and prints the markdown
section: commands, machine note, graph checksums, and the table of times and
ratios with the goal of each row.
"""
import argparse
import glob
import json
import os
import re

# (Go benchmark, torch name, what it computes, goal ratio)
ROWS = [
    ("Gemm/NN", "Gemm/NN", "C = A B, 4096x512 @ 512x256 (OpenBLAS, one thread per worker: the default)", 1.0),
    ("Gemm/NT", "Gemm/NT", "C = A B^T", 1.0),
    ("Gemm/TN", "Gemm/TN", "C = A^T B", 1.0),
    ("Gemm/TT", "Gemm/TT", "C = A^T B^T", 1.0),
    ("Gemm/NN-split", "Gemm/NN", "NN, OpenBLAS on 1 thread, rows of C split over 2 Go workers (WithBLASThreads(1))", None),
    ("Gemm/NT-split", "Gemm/NT", "NT, the same", None),
    ("SpMM/sum", "SpMM/sum", "weighted sum, R-MAT 200k nodes / 4M edges, 128 features", 0.7),
    ("SpMM/sum-unweighted", "SpMM/sum-unweighted", "unweighted sum (torch: values all 1)", 0.7),
    ("SpMM/mean", "SpMM/mean", "mean (torch: values 1/deg)", 0.7),
    ("SpMMBackward/sum", "SpMMBackward/sum", "d/dx of weighted sum: a^T g", 0.7),
    ("SpMM/max", "SpMM/max", "max with arg (torch: x[col] then scatter_reduce amax, no arg)", 1.0),
    ("SpMM/max-noarg", None, "max without arg", None),
    ("SpMMBackward/max", None, "SpMMArgBackward: scatter of g by arg", None),
    ("EdgeDot", "EdgeDot", "SDDMM <g[i], x[j]> per edge", 1.0),
    ("Gather", "Gather", "1M rows of 128 from 200k x 128", 1.0),
    ("ScatterAdd", "ScatterAdd", "1M rows of 128 into 200k x 128", 1.0),
    ("SegmentSoftmax/forward", "SegmentSoftmax/forward", "4M x 4 heads over 200k segments (torch: PyG-style scatter)", 1.0),
    ("SegmentSoftmax/backward", "SegmentSoftmax/backward", "its gradient", 1.0),
]
for op in ("Add", "Axpy", "Mul", "AddRowVector", "SumRows", "ReLU", "ReLUBackward", "Sigmoid", "ELU", "Tanh"):
    ROWS.append(("Elementwise/" + op, "Elementwise/" + op, "200k x 128" if op == "Add" else "", 1.0))

GO_LINE = re.compile(r"^Benchmark(\S+?)(?:-\d+)?\s+(\d+)\s+([\d.]+) ns/op(.*)$")


def lines(paths):
    for p in paths:
        yield from open(p)


def parse_go(paths):
    out, checksum = {}, None
    for line in lines(paths):
        m = GO_LINE.match(line.strip())
        if m:
            allocs = re.search(r"(\d+) allocs/op", m.group(4))
            cpu = re.search(r"([\d.]+) cpu-ms/op", m.group(4))
            out[m.group(1)] = (float(m.group(3)), int(allocs.group(1)) if allocs else None,
                               float(cpu.group(1)) * 1e6 if cpu else None)
        c = re.search(r"graph checksum (\d+)", line)
        if c:
            checksum = int(c.group(1))
    return out, checksum


def parse_torch(paths):
    out, meta = {}, {}
    for line in lines(paths):
        line = line.strip()
        if not line.startswith("{"):
            continue
        d = json.loads(line)
        if "name" not in d:
            meta.update(d)
            continue
        key = d["name"]
        if key not in out or d["ns"] < out[key][0]:
            out[key] = (d["ns"], d["variant"], d.get("cpu_ns"))
    return out, meta


def ms(ns):
    return f"{ns / 1e6:.1f}" if ns >= 1e6 else f"{ns / 1e6:.3f}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--rounds", type=int, required=True)
    p.add_argument("--commands", required=True, help="file with the exact commands run")
    p.add_argument("--machine", required=True, help="file with the machine note")
    a = p.parse_args()
    gos = [parse_go(sorted(glob.glob(os.path.join(a.dir, f"go.{r}.*.txt")))) for r in range(1, a.rounds + 1)]
    torches = [parse_torch(sorted(glob.glob(os.path.join(a.dir, f"torch.{r}.*.jsonl")))) for r in range(1, a.rounds + 1)]
    print("## Kernels\n")
    print("The CPU kernel backend (`pkg/kernels/cpu`) against PyTorch "
          f"{torches[0][1].get('torch', '?')} on the CPU, both with 2 threads, "
          f"in up to {len(gos)} rounds (SpMM group {len(gos) // 4}, indexed {len(gos) // 2}, "
          f"gemm and elementwise {len(gos)}); within a round the two "
          "sides alternate group by group (gemm, spmm, indexed, elementwise: Go, then torch). "
          "Each cell is the fastest round; for torch, the fastest of the variants "
          "tried (named in the table, each checked against a reference before timing). "
          "Ratio = ours / torch: below 1 means we are faster. "
          "The per-round ratios show the noise of the shared machine. "
          "The CPU-time ratio compares the process CPU time (user + system, all threads) "
          "per call, fastest round each side: it is less sensitive to other load on the "
          "machine than wall time, but counts spinning BLAS/OpenMP threads as work.\n")
    print("Commands (from the repository root):\n")
    print("```")
    print(open(a.commands).read().strip())
    print("```\n")
    print(open(a.machine).read().strip() + "\n")
    go_sums = {c for _, c in gos if c is not None}
    torch_sums = {t[1].get("checksum") for t in torches if t[1].get("checksum")}
    same = go_sums == torch_sums and len(go_sums) == 1
    print(f"Graph: R-MAT (a=.57, b=.19, c=.19, d=.05, seed 1), 200,000 nodes, "
          f"{torches[0][1].get('nnz', '?'):,} edges, rows = destinations. CSR checksum: Go "
          f"{', '.join(map(str, sorted(go_sums)))}, torch {', '.join(map(str, sorted(torch_sums)))} "
          f"({'same graph' if same else 'MISMATCH'}).\n")
    print("| operation | shape / note | ours (ms) | allocs/op | torch (ms) | torch variant | ratio | per-round ratios | CPU-time ratio | goal | met |")
    print("|---|---|---:|---:|---:|---|---:|---|---:|---:|---|")
    unmet = []
    for go_name, t_name, note, goal in ROWS:
        ours = [g[0][go_name][0] for g in gos if go_name in g[0]]
        if not ours:
            continue
        allocs = gos[0][0][go_name][1]
        best = min(ours)
        theirs = [t[0][t_name] for t in torches if t_name and t_name in t[0]]
        if not theirs:
            print(f"| {go_name} | {note} | {ms(best)} | {allocs} | - | - | - | - | - | - | - |")
            continue
        tbest = min(theirs)
        ratio = best / tbest[0]
        if goal is None:  # an alternative configuration, compared but not a goal row
            goal_txt, met = "-", "-"
        else:
            goal_txt, met = f"≤{goal}", ("yes" if ratio <= goal else "**no**")
        rounds = []
        for g, t in zip(gos, torches):
            if go_name in g[0] and t_name in t[0]:
                rounds.append(f"{g[0][go_name][0] / t[0][t_name][0]:.2f}")
        ocpu = [g[0][go_name][2] for g in gos if go_name in g[0] and g[0][go_name][2]]
        tcpu = [t[0][t_name][2] for t in torches if t_name in t[0] and t[0][t_name][2]]
        cpu_ratio = f"{min(ocpu) / min(tcpu):.2f}" if ocpu and tcpu else "-"
        if goal is not None and ratio > goal:
            unmet.append(f"{go_name}: {ratio:.2f}x (goal {goal}x): ours {ms(best)} ms, torch {ms(tbest[0])} ms")
        print(f"| {go_name} | {note} | {ms(best)} | {allocs} | {ms(tbest[0])} | {tbest[1]} | "
              f"{ratio:.2f} | {' '.join(rounds)} | {cpu_ratio} | {goal_txt} | {met} |")
    print()
    if unmet:
        print("Goals not met in this run:\n")
        for u in unmet:
            print(f"- {u}")
    else:
        print("Every goal was met in this run.")


if __name__ == "__main__":
    main()
