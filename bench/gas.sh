#!/usr/bin/env bash
# GNNAutoScale benchmarks, written to docs/benchmarks/gas.md:
#  1. Constant memory: GAS-GCN trained from a Pebble GAS data folder
#     (features, labels, split, topology; file-backed histories) on SBM
#     graphs of 0.5M, 2M and 8M nodes with the same nodes per batch; the
#     peak RSS of the training steps against full-batch training's peak.
#  2. I/O hiding: epoch time of the asynchronous pool against synchronous
#     pulls/pushes (file-backed histories) and full-batch on the 2M-node
#     SBM, interleaved round by round (bench/gas/main.go).
# Prepared GAS data folders are kept in $GAS_BENCH_DIR (default
# /tmp/gnnscale-gas-bench) and reused: the first run generates and writes
# them (several minutes for 8M nodes). Usage: bench/gas.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out docs/benchmarks
DIR=${GAS_BENCH_DIR:-/tmp/gnnscale-gas-bench}
SIZES=${GAS_BENCH_SIZES:-"500000 2000000 8000000"}
STEPS=${GAS_BENCH_STEPS:-10}          # training steps measured per size
CACHE_MB=${GAS_BENCH_CACHE_MB:-64}  # the store's row cache, smaller than every graph
PER_PART=${GAS_BENCH_PART_NODES:-5000}
PER_BATCH=${GAS_BENCH_PARTS_PER_BATCH:-2}
IO_NODES=${GAS_BENCH_IO_NODES:-2000000}
IO_ROUNDS=${GAS_BENCH_IO_ROUNDS:-7}
IO_STEPS=${GAS_BENCH_IO_STEPS:-20}
mkdir -p "$DIR"
go build -o bench/out/ ./cmd/trainer ./bench/gas
T=bench/out/trainer
log=bench/out/gas.log
: > "$log"

cfg() { # nodes -> config file
  local n=$1 f="$DIR/sbm-$1.yaml"
  cat > "$f" <<YML
name: gas-mem-sbm-$n
mode: gas
dataset: {name: sbm-$n, generator: sbm, sbm: {nodes: $n}}
model: {name: gcn, hidden: 64, layers: 2, dropout: 0.5}
optim: {lr: 0.01, weight_decay: 5e-4}
train: {epochs: 1}
gas: {num_parts: $(( n / PER_PART )), parts_per_batch: $PER_BATCH, partitioner: range}
output: {dir: $DIR/runs, no_checkpoint: true, no_plot: true}
YML
  echo "$f"
}
mib() { python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))[sys.argv[2]]/2**20))" "$1" "$2"; }

rows=()
for n in $SIZES; do
  c=$(cfg "$n")
  store="$DIR/store-$n"
  if [ ! -e "$store/book.json" ]; then
    rm -rf "$store"
    /usr/bin/time -v $T --quiet --prepare --config "$c" --set gas.store="$store" 2>>"$log" | tee -a "$log" >&2
  fi
  $T --quiet --config "$c" --set gas.store="$store" --set gas.histories=file --set gas.history_access=pread --set gas.history_dir="$DIR" \
    --set gas.max_steps="$STEPS" --set gas.skip_eval=true --set gas.no_fill=true --set gas.store_cache_mb="$CACHE_MB" --summary "$DIR/gas-$n.json" >>"$log" 2>&1
  # Full-batch results are kept like the stores (GAS_BENCH_FRESH=1 reruns them).
  if [ "${GAS_BENCH_FRESH:-0}" = 1 ] || { [ ! -e "$DIR/full-$n.json" ] && [ ! -e "$DIR/full-$n.failed" ]; }; then
    rm -f "$DIR/full-$n.json" "$DIR/full-$n.failed"
    rc=0
    /usr/bin/time -v $T --quiet --config "$c" --set mode=full --set output.no_plot=true --summary "$DIR/full-$n.json" >>"$log" 2>"$DIR/full-$n.time" || rc=$?
    if [ $rc -ne 0 ]; then
      peak=$(awk '/Maximum resident set size/ {print int($6/1024)}' "$DIR/full-$n.time")
      echo "exit $rc at ${peak:-?} MiB$( [ $rc -eq 137 ] && echo ', killed by the kernel OOM killer')" > "$DIR/full-$n.failed"
    fi
  fi
  g=$(mib "$DIR/gas-$n.json" train_peak_rss_bytes)
  if [ -e "$DIR/full-$n.json" ]; then f=$(mib "$DIR/full-$n.json" peak_rss_bytes); else f="failed: $(cat "$DIR/full-$n.failed")"; fi
  rows+=("| $n | $(( PER_PART * PER_BATCH )) | $g | $f |")
  echo "size $n: gas train peak $g MiB, full-batch peak $f MiB" >&2
done

io=bench/out/gas-io.md
# Full-batch epochs run in their own process (the memory part above, same
# graph size when IO_NODES is one of SIZES): one process holding both the
# GAS and the full-batch data needs twice the memory.
bench/out/gas -nodes "$IO_NODES" -parts $(( IO_NODES / PER_PART )) -per "$PER_BATCH" -layers 3 -rounds "$IO_ROUNDS" \
  -max-steps "$IO_STEPS" -full=false -io-workers 2 -history-dir "$DIR" > "$io" 2>>"$log"
if [ -e "$DIR/full-$IO_NODES.json" ]; then
  fe=$(python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['epoch_seconds_median'], 2))" "$DIR/full-$IO_NODES.json")
  echo "" >> "$io"
  echo "Full-batch epoch of a 2-layer GCN on the same graph (whole graph, one step; from the memory part, a separate process, not interleaved): $fe s." >> "$io"
fi

{
  echo "## GAS"
  echo
  echo "GNNAutoScale training (pkg/gas, trainer mode gas). Machine: 2 cores, 24 GiB, no GPU;"
  echo "busy with other benchmarks while this ran (load average $(cut -d' ' -f1-3 /proc/loadavg)), so"
  echo "times are noisy and only the interleaved ratios mean much."
  echo
  echo "### Constant memory"
  echo
  echo "GAS-GCN (2 layers, 64 hidden, 64 features, 8 classes, SBM average degree 10) trained"
  echo "from a Pebble GAS data folder (\`trainer --prepare\`, then \`gas.store\`; features,"
  echo "labels, split and in-neighbours read through pkg/store, the history in a file table),"
  echo "$PER_PART nodes per partition, $PER_BATCH partitions per batch, $STEPS steps. *GAS train peak* is the"
  echo "peak RSS of the training steps (the kernel's mark reset when the epoch starts);"
  echo "*full-batch peak* the whole process's peak RSS for one full-batch epoch of the same model."
  echo
  echo "| nodes | nodes per batch | GAS train peak (MiB) | full-batch peak (MiB) |"
  echo "|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Commands (per size N): \`bench/out/trainer --prepare --config $DIR/sbm-N.yaml --set gas.store=$DIR/store-N\`;"
  echo "\`bench/out/trainer --config $DIR/sbm-N.yaml --set gas.store=$DIR/store-N --set gas.histories=file --set gas.history_access=pread --set gas.max_steps=$STEPS --set gas.skip_eval=true --set gas.no_fill=true --set gas.store_cache_mb=$CACHE_MB --summary gas-N.json\`;"
  echo "\`bench/out/trainer --config $DIR/sbm-N.yaml --set mode=full --summary full-N.json\` (configs written by bench/gas.sh)."
  echo
  echo "### Hiding history I/O"
  echo
  echo "GAS-GCN with 3 layers (2 file-backed, memory-mapped histories of 64 columns, filled by the"
  echo "inference pass before training as in every run), $IO_NODES-node SBM in memory,"
  echo "$PER_PART-node partitions, $PER_BATCH per batch, an epoch cut at $IO_STEPS steps, the second of two epochs timed, 2 I/O workers;"
  echo "the two runs alternate for $IO_ROUNDS rounds."
  echo "*History I/O waited* is the time the training loop spent blocked in pulls, push submission and fences."
  echo
  cat "$io"
  echo
  echo "Command: \`bench/out/gas -nodes $IO_NODES -parts $(( IO_NODES / PER_PART )) -per $PER_BATCH -layers 3 -rounds $IO_ROUNDS -max-steps $IO_STEPS -full=false -io-workers 2 -history-dir $DIR\`."
} > docs/benchmarks/gas.md
echo "wrote docs/benchmarks/gas.md" >&2
