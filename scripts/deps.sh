#!/usr/bin/env bash
# Installs the Debian packages a make target needs, only when missing.
#   scripts/deps.sh build   cgo BLAS (OpenBLAS headers and library)
#   scripts/deps.sh test    build + what the tests start (metis for partition checks)
#   scripts/deps.sh bench   test + the peers the benchmarks compare against
#   scripts/deps.sh proto   protoc, for regenerating the committed .pb.go files
set -euo pipefail

want=(libopenblas-dev)
case "${1:-build}" in
  build) ;;
  test) want+=(metis) ;;
  bench) want+=(metis python3-torch python3-numpy python3-pandas redis-server hyperfine time) ;;
  proto) want=(protobuf-compiler) ;;
  *) echo "deps.sh: unknown profile '$1' (build, test, bench, proto)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
