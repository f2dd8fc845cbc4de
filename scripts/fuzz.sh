#!/usr/bin/env bash
# Runs every cargo-fuzz target under tests/fuzz for SECONDS each (default 60) and prints
# one line per target: executions, executions/s, corpus size, and the verdict. New corpus
# entries go to tests/fuzz/corpus/<target>/ (not committed); the committed seeds and fixed
# crashes in tests/fuzz/regressions/<target>/ are read as a second corpus. A crash leaves
# its input in tests/fuzz/artifacts/<target>/; copy it into regressions/ once fixed.
# CI runs `scripts/fuzz.sh 10` as a smoke run. Needs the nightly toolchain (sanitizers).
set -euo pipefail
cd "$(dirname "$0")/../tests/fuzz"
seconds=${1:-60}

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
cargo +nightly fuzz build -O

failed=()
printf '%-16s %12s %10s %8s  %s\n' target executions exec/s corpus verdict
for target in $(cargo +nightly fuzz list); do
  mkdir -p "corpus/$target" "regressions/$target"
  log=$(mktemp)
  if cargo +nightly fuzz run -O "$target" "corpus/$target" "regressions/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    verdict=ok
  else
    verdict="FAILED (see tests/fuzz/artifacts/$target/)"
    failed+=("$target")
    grep -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log" | head -n 5 >&2 || true
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  corpus=$(find "corpus/$target" -type f | wc -l)
  printf '%-16s %12s %10s %8s  %s\n' "$target" "${runs:-?}" "${per_second:-?}" "$corpus" "$verdict"
  rm -f "$log"
done
if ((${#failed[@]})); then
  echo "fuzz targets failed: ${failed[*]}" >&2
  exit 1
fi
