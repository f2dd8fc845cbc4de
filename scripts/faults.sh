#!/usr/bin/env bash
# Fault-injection suite, many rounds: kill rounds against the embedded broker, the system
# Mosquitto and a Mosquitto of its own, then the full disks, the clock jumps and the
# damaged store. Prints each run's figures line ("faults …") and each test's result.
#
#   scripts/faults.sh [ROUNDS] [SEED]     defaults: 40 kill rounds per set-up, a clock seed
#
# A failing run prints its seed; FAULTS_SEED=<seed> replays its kill moments.
set -uo pipefail
cd "$(dirname "$0")/.."
export FAULTS_ROUNDS="${1:-${FAULTS_ROUNDS:-40}}"
if [[ -n "${2:-}" ]]; then export FAULTS_SEED="$2"; fi
failed=()
for suite in faults_kill_rounds faults_server_disk_full faults_corrupt_store \
  faults_clock_jump faults_gateway_budget; do
  echo "== $suite (FAULTS_ROUNDS=$FAULTS_ROUNDS${FAULTS_SEED:+ FAULTS_SEED=$FAULTS_SEED})"
  cargo test -q -p trace-tests --test "$suite" -- --nocapture --test-threads=1 2>&1 \
    | grep -E '^(faults |skipped|test result)|panicked|seed '
  if ((PIPESTATUS[0] != 0)); then failed+=("$suite"); fi
done
if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all fault suites passed"
