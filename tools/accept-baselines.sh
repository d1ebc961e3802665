#!/usr/bin/env bash
# Regenerates every golden file under tests/Baselines/ (emitted C# and diagnostics) from what the code produces now.
# Review the result with `git diff tests/Baselines` before committing: a changed baseline is a changed behaviour.
set -euo pipefail
cd "$(dirname "$0")/.."
COND_ACCEPT_BASELINES=1 dotnet test tests/CondensationDsl.Language.Tests "$@"
find tests/Baselines -name '*.received.*' -delete
