#!/usr/bin/env bash
# Full-batch test accuracy over 10 seeds for the configs given as arguments
# (default: every configs/*.yaml but the gas-* ones), one JSON summary each
# in bench/out/gnn/accuracy/<config>.json, then the accuracy section
# bench/gnn/accuracy.md (committed: these runs take hours on the shared
# machine, so bench/gnn.sh does not repeat them but appends this file to
# docs/benchmarks/gnn.md), which this script also splices into
# docs/benchmarks/gnn.md.
#
# Usage: bench/gnn/accuracy.sh [configs/gcn-cora.yaml ...]
#   SEEDS=10       seeds per config
#   CPU=0          pin the trainer to this core (taskset): on a loaded
#                  machine one single-threaded trainer per core gets more
#                  done than one two-threaded trainer
#   TABLE_ONLY=1   only rebuild the section from the existing summaries
#   NOTES=FILE     markdown appended under the table (default bench/gnn/accuracy_notes.md)
#   SET="--set workers=1"  extra trainer arguments (one kernel worker: two
#                  single-worker trainers side by side get more done on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds=${SEEDS:-10}
out=bench/out/gnn/accuracy
ref=bench/out/gnn/ref
bin=bench/out/gnn/trainer
notes=${NOTES:-bench/gnn/accuracy_notes.md}
pin=()
[ -n "${CPU:-}" ] && pin=(taskset -c "$CPU")
mkdir -p "$out"
cfgs=("$@")
[ ${#cfgs[@]} -eq 0 ] && mapfile -t cfgs < <(ls configs/*.yaml | grep -v /gas-)
if [ -z "${TABLE_ONLY:-}" ]; then
  go build -o "$bin" ./cmd/trainer
  for c in "${cfgs[@]}"; do
    n=$(basename "$c" .yaml)
    echo "== $n" >&2
    "${pin[@]}" "$bin" --config "$c" --seeds "$seeds" --summary "$out/$n.json" --quiet \
      --set output.dir=bench/out/gnn/runs ${SET:-} >"$out/$n.txt"
    tail -2 "$out/$n.txt" | head -1 >&2
  done
fi
# The section lists every full-batch config that has a summary.
mapfile -t all < <(ls configs/*.yaml | grep -v /gas- | xargs -n1 basename | sed 's/\.yaml$//')
{
  echo "### Full-batch accuracy"
  echo
  echo "Test accuracy at the selected epoch (best validation accuracy unless the"
  echo "config says otherwise), mean ± sample std over seeds 0-9, from"
  echo
  echo '```'
  echo "trainer --config configs/<config>.yaml --seeds 10 --summary bench/out/gnn/accuracy/<config>.json"
  echo "# as run by bench/gnn/accuracy.sh: taskset -c <core> bench/out/gnn/trainer ... --quiet --set output.dir=bench/out/gnn/runs"
  echo '```'
  echo
  echo "The PyTorch reference column is bench/gnn/torch_ref.py on the same config,"
  echo "data and split (\`/usr/bin/python3 bench/gnn/torch_ref.py --config configs/<config>.yaml --seeds N\`)."
  echo
  /usr/bin/python3 bench/gnn/accuracy_table.py "$out" "$ref" "${all[@]}"
  echo
  [ -f "$notes" ] && cat "$notes"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), shared with other"
  echo "jobs (load average $(cut -d' ' -f1-3 /proc/loadavg) when this table was written), so epoch times"
  echo "are upper bounds; accuracies do not depend on the load."
} > bench/gnn/accuracy.md
# Splice into docs/benchmarks/gnn.md: drop an old accuracy section, append.
/usr/bin/python3 - docs/benchmarks/gnn.md bench/gnn/accuracy.md <<'PY'
import os, sys
doc, sec = sys.argv[1:]
text = open(doc).read() if os.path.exists(doc) else ""
text = text.split("### Full-batch accuracy")[0].rstrip("\n")
open(doc, "w").write((text + "\n\n" if text else "") + open(sec).read())
PY
cat bench/gnn/accuracy.md
