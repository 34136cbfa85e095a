#!/usr/bin/python3
"""Markdown accuracy table from the trainer summaries that bench/gnn/accuracy.sh
writes (bench/out/gnn/accuracy/<config>.json) and, where present, the
PyTorch reference summaries of bench/gnn/torch_ref.py
(bench/out/gnn/ref/<config>.json).

    /usr/bin/python3 bench/gnn/accuracy_table.py DIR REFDIR config ...
"""
import json
import os
import sys

# Goals of the issue (test accuracy, %, mean over 10 seeds) and published
# numbers to compare with.
GOALS = {
    "gcn-cora": 81.0, "gat-cora": 82.5, "appnp-cora": 83.0, "gcn2-cora": 84.0, "sage-cora": 79.0,
    "gcn-amazon-photo": 89.0, "gcn-coauthor-cs": 89.0,
}
PUBLISHED = {
    "gcn-cora": "81.5 [1], 82.29 [2]",
    "gat-cora": "83.0 [3], 83.32 [2]",
    "appnp-cora": "83.19 [2]",
    "gcn2-cora": "85.5 [4], 85.52 [2]",
    "gcn-amazon-photo": "about 91 [5]",
    "gcn-coauthor-cs": "about 91 [5]",
}


def load(path):
    return json.load(open(path)) if os.path.exists(path) else None


def main():
    d, ref, cfgs = sys.argv[1], sys.argv[2], sys.argv[3:]
    print("| config | test acc (%) | val acc (%) | goal | published | PyTorch reference test / val (%) "
          "| epochs (run) | epoch (ms, median) | peak RSS (MiB) |")
    print("| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |")
    for c in cfgs:
        s = load(f"{d}/{c}.json")
        if s is None:
            print(f"| {c} | not run | | {GOALS.get(c, '')} | {PUBLISHED.get(c, '')} | | | | |")
            continue
        goal = ""
        if c in GOALS:
            met = s["test_acc_mean"] >= GOALS[c]
            goal = f">= {GOALS[c]:.1f} " + ("met" if met else "**not met**")
        r = load(f"{ref}/{c}.json")
        refs = f"{r['test_acc_mean']:.2f} / {r['val_acc_mean']:.2f} ({r['seeds']} seeds)" if r else ""
        runs = [x.get("epochs_run") or s["epochs"] for x in s["runs"]]
        epochs = str(s["epochs"])
        if any(n != s["epochs"] for n in runs):
            epochs = f"{s['epochs']} ({min(runs)}-{max(runs)})"
        print(f"| {c} | {s['test_acc_mean']:.2f} ± {s['test_acc_std']:.2f} | {s['val_acc_mean']:.2f} ± "
              f"{s['val_acc_std']:.2f} | {goal} | {PUBLISHED.get(c, '')} | {refs} | {epochs} | "
              f"{1000 * s['epoch_seconds_median']:.1f} | {s['peak_rss_bytes'] / 2**20:.0f} |")


if __name__ == "__main__":
    main()
