#!/usr/bin/env bash
# Data larger than memory: generate an R-MAT graph (2^SCALE nodes) with
# 2^SCALE x 128 float32 features (8 GiB at SCALE=24), ingest it into a
# Pebble store with gnnctl ingest (features from a .npy file), then read
# random 1024-row batches (every value verified) and neighbour lookups for
# READ_SECONDS in a process confined to MEM_LIMIT (a cgroup v1 memory limit,
# or ulimit -v when no cgroup can be made) with GOMEMLIMIT below it, and
# record throughput, peak RSS and any OOM in
# bench/store/larger_than_ram.result.md (included by bench/store.sh in
# docs/benchmarks/store.md). Heavy (~25 GiB of disk at the peak, tens of
# minutes on 2 cores), so it is not part of make test or make bench.
#   SCALE=24  READ_SECONDS=60  MEM_LIMIT_MIB=2048  GOMEMLIMIT_MIB=1536  WORK=bench/out/ltr
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=${SCALE:-24}
COLS=128
READ_SECONDS=${READ_SECONDS:-60}
MEM_LIMIT_MIB=${MEM_LIMIT_MIB:-2048}
GOMEMLIMIT_MIB=${GOMEMLIMIT_MIB:-1536}
ROW_CACHE_MIB=${ROW_CACHE_MIB:-512}
BLOCK_CACHE_MIB=${BLOCK_CACHE_MIB:-256}
WORK=${WORK:-bench/out/ltr}
rows=$((1 << SCALE))
feat_bytes=$((rows * COLS * 4))
mkdir -p "$WORK"
free_kib=$(df -k --output=avail "$WORK" | tail -1)
need_kib=$((feat_bytes * 3 / 1024))
if [ "$free_kib" -lt "$need_kib" ]; then
  echo "larger_than_ram.sh: need ~$((need_kib >> 20)) GiB free in $WORK, have $((free_kib >> 20)) GiB" >&2
  exit 1
fi
rm -rf "$WORK/graph" "$WORK/store" "$WORK/x.npy"
go build -o "$WORK/gnnctl" ./cmd/gnnctl
go build -o "$WORK/npygen" ./bench/store/npygen
go build -o "$WORK/ramreader" ./bench/store/ramreader
ts() { date +%s.%N; }

cmd_gen="$WORK/gnnctl generate rmat --out $WORK/graph --scale $SCALE --edge-factor 2 --features 0 --classes 0 --seed 1"
cmd_npy="$WORK/npygen -rows $rows -cols $COLS -seed 1 -out $WORK/x.npy"
cmd_ingest="$WORK/gnnctl ingest --out $WORK/store --features $WORK/x.npy $WORK/graph"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
cmd_read="GOMEMLIMIT=${GOMEMLIMIT_MIB}MiB $WORK/ramreader -dir $WORK/store -time ${READ_SECONDS}s -seed 1 -row-cache-mib $ROW_CACHE_MIB -block-cache-mib $BLOCK_CACHE_MIB"

t0=$(ts); echo "$cmd_gen" >&2; $cmd_gen >&2; t1=$(ts)
echo "$cmd_npy" >&2; $cmd_npy; t2=$(ts)
echo "$cmd_ingest" >&2
/usr/bin/time -v $cmd_ingest 2> "$WORK/ingest.time" | tee "$WORK/ingest.out" >&2
t3=$(ts)
ingest_rss_kib=$(awk -F: '/Maximum resident set size/{gsub(/ /,"",$2); print $2}' "$WORK/ingest.time")
rm -f "$WORK/x.npy"
store_bytes=$(du -sb "$WORK/store" | cut -f1)

# The reader: a cgroup v1 memory limit when possible, else ulimit -v.
limit_bytes=$((MEM_LIMIT_MIB << 20))
cg=/sys/fs/cgroup/memory/gnnscale-ltr-$$
how=""
if [ -w /sys/fs/cgroup/memory ] && mkdir "$cg" 2>/dev/null; then
  echo "$limit_bytes" > "$cg/memory.limit_in_bytes"
  [ -e "$cg/memory.memsw.limit_in_bytes" ] && echo "$limit_bytes" > "$cg/memory.memsw.limit_in_bytes" || true
  how="cgroup v1 memory.limit_in_bytes=${MEM_LIMIT_MIB} MiB (page cache included), GOMEMLIMIT=${GOMEMLIMIT_MIB}MiB"
  echo "$cmd_read  (in $cg)" >&2
  cpu_pressure=n/a
  set +e
  bash -c "echo \$\$ > $cg/cgroup.procs; exec env $cmd_read" > "$WORK/read.json" 2> "$WORK/read.err"
  rc=$?
  set -e
  cpu_pressure=$(awk '/^some/{split($3,a,"="); print a[2]}' /proc/pressure/cpu 2>/dev/null || echo n/a)
  cg_max=$(cat "$cg/memory.max_usage_in_bytes")
  cg_failcnt=$(cat "$cg/memory.failcnt")
  cg_oom=$(grep -E '^oom_kill ' "$cg/memory.oom_control" | awk '{print $2}' || echo "n/a")
  rmdir "$cg" || true
else
  how="ulimit -v ${MEM_LIMIT_MIB} MiB (virtual memory), GOMEMLIMIT=${GOMEMLIMIT_MIB}MiB"
  echo "$cmd_read  (ulimit -v)" >&2
  cpu_pressure=n/a
  set +e
  bash -c "ulimit -v $((MEM_LIMIT_MIB << 10)); exec env $cmd_read" > "$WORK/read.json" 2> "$WORK/read.err"
  rc=$?
  set -e
  cg_max="n/a"; cg_failcnt="n/a"; cg_oom="n/a"
fi
cat "$WORK/read.err" >&2
cat "$WORK/read.json" >&2
j() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$WORK/read.json')); print($1)"; }
gib() { awk -v b="$1" 'BEGIN{printf "%.2f", b/1073741824}'; }
mib() { awk -v b="$1" 'BEGIN{printf "%.0f", b/1048576}'; }
{
  echo "### Data larger than memory"
  echo
  echo "\`bench/store/larger_than_ram.sh\` (SCALE=$SCALE, run $(date -u +%Y-%m-%d)): an R-MAT graph of $rows nodes"
  echo "with $rows x $COLS float32 features = **$(gib $feat_bytes) GiB**, ingested with \`gnnctl ingest\`"
  echo "(features from a .npy file), then read by a separate process limited to"
  echo "**${MEM_LIMIT_MIB} MiB** ($how), i.e. features = $(awk -v a=$feat_bytes -v b=$limit_bytes 'BEGIN{printf "%.1f", a/b}')x its memory."
  echo
  echo '```'
  echo "$cmd_gen"
  echo "$cmd_npy"
  echo "$cmd_ingest"
  echo "$cmd_read"
  echo '```'
  echo
  echo "| step | result |"
  echo "| --- | --- |"
  echo "| generate graph + features | $(awk -v a=$t0 -v b=$t2 'BEGIN{printf "%.0f", b-a}') s |"
  echo "| ingest (edges, then features) | $(awk -v a=$t2 -v b=$t3 'BEGIN{printf "%.0f", b-a}') s in all; $(grep -E '^(edges|store edges|features): done' "$WORK/ingest.time" | sed 's/|/ /g' | paste -sd ';' -); writer peak RSS $((ingest_rss_kib >> 10)) MiB (not limited) |"
  echo "| store on disk | $(gib $store_bytes) GiB |"
  if [ "$rc" -eq 0 ]; then
    echo "| reader exit | 0 (no error, every value verified) |"
    echo "| random 1024-row gathers | $(j "d['batches']") batches in $(j "round(d['seconds'])") s = $(j "round(d['rows_per_sec'])") rows/s (row cache hit rate $(j "round(100*d['row_cache_hit_rate'],1)")%), reads started cold (store files evicted from the page cache) |"
    echo "| reader CPU time / disk reads | $(j "round(d['cpu_seconds'],1)") s of CPU in $(j "round(d['seconds'])") s ($(j "round(100*d['cpu_seconds']/d['seconds'])")% of one core; CPU pressure 'some' avg60 during the run: $cpu_pressure%) / $(j "d['disk_read_bytes']>>20") MiB read from disk |"
    echo "| neighbour lookups | $(j "d['neighbor_queries']") nodes, $(j "d['neighbors']") neighbours |"
    echo "| reader peak RSS (sampled VmRSS / VmHWM) | $(j "d['max_rss_bytes']>>20") MiB / $(j "d['vm_hwm_bytes']>>20") MiB (limit ${MEM_LIMIT_MIB} MiB) |"
    echo "| reader peak Go heap | $(j "d['max_go_heap_bytes']>>20") MiB |"
  else
    echo "| reader exit | **$rc: failed** ($(tail -1 "$WORK/read.err")) |"
  fi
  echo "| machine load average (before / after) | $load_before / $(cut -d' ' -f1-3 /proc/loadavg) (2 cores shared with other jobs) |"
  echo "| cgroup peak usage (incl. page cache) / failcnt / oom_kill | $( [ "$cg_max" = n/a ] && echo n/a || mib "$cg_max") MiB / $cg_failcnt / $cg_oom |"
} > bench/store/larger_than_ram.result.md
cat bench/store/larger_than_ram.result.md >&2
[ "$rc" -eq 0 ]
