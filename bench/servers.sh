#!/usr/bin/env bash
# The servers end to end: the trainer's default job (GAS-GCN on a
# generated SBM graph, `make run`'s config) trained from GAS data whose
# features, labels, split and topology are
#   local     in the folder's Pebble store, in the trainer's process,
#   features  the rows on a feature server (cmd/featurestore over a Pebble
#             directory, a separate process, gRPC on loopback;
#             gas.feature_server), the topology in the folder,
#   both      the rows on the feature server and the topology on a graph
#             server (cmd/graphstore, likewise; gas.graph_server),
#   sharded   the rows on the feature server and the topology cut over two
#             graph servers by partition (gas.graph_server=A,B).
# Runs alternate round by round; the table gives each side's median epoch
# time (training plus exact inference every epoch, which reads every row
# and neighbourhood once more), the ratio to local and the accuracies,
# which must be identical. Writes docs/benchmarks/servers.md.
#   FS_BENCH_NODES   SBM nodes              default 100000 (make run's)
#   FS_BENCH_ROUNDS  rounds                 default 3
#   FS_BENCH_EPOCHS  epochs per run         default 3
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${FS_BENCH_NODES:-100000}
rounds=${FS_BENCH_ROUNDS:-3}
epochs=${FS_BENCH_EPOCHS:-3}
out=bench/out/servers
rm -rf "$out"
mkdir -p "$out" docs/benchmarks
go build -o "$out/" ./cmd/trainer ./cmd/featurestore ./cmd/graphstore
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null || true' EXIT
serve() { # name -> addr: the address of a new running server of that name
  local port
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$out/$1" --listen "127.0.0.1:$port" --dir "$out/$1-$port" >/dev/null 2>"$out/$1-$port.log" &
  pids+=($!)
  for _ in $(seq 100); do
    grep -q "serving" "$out/$1-$port.log" && break
    sleep 0.1
  done
  addr=127.0.0.1:$port
}
serve featurestore; faddr=$addr
serve featurestore; baddr=$addr # a server holds one data set's rows: one per side
serve featurestore; saddr=$addr
serve graphstore; gaddr=$addr
serve graphstore; g1addr=$addr
serve graphstore; g2addr=$addr
sets=(--set dataset.sbm.nodes="$nodes" --set train.epochs="$epochs" --set output.dir="$out/runs")
declare -A extra=(
  [local]=""
  [features]="--set gas.feature_server=$faddr"
  [both]="--set gas.feature_server=$baddr --set gas.graph_server=$gaddr"
  [sharded]="--set gas.feature_server=$saddr --set gas.graph_server=$g1addr,$g2addr"
)
sides=(local features both sharded)
for side in "${sides[@]}"; do
  # shellcheck disable=SC2086
  "$out/trainer" --prepare "${sets[@]}" --set gas.store="$out/$side" ${extra[$side]} 2>>"$out/log"
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq "$rounds"); do
  for side in "${sides[@]}"; do
    echo "round $r: $side" >&2
    # shellcheck disable=SC2086
    "$out/trainer" --quiet "${sets[@]}" --set gas.store="$out/$side" ${extra[$side]} \
      --summary "$out/$side-$r.json" >>"$out/log" 2>&1
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "## Feature and graph servers: training through them"
  echo
  echo "\`make run\`'s job (GAS-GCN, 2 layers, hidden 64, on a generated SBM graph of"
  echo "$nodes nodes, 50 partitions, 10 per batch) trained for $epochs epochs from GAS data"
  echo "whose rows (features, labels, split) and topology are in the folder's Pebble"
  echo "store, in the trainer's process (**local**); the rows on a feature server"
  echo "(\`cmd/featurestore\` over its own Pebble directory, a separate process, gRPC on"
  echo "loopback) and the topology in the folder (**features**); or the rows on a"
  echo "feature server and the topology on a graph server (\`cmd/graphstore\`, likewise:"
  echo "**both**), or cut by partition over two graph servers (**sharded**: each holds"
  echo "the neighbourhoods of half the partitions, and the trainer asks both in parallel)."
  echo "The sides alternate, $rounds rounds; an epoch is the training steps"
  echo "plus exact inference over every node (which reads every row and neighbourhood"
  echo "once more). Commands (bench/servers.sh):"
  echo
  echo '```'
  echo "featurestore --listen ADDR --dir DIR; graphstore --listen ADDR --dir DIR"
  for side in "${sides[@]}"; do
    echo "trainer --prepare ${sets[*]} --set gas.store=$out/$side ${extra[$side]}"
  done
  for side in "${sides[@]}"; do
    echo "trainer --quiet ${sets[*]} --set gas.store=$out/$side ${extra[$side]} --summary $side-R.json"
  done
  echo '```'
  echo
  /usr/bin/python3 - "$out" "$rounds" "${sides[@]}" <<'PY'
import json, statistics, sys
out, rounds, sides = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows = {s: [json.load(open(f"{out}/{s}-{r}.json")) for r in range(1, rounds + 1)] for s in sides}
print("| data on | epoch seconds (median of rounds) | per round | vs local | test acc | val acc | trainer peak RSS (MiB) |")
print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
med = {s: statistics.median(r["epoch_seconds_median"] for r in runs) for s, runs in rows.items()}
for s, runs in rows.items():
    ep = [r["epoch_seconds_median"] for r in runs]
    rss = max(r["peak_rss_bytes"] for r in runs) / 2**20
    print(f"| {s} | {med[s]:.2f} | {' / '.join(f'{e:.2f}' for e in ep)} | {med[s] / med['local']:.2f}x | "
          f"{runs[0]['test_acc_mean']:.2f} | {runs[0]['val_acc_mean']:.2f} | {rss:.0f} |")
ref = rows["local"][0]
same = all(r["test_acc_mean"] == ref["test_acc_mean"] and r["val_acc_mean"] == ref["val_acc_mean"]
           for runs in rows.values() for r in runs)
print()
print(f"Accuracies {'identical' if same else '**differ**'} across sides and rounds.")
PY
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); the trainer and"
  echo "the servers share them. Load average before: $load_before; after: $load_after."
} > docs/benchmarks/servers.md
cat docs/benchmarks/servers.md
