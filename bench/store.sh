#!/usr/bin/env bash
# Store benchmarks: random 1024-row gathers of 128-float rows (rows/s) from
# a plain Go gather loop (the machine's random-row gather bandwidth), the
# memory backend, the Pebble backend (warm with its row cache, warm through
# Pebble's block cache only, cold), the gRPC feature server
# (cmd/featurestore, a separate process on loopback, memory store) and
# Redis (Debian's redis-server on loopback, one key per row, MGET),
# interleaved round by round (bench/store/gatherbench); then the Go
# benchmarks of pkg/store and pkg/rpc.
# Writes docs/benchmarks/store.md, including the last result of
# bench/store/larger_than_ram.sh (which is run separately: it writes ~8 GiB).
#   STORE_BENCH_ROWS    table rows              default 1048576 (512 MiB)
#   STORE_BENCH_ROUNDS  interleaved rounds      default 3
#   STORE_BENCH_TIME    seconds per contender   default 2s
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out/store docs/benchmarks
rows=${STORE_BENCH_ROWS:-1048576}
rounds=${STORE_BENCH_ROUNDS:-3}
t=${STORE_BENCH_TIME:-2s}
out=bench/out/store

if ! command -v redis-server >/dev/null; then
  echo "store.sh: redis-server missing (make bench installs it: scripts/deps.sh bench)" >&2
  exit 1
fi
go build -o "$out/featurestore" ./cmd/featurestore
cmd_gather="go run ./bench/store/gatherbench -rows $rows -rounds $rounds -time $t -dir $out/data -redis $(command -v redis-server) -featurestore $out/featurestore"
cmd_go="go test -run '^\$' -bench 'Gather|Neighbors|RemoteGet|RoundTrip' -benchmem -benchtime 2s ./pkg/store/memstore ./pkg/store/pebblestore ./pkg/rpc"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rm -rf "$out/data"
echo "$cmd_gather" >&2
eval "$cmd_gather" > "$out/gather.md"
rm -rf "$out/data"
echo "$cmd_go" >&2
eval "$cmd_go" | tee "$out/go.txt" >&2
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "## Store"
  echo
  echo "Random gathers of 1024 rows of 128 float32 (512 B per row) through the store"
  echo "interfaces (\`FeatureStore.Get\` into a caller-owned destination), side by side in"
  echo "one process with a plain Go gather loop over one in-memory array (the machine's"
  echo "random-row gather bandwidth, the memory backend's yardstick), the feature server"
  echo "(\`cmd/featurestore\`, memory store, a separate process on loopback, read through"
  echo "\`rpc.DialFeatures\`: gRPC, rows as Arrow IPC) and Redis (\`redis-server\`"
  echo "$(redis-server --version | awk '{print $3}' | cut -d= -f2) on loopback, no persistence, one key per row, \`MGET\` of the"
  echo "batch through a minimal allocation-free RESP client). Contenders run interleaved,"
  echo "round by round; the table gives the median round."
  echo
  echo "Commands:"
  echo
  echo '```'
  echo "$cmd_gather"
  echo "$cmd_go"
  echo '```'
  echo
  cat "$out/gather.md"
  echo
  echo "Go benchmarks (\`-benchmem\`; rows/s is the custom metric):"
  echo
  echo '```'
  grep -E '^(Benchmark|ok|PASS)' "$out/go.txt" | grep -v '^PASS' || true
  echo '```'
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB, Go $(go env GOVERSION)."
  echo "Load average before the run: $load_before; after: $load_after. Other engineers'"
  echo "jobs share the 2 cores, so absolute rates move by 2x between rounds; compare the"
  echo "ratios, which come from the same round."
  echo
  if [ -f bench/store/larger_than_ram.result.md ]; then
    cat bench/store/larger_than_ram.result.md
  else
    echo "### Data larger than memory"
    echo
    echo "Not run yet: \`bench/store/larger_than_ram.sh\`."
  fi
} > docs/benchmarks/store.md
echo "wrote docs/benchmarks/store.md" >&2
