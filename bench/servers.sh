#!/usr/bin/env bash
# The feature server end to end: the trainer's default job (GAS-GCN on a
# generated SBM graph, `make run`'s config) trained from a GAS data folder
# whose features, labels and split are
#   local   in the folder's Pebble store, in the trainer's process, or
#   remote  on a feature server (cmd/featurestore over a Pebble directory,
#           a separate process, gRPC on loopback; gas.feature_server),
# the topology in the folder either way. Runs alternate round by round;
# the table gives each side's median epoch time (training plus exact
# inference every epoch, which reads every row once more), the ratio and
# the accuracies, which must be identical. Writes
# docs/benchmarks/featureserver.md.
#   FS_BENCH_NODES   SBM nodes              default 100000 (make run's)
#   FS_BENCH_ROUNDS  rounds                 default 3
#   FS_BENCH_EPOCHS  epochs per run         default 3
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${FS_BENCH_NODES:-100000}
rounds=${FS_BENCH_ROUNDS:-3}
epochs=${FS_BENCH_EPOCHS:-3}
out=bench/out/featureserver
rm -rf "$out"
mkdir -p "$out" docs/benchmarks
go build -o "$out/" ./cmd/trainer ./cmd/featurestore
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
addr=127.0.0.1:$port
"$out/featurestore" --listen "$addr" --dir "$out/features" 2>"$out/featurestore.log" &
fspid=$!
trap 'kill $fspid 2>/dev/null; wait $fspid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q "serving" "$out/featurestore.log" && break
  sleep 0.1
done
sets=(--set dataset.sbm.nodes="$nodes" --set train.epochs="$epochs" --set output.dir="$out/runs")
remote=(--set gas.feature_server="$addr")
cmd_prep_local="trainer --prepare ${sets[*]} --set gas.store=$out/local"
cmd_prep_remote="trainer --prepare ${sets[*]} --set gas.store=$out/remote ${remote[*]}"
"$out/trainer" --prepare "${sets[@]}" --set gas.store="$out/local" 2>>"$out/log"
"$out/trainer" --prepare "${sets[@]}" --set gas.store="$out/remote" "${remote[@]}" 2>>"$out/log"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq "$rounds"); do
  for side in local remote; do
    extra=()
    [ "$side" = remote ] && extra=("${remote[@]}")
    echo "round $r: $side" >&2
    "$out/trainer" --quiet "${sets[@]}" --set gas.store="$out/$side" "${extra[@]}" \
      --summary "$out/$side-$r.json" >>"$out/log" 2>&1
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "## Feature server: training through it"
  echo
  echo "\`make run\`'s job (GAS-GCN, 2 layers, hidden 64, on a generated SBM graph of"
  echo "$nodes nodes, 50 partitions, 10 per batch) trained for $epochs epochs from a GAS"
  echo "data folder whose features, labels and split are either in the folder's Pebble"
  echo "store, in the trainer's process (**local**), or on a feature server"
  echo "(\`cmd/featurestore\` over its own Pebble directory, a separate process, gRPC on"
  echo "loopback: **remote**); the topology is in the folder either way. The two"
  echo "alternate, $rounds rounds; an epoch is the training steps plus exact inference"
  echo "over every node (which reads every feature row once more). Commands"
  echo "(bench/featureserver.sh):"
  echo
  echo '```'
  echo "featurestore --listen $addr --dir DIR"
  echo "$cmd_prep_local"
  echo "$cmd_prep_remote"
  echo "trainer --quiet ${sets[*]} --set gas.store=$out/local --summary local-R.json"
  echo "trainer --quiet ${sets[*]} --set gas.store=$out/remote ${remote[*]} --summary remote-R.json"
  echo '```'
  echo
  /usr/bin/python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
rows = {}
for side in ("local", "remote"):
    runs = [json.load(open(f"{out}/{side}-{r}.json")) for r in range(1, rounds + 1)]
    rows[side] = runs
print("| features | epoch seconds (median of rounds) | per round | test acc | val acc | peak RSS (MiB) |")
print("| --- | ---: | --- | ---: | ---: | ---: |")
med = {}
for side, runs in rows.items():
    ep = [r["epoch_seconds_median"] for r in runs]
    med[side] = statistics.median(ep)
    rss = max(r["peak_rss_bytes"] for r in runs) / 2**20
    print(f"| {side} | {med[side]:.2f} | {' / '.join(f'{e:.2f}' for e in ep)} | "
          f"{runs[0]['test_acc_mean']:.2f} | {runs[0]['val_acc_mean']:.2f} | {rss:.0f} |")
same = all(r["test_acc_mean"] == rows["local"][0]["test_acc_mean"] and
           r["val_acc_mean"] == rows["local"][0]["val_acc_mean"]
           for runs in rows.values() for r in runs)
print()
print(f"Remote / local epoch time: **{med['remote'] / med['local']:.2f}x**. "
      f"Accuracies {'identical' if same else '**differ**'} across sides and rounds.")
PY
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); trainer and"
  echo "server share them. Load average before: $load_before; after: $load_after."
} > docs/benchmarks/featureserver.md
cat docs/benchmarks/featureserver.md
