#!/usr/bin/env bash
# GPU check for a machine with an NVIDIA GPU (no network needed once packages are restored): builds in Release, runs
# the kernel tests with the CUDA conformance suites enabled (COND_CUDA_TESTS=1: dense, convolution, pooling,
# cross-entropy, batch-norm, residual and optimizer kernels against float64 references), then times the kernels on CUDA
# (GEMM GFLOP/s at a few sizes; one W1 training step: m = 1000, 80 points, Adam). Finishes in well under 5 minutes.
#
#   tools/gpu-check.sh              build the solution in Release, test, bench
#   tools/gpu-check.sh --prebuilt   skip the build: use an existing Release build of the Kernels tests
#                                   (for a machine without a NuGet cache: build here, carry tests/*/bin and src/*/bin)
set -uo pipefail
cd "$(dirname "$0")/.."

tests_dll=tests/CondensationDsl.Kernels.Tests/bin/Release/net10.0/CondensationDsl.Kernels.Tests.dll
status=0
step() { printf '\n== %s (%s)\n' "$1" "$(date +%T)"; }

step "GPU"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader || true
else
  echo "nvidia-smi not found: the CUDA tests will be skipped and the bench will fail"
fi
dotnet --version || { echo "no .NET SDK on PATH"; exit 1; }

if [[ "${1:-}" != "--prebuilt" ]]; then
  step "build (Release)"
  sln=$(ls -1 *.sln *.slnx 2>/dev/null | head -n1)
  timeout 180 dotnet build "${sln:-tests/CondensationDsl.Kernels.Tests}" -c Release --nologo -v quiet -clp:ErrorsOnly \
    || { echo "build failed"; exit 1; }
fi
[[ -f "$tests_dll" ]] || { echo "missing $tests_dll"; exit 1; }

step "kernel tests with the CUDA conformance suite (COND_CUDA_TESTS=1)"
COND_CUDA_TESTS=1 timeout 150 dotnet test tests/CondensationDsl.Kernels.Tests -c Release --no-build --nologo \
  --logger "console;verbosity=normal" 2>&1 | tee /tmp/gpu-check-tests.log | grep -E '^\s+(Passed|Failed|Skipped) |Error Message|expected|Total|Passed!|Failed!' 
test_rc=${PIPESTATUS[0]}
passed=$(grep -cE '^\s+Passed ' /tmp/gpu-check-tests.log); failed=$(grep -cE '^\s+Failed ' /tmp/gpu-check-tests.log)
skipped_cuda=$(grep -cE '^\s+Skipped .*Cuda[A-Za-z]*ConformanceTests' /tmp/gpu-check-tests.log)
echo "kernel tests: $passed passed, $failed failed; CUDA suite tests skipped: $skipped_cuda (full log: /tmp/gpu-check-tests.log)"
[[ $test_rc -eq 0 ]] || status=1
[[ $skipped_cuda -eq 0 ]] || { echo "the CUDA suite was skipped: no CUDA device visible to ILGPU"; status=1; }

step "bench (cuda)"
timeout 120 dotnet "$tests_dll" --bench --device cuda || status=1

step "done: $([[ $status -eq 0 ]] && echo OK || echo FAILED)"
exit $status
