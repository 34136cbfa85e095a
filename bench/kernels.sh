#!/usr/bin/env bash
# Kernel benchmarks: pkg/kernels/cpu's Go benchmarks and the same operations
# in PyTorch (bench/kernels/torch_kernels.py) on one R-MAT graph, written as
# docs/benchmarks/kernels.md. The two sides alternate group by group (gemm,
# spmm, indexed, elementwise) within each round, so a burst of load from
# other work on the machine hits both sides of a comparison alike.
#   KERNELS_ROUNDS     rounds of the spmm group (seconds per operation);
#                      indexed gets 2x, gemm and elementwise 8x as many
#                      shorter rounds (more samples where samples are
#                      cheap: the fastest round is the one least disturbed
#                      by other load; the memory-bound elementwise ops
#                      swing 0.7-1.7x from one round to the next with the
#                      host's memory bandwidth)                  default 2
#   KERNELS_THREADS    Go workers = OpenBLAS = torch threads      default 2
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${KERNELS_ROUNDS:-2}
threads=${KERNELS_THREADS:-2}
declare -A grounds=([gemm]=$((8 * rounds)) [spmm]=$rounds [indexed]=$((2 * rounds)) [elementwise]=$((8 * rounds)))
declare -A gbts=([gemm]=0.2 [spmm]=1 [indexed]=0.5 [elementwise]=0.2)
maxr=$((8 * rounds))
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
# rounds r = 1..$maxr; in each, for each group still within its round count
# (gemm ${grounds[gemm]}, spmm ${grounds[spmm]}, indexed ${grounds[indexed]}, elementwise ${grounds[elementwise]})
# with bt = ${gbts[gemm]}, ${gbts[spmm]}, ${gbts[indexed]}, ${gbts[elementwise]} seconds:
GOMAXPROCS=$threads $out/cpu.test -test.run '^\$' -test.bench "\$gore" -test.benchtime \${bt}s -test.benchmem -test.v
$py bench/kernels/torch_kernels.py --graph $out/rmat.i32 --nodes 200000 --threads $threads --min-time \$bt --only \$group
# with gore: gemm '${gore[gemm]}', spmm '${gore[spmm]}',
#   indexed '${gore[indexed]}', elementwise '${gore[elementwise]}'
CMDS

go run ./bench/kernels/rmatgen -nodes 200000 -edges 4000000 -seed 1 -out "$out/rmat.i32" >&2
go test -c -o "$out/cpu.test" ./pkg/kernels/cpu
{
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "Go $(go env GOVERSION), GOMAXPROCS=$threads, OpenBLAS threads=$threads (one per Go worker, the default), torch.set_num_threads($threads)."
  echo "Load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)."
} > "$out/machine.txt"
for r in $(seq "$maxr"); do
  for g in "${groups[@]}"; do
    [ "$r" -le "${grounds[$g]}" ] || continue
    gbt=${gbts[$g]}
    echo "== kernels round $r: $g: go, torch" >&2
    GOMAXPROCS=$threads "$out/cpu.test" -test.run '^$' -test.bench "${gore[$g]}" \
      -test.benchtime "${gbt}s" -test.benchmem -test.v > "$out/go.$r.$g.txt"
    $py -W ignore bench/kernels/torch_kernels.py --graph "$out/rmat.i32" --nodes 200000 \
      --threads "$threads" --min-time "$gbt" --only "$g" > "$out/torch.$r.$g.jsonl"
  done
done
echo "Load average after the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work shares the 2 cores; compare ratios, not absolute times). The run took $((SECONDS / 60)) min." >> "$out/machine.txt"
$py bench/kernels/report.py --dir "$out" --rounds "$maxr" --commands "$out/commands.txt" --machine "$out/machine.txt" > docs/benchmarks/kernels.md
echo "wrote docs/benchmarks/kernels.md" >&2
