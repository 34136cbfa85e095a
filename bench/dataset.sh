#!/usr/bin/env bash
# Benchmarks of pkg/dataset (loader, generators) and pkg/graph (builders,
# transforms), each run side by side with its Python peer in one script
# (bench/dataset_peer.py: OGB's pandas loader, numpy R-MAT, torch CSR and
# PyG-style to_undirected). Writes docs/benchmarks/dataset.md.
# Usage: bench/dataset.sh   (GNNSCALE_DATASETS selects the real data sets)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out docs/benchmarks
PY=/usr/bin/python3
export GNNSCALE_DATASETS="${GNNSCALE_DATASETS:-$(cd .. && pwd)/shared/datasets}"
raw=bench/out/dataset.txt
: > "$raw"

gobench() { # pkg pattern
  go test "$1" -run '^$' -bench "$2" -benchtime 3x -benchmem 2>&1 | grep '^Benchmark' | tee -a "$raw"
}
peer() {
  echo "PEER $($PY bench/dataset_peer.py "$@")" | tee -a "$raw"
}

# Pairs, interleaved: ours, then the peer, for each row.
for ds in cora amazon-photo coauthor-cs; do
  gobench ./pkg/dataset "BenchmarkLoad/^${ds}\$"
  peer load "$GNNSCALE_DATASETS/$ds"
done
gobench ./pkg/dataset 'BenchmarkRMAT/raw-scale18$'
peer rmat 18 16
gobench ./pkg/graph 'BenchmarkToCSR/uniform'
peer tocsr 1048576 8388608
gobench ./pkg/graph 'BenchmarkSymmetrize/uniform'
peer symmetrize 1048576 8388608
# Ours only (no peer on the machine).
gobench ./pkg/dataset 'BenchmarkGunzip|BenchmarkParseFeatures|BenchmarkSBM|BenchmarkRMAT/symmetrized|BenchmarkRGG|BenchmarkGrid|BenchmarkWrite'
gobench ./pkg/graph 'BenchmarkSortedCSR|BenchmarkTranspose|BenchmarkCoalesce|BenchmarkGCNNorm|BenchmarkToCSR/skewed|BenchmarkSymmetrize/skewed'

load=$(cut -d' ' -f1-3 /proc/loadavg)
$PY - "$raw" "$load" > docs/benchmarks/dataset.md <<'PYEOF'
import re, sys
raw, load = sys.argv[1], sys.argv[2]
rows, pending = [], None
def fmt(s):
    return f"{s*1e3:.1f} ms" if s < 1 else f"{s:.2f} s"
peers = {
    "Load/cora": "OGB read_csv_graph_raw (pandas)", "Load/amazon-photo": "OGB read_csv_graph_raw (pandas)",
    "Load/coauthor-cs": "OGB read_csv_graph_raw (pandas)", "RMAT/raw-scale18": "numpy vectorised R-MAT",
    "ToCSR/uniform-1M-8M": "torch stable sort + bincount", "Symmetrize/uniform-1M-8M": "PyG-style to_undirected (torch)",
}
paired, alone = [], []
for line in open(raw):
    if line.startswith("PEER"):
        secs = float(line.split()[-1])
        if pending:
            name, ours, extra = pending
            paired.append((name, peers.get(name, "?"), ours, secs, extra))
            pending = None
        continue
    m = re.match(r"Benchmark(\S+?)-\d+\s+\d+\s+(\d+) ns/op(.*)", line)
    if not m:
        continue
    name, ns, rest = m.group(1), int(m.group(2)), m.group(3)
    extra = ", ".join(x.strip() for x in rest.split("\t") if x.strip() and "allocs" not in x and "B/op" not in x)
    allocs = re.search(r"(\d+) allocs/op", rest)
    if allocs:
        extra = (extra + ", " if extra else "") + allocs.group(1) + " allocs"
    if name in peers:
        pending = (name, ns / 1e9, extra)
    else:
        alone.append((name, ns / 1e9, extra))
print("## Dataset\n")
print("Loader (OGB raw layout), generators and graph builders, measured by `bench/dataset.sh`:\n")
print("```\ngo test ./pkg/dataset -run '^$' -bench <name> -benchtime 3x -benchmem")
print("go test ./pkg/graph   -run '^$' -bench <name> -benchtime 3x -benchmem")
print("/usr/bin/python3 bench/dataset_peer.py {load DIR | rmat 18 16 | tocsr 1048576 8388608 | symmetrize 1048576 8388608}\n```\n")
print("Each Go benchmark ran right before its peer. Peers take the best of 3 runs; torch uses 2 threads, pandas and numpy 1.\n")
print("| benchmark | ours | peer | peer time | peer / ours | our throughput |")
print("| --- | ---: | --- | ---: | ---: | --- |")
for name, peer, ours, theirs, extra in paired:
    print(f"| {name} | {fmt(ours)} | {peer} | {fmt(theirs)} | {theirs/ours:.1f}x | {extra} |")
print("\nWithout a peer on the machine:\n")
print("| benchmark | time | throughput |")
print("| --- | ---: | --- |")
for name, ours, extra in alone:
    print(f"| {name} | {fmt(ours)} | {extra} |")
print(f"\nMachine: 2 cores, 24 GiB, shared with other jobs; load average at the end of the run: {load}.")
print("Absolute times are noisy; the ratios come from back-to-back runs.")
PYEOF
echo "wrote docs/benchmarks/dataset.md" >&2
