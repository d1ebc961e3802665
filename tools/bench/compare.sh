#!/usr/bin/env bash
# Side-by-side speed comparison of a workload: our `cond run` process against the reference PyTorch process.
#   tools/bench/compare.sh w1_two_layer_1d [pairs]
# Method: build once (Release), one warm-up run of each (this also fills the compile cache), then `pairs` (default 5)
# alternating pairs ours/theirs, each timed as a whole process from start to exit. Prints every pair and the median,
# min and max of the ratio theirs/ours, plus our cold-start overhead (process start to first training step) with a
# cold and a warm compile cache.
# The reference scripts come from $COND_BENCH_REFERENCE (default ../shared/bench/pytorch beside the checkout) and run
# under Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread).
set -euo pipefail
cd "$(dirname "$0")/../.."
workload="${1:?usage: tools/bench/compare.sh <workload> [pairs]}"
pairs="${2:-5}"
reference="${COND_BENCH_REFERENCE:-$(pwd)/../shared/bench/pytorch}"
python="${COND_BENCH_PYTHON:-/usr/bin/python3}"

case "$workload" in
  w1_two_layer_1d)
    theirs=(env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread "$python" "$reference/w1_two_layer_1d.py" --width 1000 --steps 10000 --threads 2) ;;
  w4_sweep)
    theirs=(env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread "$python" "$reference/w1_two_layer_1d.py" --width 100 --steps 2000 --trials 50 --threads 2) ;;
  w2_cnn_fmnist)
    theirs=(env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp "$python" "$reference/w2_cnn_fmnist.py" --threads 2) ;;
  *) echo "unknown workload '$workload' (known: w1_two_layer_1d, w4_sweep, w2_cnn_fmnist)" >&2; exit 2 ;;
esac

dotnet build src/CondensationDsl.Cli -c Release -nologo -v quiet >/dev/null
cond="src/CondensationDsl.Cli/bin/Release/net10.0/cond"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
export COND_CACHE_DIR="$out/cache"
# Figures and report are skipped: the reference script makes none (their cost is measured separately, see README).
ours=("$cond" run "tools/bench/$workload.cond" --device cpu --quiet --no-report -o "$out/run")

seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "command failed: $*" >&2; exit 1; }; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'; }

# Cold-start overhead: the program reports the time from process start to its first training step in run.json.
rm -rf "$COND_CACHE_DIR" "$out/run"
"${ours[@]}" >/dev/null
# A sweep has one run.json per cell: the cell that started first (earliest startUtc) carries the process's start-up.
first_run_json() {
  for f in $(find "$out/run" -name run.json); do
    printf '%s %s\n' "$(grep -o '"startUtc": *"[^"]*"' "$f" | grep -o '[0-9T:.Z-]*"$')" "$f"
  done | sort | head -1 | cut -d' ' -f2
}
cold=$(grep -o '"startupSeconds": *[0-9.eE+-]*' "$(first_run_json)" | grep -o '[0-9.eE+-]*$' || echo "?")
rm -rf "$out/run"
"${ours[@]}" >/dev/null
warm=$(grep -o '"startupSeconds": *[0-9.eE+-]*' "$(first_run_json)" | grep -o '[0-9.eE+-]*$' || echo "?")
echo "start-up to first step: cold cache ${cold} s, warm cache ${warm} s"

seconds "${theirs[@]}" >/dev/null   # warm-up of theirs (ours was warmed above)
ratios=()
for i in $(seq 1 "$pairs"); do
  rm -rf "$out/run"; a=$(seconds "${ours[@]}")
  [ -n "${COND_BENCH_VERBOSE:-}" ] && grep -E "startupSeconds|wallSeconds" "$out/run/run.json" && ls "$COND_CACHE_DIR"
  b=$(seconds "${theirs[@]}")
  r=$(awk -v a="$a" -v b="$b" 'BEGIN { print b / a }')
  ratios+=("$r")
  printf 'pair %d: ours %.3f s, pytorch %.3f s, ratio %.2f\n' "$i" "$a" "$b" "$r"
done
printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "ratio pytorch/ours over %d pairs: median %.2f (min %.2f, max %.2f)\n", NR, m, v[1], v[NR] }'
