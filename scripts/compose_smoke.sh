#!/usr/bin/env bash
# The docker-compose launch end to end (make compose-test): static
# binaries, images, then docker-compose.yml's etcd and servers under a
# fresh project name (its own network and volumes) and its trainer run
# twice, finding the servers through etcd:
#   1. prepares the data (the book in the trainer's volume, the rows on
#      both feature-server replicas, the topology cut over two graph
#      servers, each server in its own Pebble volume), writes the
#      partition map to etcd and trains; `gnnctl status --etcd` must then
#      list the four members and the map;
#   2. reuses it all, and one feature server is killed (SIGKILL) while it
#      trains: its reads must move to the other replica; afterwards its
#      lease must end, taking it out of the member list;
#   3. trains mode neighbor from the same data, sampling on the graph
#      servers.
# Fails unless both runs exit 0, the first wrote and the second kept the
# data, both trained from the servers found in etcd, the second saw the
# dead replica, and both report the same test accuracy. Removes the
# project's containers and volumes at the end. Logs:
# bench/out/compose/{run-1,run-2,run-3,status-1,status-2}.log.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/compose
mkdir -p "$out"
project=gnnscale-smoke-$$
dc() { docker-compose -p "$project" "$@"; }
trap 'dc down -v >/dev/null 2>&1 || true' EXIT
make images
dc up -d etcd featurestore-0 featurestore-1 graphstore-0 graphstore-1 >"$out/up.log" 2>&1
die() { echo "compose_smoke: $*" >&2; exit 1; }
acc=()
for i in 1 2; do
  log=$out/run-$i.log
  dc run --rm -T trainer >"$log" 2>&1 &
  pid=$!
  if [ "$i" = 2 ]; then
    for _ in $(seq 600); do
      grep -q 'gas store opened' "$log" && break
      sleep 0.1
    done
    grep -q 'gas store opened' "$log" || die "run 2 did not start training (log: $log)"
    dc kill featurestore-0 >>"$out/up.log" 2>&1
  fi
  if ! wait "$pid"; then
    tail -40 "$log" >&2
    die "run $i failed (log: $log)"
  fi
  want=wrote
  [ "$i" = 2 ] && want=kept
  grep -q "^$want /data/gas" "$log" || die "run $i did not say '$want /data/gas' (log: $log)"
  grep -q 'servers from etcd.*feature_server=featurestore-0:7070|featurestore-1:7070 graph_server=graphstore-0:7071,graphstore-1:7071' "$log" ||
    die "run $i did not find the servers in etcd (log: $log)"
  grep -q 'gas store opened.*feature_server=featurestore-0:7070|featurestore-1:7070 graph_server=graphstore-0:7071,graphstore-1:7071' "$log" ||
    die "run $i did not train from the servers (log: $log)"
  grep -q 'partition map written' "$log" || die "run $i wrote no partition map to etcd (log: $log)"
  if [ "$i" = 2 ]; then
    grep -Eq '(feature server replica unavailable.*addr=featurestore-0:7070|server left the cluster.*addr=featurestore-0:7070)' "$log" ||
      die "run 2 did not report reads leaving the killed replica (log: $log)"
  fi
  # The member list: all four after run 1; after run 2, the killed
  # server's lease (3 s) must end.
  members=4
  [ "$i" = 2 ] && members=3
  status=$out/status-$i.log
  for _ in $(seq 30); do
    dc run --rm -T gnnctl status --etcd etcd:2379 >"$status" 2>&1 || true
    grep -q "^members of cluster gnnscale (etcd etcd:2379): $members\$" "$status" && break
    sleep 1
  done
  grep -q "^members of cluster gnnscale (etcd etcd:2379): $members\$" "$status" ||
    die "gnnctl status after run $i does not list $members members (log: $status)"
  grep -q 'features: .*featurestore-0:7070' "$status" || die "gnnctl status after run $i shows no partition map (log: $status)"
  a=$(grep -o 'test accuracy [0-9.]*' "$log" | tail -1)
  [ -n "$a" ] || die "run $i reported no test accuracy (log: $log)"
  acc+=("$a")
  echo "compose_smoke: run $i: $want the data, $a" >&2
done
[ "${acc[0]}" = "${acc[1]}" ] || die "the runs differ: ${acc[0]} vs ${acc[1]}"
[ "$(dc ps -q featurestore-0 | xargs docker inspect -f '{{.State.Running}}')" = false ] ||
  die "featurestore-0 was not killed"
# 3. NeighborLoader training through the same cluster: each graph shard
#    is one server, so the servers sample; the features come from
#    featurestore-1, the replica left.
log=$out/run-3.log
dc run --rm -T --no-deps trainer --set gas.store=/data/gas --set cluster.etcd=etcd:2379 --set cluster.feature_servers=1 \
  --set mode=neighbor --set 'neighbor.fanouts=[10,5]' --set 'neighbor.eval_fanouts=[10,5]' --set train.epochs=2 \
  --set output.dir=/work/runs/compose-neighbor >"$log" 2>&1 || { tail -40 "$log" >&2; die "run 3 (mode neighbor) failed (log: $log)"; }
grep -q 'neighbor sampling.*on="graph servers"' "$log" || die "run 3 did not sample on the graph servers (log: $log)"
a=$(grep -o 'test accuracy [0-9.]*' "$log" | tail -1)
[ -n "$a" ] || die "run 3 reported no test accuracy (log: $log)"
echo "compose_smoke: run 3: mode neighbor, sampled on the graph servers, $a" >&2
echo "compose_smoke: ok (servers found through etcd; run 2 trained through a feature server killed mid-run, whose lease then ended; run 3 sampled on the graph servers)" >&2
