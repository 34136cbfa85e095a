#!/usr/bin/env bash
# A validation-only grid search for the GCN recipe shared by the
# Amazon/Coauthor-style configs (20 train / 30 validation nodes per class):
# dropout {0.5, 0.8} x first-layer weight decay {5e-4, 1e-3, 5e-3}, the
# rest as configs/gcn-<data set>.yaml (2 layers, 64 hidden, Adam lr 0.01,
# 200 epochs, the epoch with the best validation accuracy).
#
# Decision rule, fixed before running: the recipe with the highest mean
# validation accuracy over seeds 0-4, averaged over amazon-photo and
# coauthor-cs (one recipe for both: no per-data-set tuning), becomes the
# configs' recipe; ties (within 0.05 points) keep the current one (dropout
# 0.5, weight decay 1e-3). Test accuracy is printed for the record only.
#
# Usage: bench/gnn/gcn_grid.sh [run|table]   (default: both)
# Env: SEEDS (default 5), CPU (pin to this core with taskset)
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds=${SEEDS:-5}
out=bench/out/gnn/grid
bin=bench/out/gnn/trainer
pin=()
[ -n "${CPU:-}" ] && pin=(taskset -c "$CPU")
mkdir -p "$out"
datasets=(amazon-photo coauthor-cs)
dropouts=(0.5 0.8)
decays=(0.0005 0.001 0.005)
what=${1:-all}
if [ "$what" = all ] || [ "$what" = run ]; then
  go build -o "$bin" ./cmd/trainer
  for ds in "${datasets[@]}"; do for d in "${dropouts[@]}"; do for w in "${decays[@]}"; do
    n=gcn-$ds-d$d-wd$w
    [ -s "$out/$n.json" ] && continue
    echo "== $n" >&2
    "${pin[@]}" "$bin" --config "configs/gcn-$ds.yaml" --set model.dropout="$d" --set optim.weight_decay="$w" \
      --set name="$n" --set output.dir=bench/out/gnn/runs --set workers=1 \
      --seeds "$seeds" --summary "$out/$n.json" --quiet >"$out/$n.txt"
    tail -2 "$out/$n.txt" | head -1 >&2
  done; done; done
fi
/usr/bin/python3 - "$out" <<'PY'
import json, glob, os, re, sys
out = sys.argv[1]
rows = {}
for p in sorted(glob.glob(f"{out}/gcn-*.json")):
    m = re.match(r"gcn-(.+)-d([0-9.]+)-wd([0-9.]+)\.json", os.path.basename(p))
    s = json.load(open(p))
    rows.setdefault((m[2], m[3]), {})[m[1]] = s
print("| dropout | weight decay | amazon-photo val | amazon-photo test | coauthor-cs val | coauthor-cs test | mean val |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
best = None
for (d, w), r in sorted(rows.items()):
    if len(r) < 2:
        continue
    cells = []
    for ds in ("amazon-photo", "coauthor-cs"):
        s = r[ds]
        cells += [f"{s['val_acc_mean']:.2f} ± {s['val_acc_std']:.2f}", f"{s['test_acc_mean']:.2f} ± {s['test_acc_std']:.2f}"]
    mv = (r["amazon-photo"]["val_acc_mean"] + r["coauthor-cs"]["val_acc_mean"]) / 2
    print(f"| {d} | {w} | " + " | ".join(cells) + f" | {mv:.2f} |")
    cur = (d, w) == ("0.5", "0.001")
    if best is None or mv > best[0] + 0.05 or (abs(mv - best[0]) <= 0.05 and cur):
        best = (mv, d, w)
if best:
    print(f"\nRule (highest mean validation accuracy; ties within 0.05 keep dropout 0.5 / wd 0.001): dropout {best[1]}, weight decay {best[2]}")
PY
