#!/usr/bin/python3
"""Merges the per-seed results of several trainer runs of one config into one
summary, for long accuracy runs split across processes (one process per core,
each with its own seed range: --set seed=S --seeds N). Each seed's run is
independent of the others (its own parameters, dropout stream, batch order and
a fresh history fill), so the merged numbers are those one --seeds run over
all the seeds would report.

The per-seed results come from the checkpoints every run writes after each
seed (<run dir>/checkpoints/seed<N>.safetensors, whose metadata holds the
selected epoch and its validation and test accuracy), so a run that was
stopped after some seeds still counts for the seeds it finished.

    /usr/bin/python3 bench/merge_seeds.py --out merged.json RUNDIR [RUNDIR ...]
"""
import argparse
import glob
import json
import os
import statistics
import struct
import sys


def metadata(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n)).get("__metadata__", {})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("runs", nargs="+")
    a = ap.parse_args()
    seeds = {}
    for d in a.runs:
        for p in sorted(glob.glob(os.path.join(d, "checkpoints", "seed*.safetensors"))):
            m = metadata(p)
            s = int(m["seed"])
            if s in seeds:
                sys.exit(f"merge_seeds: seed {s} in {seeds[s]['from']} and {d}")
            seeds[s] = {"seed": s, "best_epoch": int(m["best_epoch"]), "val_acc": float(m["val_acc"]),
                        "test_acc": float(m["test_acc"]), "from": d}
    if len(seeds) < 2:
        sys.exit("merge_seeds: fewer than 2 seeds")
    runs = [seeds[s] for s in sorted(seeds)]
    test = [100 * r["test_acc"] for r in runs]
    val = [100 * r["val_acc"] for r in runs]
    out = {"seeds": len(runs), "seed_list": sorted(seeds),
           "test_acc_mean": statistics.mean(test), "test_acc_std": statistics.stdev(test),
           "val_acc_mean": statistics.mean(val), "val_acc_std": statistics.stdev(val),
           "runs": runs, "merged_from": a.runs}
    with open(a.out, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(f"{len(runs)} seeds {sorted(seeds)}: test {out['test_acc_mean']:.2f} ± {out['test_acc_std']:.2f}, "
          f"val {out['val_acc_mean']:.2f} ± {out['val_acc_std']:.2f}")


if __name__ == "__main__":
    main()
