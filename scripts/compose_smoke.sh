#!/usr/bin/env bash
# The docker-compose launch end to end (make compose-test): static
# binaries, images, then docker-compose.yml's cluster under a fresh project
# name (its own network and volumes) run twice: the first run prepares the
# data (the book in the trainer's volume, features on the feature server,
# topology cut over two graph servers, each in its own Pebble volume) and trains,
# the second reuses it all. Fails unless both runs
# exit 0, the first wrote and the second kept the data, and both report the
# same test accuracy. Removes the project's containers and volumes at the
# end. Logs: bench/out/compose/run-{1,2}.log.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/compose
mkdir -p "$out"
project=gnnscale-smoke-$$
dc() { docker-compose -p "$project" "$@"; }
trap 'dc down -v >/dev/null 2>&1 || true' EXIT
make images
acc=()
for i in 1 2; do
  log=$out/run-$i.log
  if ! dc up --no-color --exit-code-from trainer >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "compose_smoke: run $i failed (log: $log)" >&2
    exit 1
  fi
  want=wrote
  [ "$i" = 2 ] && want=kept
  if ! grep -q "trainer.*| $want /data/gas" "$log"; then
    echo "compose_smoke: run $i did not say '$want /data/gas' (log: $log)" >&2
    exit 1
  fi
  if ! grep -q 'gas store opened.*feature_server=featurestore:7070 graph_server=graphstore-0:7071,graphstore-1:7071' "$log"; then
    echo "compose_smoke: run $i did not train from both servers (log: $log)" >&2
    exit 1
  fi
  a=$(grep -o 'test accuracy [0-9.]*' "$log" | tail -1)
  [ -n "$a" ] || { echo "compose_smoke: run $i reported no test accuracy (log: $log)" >&2; exit 1; }
  acc+=("$a")
  echo "compose_smoke: run $i: $want the data, $a" >&2
done
if [ "${acc[0]}" != "${acc[1]}" ]; then
  echo "compose_smoke: the runs differ: ${acc[0]} vs ${acc[1]}" >&2
  exit 1
fi
echo "compose_smoke: ok" >&2
