#!/usr/bin/env bash
# Runs every cargo-fuzz target under tests/fuzz for SECONDS each (default 60) and prints
# one line per target: executions, executions/s, corpus size, and the verdict.
#
#   scripts/fuzz.sh [SECONDS] [SANITIZER]
#
# SANITIZER is cargo-fuzz's: `address` (the default, for campaigns) or `none`. CI runs
# `scripts/fuzz.sh 10 none` as a smoke run of every target. Our crates deny unsafe code, so
# they fail by panicking, which libFuzzer catches without a sanitizer; AddressSanitizer
# watches the dependencies' unsafe and C code, at the price of a build of the whole server
# (aws-lc-sys included) of ~30 min on two cores. Both keep debug assertions and overflow
# checks on.
#
# New corpus entries go to tests/fuzz/corpus/<target>/ (not committed); the committed seeds
# and fixed crashes in tests/fuzz/regressions/<target>/ are read as a second corpus. A crash
# leaves its input in tests/fuzz/artifacts/<target>/; copy it into regressions/ once fixed.
# Installs what it needs: the pinned nightly (sanitizer flags) and cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")/../tests/fuzz"
seconds=${1:-60}
sanitizer=${2:-address}
# A dated nightly, so a new nightly cannot break the build between two runs.
toolchain=nightly-2026-05-20
cargo_fuzz_version=0.13.2

rustup toolchain list | grep -q "^$toolchain" || rustup toolchain install "$toolchain" --profile minimal
if ! cargo fuzz --version 2>/dev/null | grep -q "$cargo_fuzz_version"; then
  cargo install cargo-fuzz --locked --version "$cargo_fuzz_version"
fi
# Sixteen codegen units: the build is most of a short run's time.
fuzz=(cargo "+$toolchain" fuzz)
build_flags=(--sanitizer "$sanitizer" --codegen-units 16)
"${fuzz[@]}" build "${build_flags[@]}"

failed=()
printf '%-16s %12s %10s %8s  %s\n' target executions exec/s corpus verdict
for target in $("${fuzz[@]}" list); do
  mkdir -p "corpus/$target" "regressions/$target"
  log=$(mktemp)
  if "${fuzz[@]}" run "${build_flags[@]}" "$target" "corpus/$target" "regressions/$target" -- \
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
