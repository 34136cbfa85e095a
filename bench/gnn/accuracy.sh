#!/usr/bin/env bash
# Full-batch accuracy over 10 seeds for the configs given as arguments
# (default: every configs/*.yaml), one JSON summary each in
# bench/out/gnn/accuracy/, then a markdown table on stdout.
# Usage: bench/gnn/accuracy.sh [configs/gcn-cora.yaml ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds=${SEEDS:-10}
out=bench/out/gnn/accuracy
bin=bench/out/gnn/trainer
mkdir -p "$out"
go build -o "$bin" ./cmd/trainer
cfgs=("$@")
[ ${#cfgs[@]} -eq 0 ] && cfgs=($(ls configs/*.yaml | grep -v /gas-))
for c in "${cfgs[@]}"; do
  n=$(basename "$c" .yaml)
  echo "== $n" >&2
  "$bin" --config "$c" --seeds "$seeds" --summary "$out/$n.json" --quiet \
    --set output.dir=bench/out/gnn/runs >"$out/$n.txt"
  tail -2 "$out/$n.txt" | head -1 >&2
done
echo "| config | dataset | model | seeds | test acc (%) | val acc (%) | epoch (ms, median) | peak RSS (MiB) |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"
for c in "${cfgs[@]}"; do
  n=$(basename "$c" .yaml)
  /usr/bin/python3 - "$out/$n.json" "$n" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"| {sys.argv[2]} | {s['dataset']} | {s['model']} | {s['seeds']} | {s['test_acc_mean']:.2f} ± {s['test_acc_std']:.2f} | "
      f"{s['val_acc_mean']:.2f} ± {s['val_acc_std']:.2f} | {1000*s['epoch_seconds_median']:.1f} | {s['peak_rss_bytes']/2**20:.0f} |")
PY
done
