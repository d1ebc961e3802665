#!/usr/bin/env bash
# Builds the solution and runs every test project, then prints one honest summary line computed from the
# TRX results: "N passed, N failed, N skipped". Exits non-zero on any failure or on a test project that
# produced no results (a crashed test host counts as failed, never as silently passed).
#   tools/test.sh                 the suite CI runs
#   COND_BROWSER_TESTS=1, COND_CUDA_TESTS=1, COND_PERF=1 enable the checks that need Chromium, a CUDA GPU, a quiet machine
#   tools/test.sh --filter X      extra arguments go to `dotnet test`
set -uo pipefail
cd "$(dirname "$0")/.."

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

if ! dotnet build CondensationDsl.sln -c Release -nologo -v quiet; then
  echo "0 passed, 1 failed (the build failed)"
  exit 1
fi

dotnet test CondensationDsl.sln -c Release --no-build -nologo --logger trx --results-directory "$results" "$@"
status=$?

passed=0; failed=0; skipped=0; reports=0
for report in "$results"/*.trx; do
  [ -e "$report" ] || continue
  reports=$((reports + 1))
  counters="$(grep -o '<Counters [^>]*>' "$report" | head -n 1)"
  value() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  skipped=$((skipped + $(value total) - $(value executed)))
done

projects=$(ls tests/*/*.csproj tests/*/*.fsproj 2>/dev/null | wc -l)
if [ "$reports" -lt "$projects" ]; then
  echo "$((projects - reports)) of $projects test projects produced no results (crashed test host?)"
  failed=$((failed + projects - reports))
fi

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi
