#!/usr/bin/env bash
# Kernel benchmarks: pkg/kernels/cpu's Go benchmarks and the same operations
# in PyTorch (bench/kernels/torch_kernels.py) on one R-MAT graph, written as
# docs/benchmarks/kernels.md. The two sides alternate group by group (gemm,
# spmm, indexed, elementwise) within each round, so a burst of load from
# other work on the machine hits both sides of a comparison alike.
#   KERNELS_ROUNDS     rounds of the spmm group; the cheaper groups (gemm,
#                      indexed, elementwise) get twice as many     default 2
#   KERNELS_THREADS    Go workers = OpenBLAS = torch threads      default 2
#   KERNELS_BENCHTIME  go test -benchtime / torch --min-time (s)  default 1
#                      (half of it for the cheaper groups)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${KERNELS_ROUNDS:-2}
threads=${KERNELS_THREADS:-2}
bt=${KERNELS_BENCHTIME:-1}
out=bench/out/kernels
mkdir -p "$out" docs/benchmarks
rm -f "$out"/go.*.txt "$out"/torch.*.jsonl
py=/usr/bin/python3
groups=(gemm spmm indexed elementwise)
declare -A gore=(
  [gemm]='^BenchmarkGemm$'
  [spmm]='^Benchmark(SpMM|SpMMBackward|EdgeDot|SegmentSoftmax)$'
  [indexed]='^Benchmark(Gather|ScatterAdd)$'
  [elementwise]='^BenchmarkElementwise$'
)

cat > "$out/commands.txt" <<CMDS
go run ./bench/kernels/rmatgen -nodes 200000 -edges 4000000 -seed 1 -out $out/rmat.i32
go test -c -o $out/cpu.test ./pkg/kernels/cpu
# $((2 * rounds)) rounds; in each, for group in ${groups[*]} (spmm only in the first $rounds),
# with bt = $bt for spmm and $(awk "BEGIN{print $bt/2}") for the others:
GOMAXPROCS=$threads $out/cpu.test -test.run '^\$' -test.bench "\$gore" -test.benchtime \${bt}s -test.benchmem -test.v
$py bench/kernels/torch_kernels.py --graph $out/rmat.i32 --nodes 200000 --threads $threads --min-time \$bt --only \$group
# with gore: gemm '${gore[gemm]}', spmm '${gore[spmm]}',
#   indexed '${gore[indexed]}', elementwise '${gore[elementwise]}'
CMDS

go run ./bench/kernels/rmatgen -nodes 200000 -edges 4000000 -seed 1 -out "$out/rmat.i32" >&2
go test -c -o "$out/cpu.test" ./pkg/kernels/cpu
{
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "Go $(go env GOVERSION), GOMAXPROCS=$threads, OpenBLAS threads=$threads, torch.set_num_threads($threads)."
  echo "Load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)."
} > "$out/machine.txt"
half=$(awk "BEGIN{print $bt/2}")
for r in $(seq $((2 * rounds))); do
  for g in "${groups[@]}"; do
    gbt=$half
    if [ "$g" = spmm ]; then
      [ "$r" -le "$rounds" ] || continue
      gbt=$bt
    fi
    echo "== kernels round $r: $g: go, torch" >&2
    GOMAXPROCS=$threads "$out/cpu.test" -test.run '^$' -test.bench "${gore[$g]}" \
      -test.benchtime "${gbt}s" -test.benchmem -test.v > "$out/go.$r.$g.txt"
    $py -W ignore bench/kernels/torch_kernels.py --graph "$out/rmat.i32" --nodes 200000 \
      --threads "$threads" --min-time "$gbt" --only "$g" > "$out/torch.$r.$g.jsonl"
  done
done
echo "Load average after the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work shares the 2 cores; compare ratios, not absolute times)." >> "$out/machine.txt"
$py bench/kernels/report.py --dir "$out" --rounds $((2 * rounds)) --commands "$out/commands.txt" --machine "$out/machine.txt" > docs/benchmarks/kernels.md
echo "wrote docs/benchmarks/kernels.md" >&2
