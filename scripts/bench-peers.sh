#!/usr/bin/env bash
# Measures the peers that BENCHMARKS.md compares trace-proto with, on this machine:
#   - npm `epc-tds` 1.4.1: SGTIN-96 hex → pure-identity URI;
#   - PyPI `biip` 5.2.0: GS1 element-string parse (raw and bracketed).
# Installs them into a throw-away folder (deleted on exit; nothing is committed) and prints
# nanoseconds per operation. The same operations in Rust: `cargo bench -p trace-proto`.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

npm init -y >/dev/null
npm install --silent --no-audit --no-fund epc-tds@1.4.1 >/dev/null
node - <<'JS'
const tds = require('epc-tds');
const hex = '3074257BF7194E4000001A85';
if (tds.valueOf(hex).toIdURI() !== 'urn:epc:id:sgtin:0614141.812345.6789') throw new Error('wrong decode');
function bench(name, f) {
  for (let i = 0; i < 200000; i++) f();              // warm-up for the JIT
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const n = 1000000, t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / n);
  }
  console.log(`epc-tds ${name}: ${best.toFixed(1)} ns/op (best of 5 × 1e6)`);
}
bench('SGTIN-96 hex -> id URI', () => tds.valueOf(hex).toIdURI());
JS

python3 -m venv venv
./venv/bin/pip install --quiet biip==5.2.0
./venv/bin/python - <<'PY'
import timeit
from biip.gs1_messages import GS1Message
raw = "010703206980498815210526100329"
hri = "(01)07032069804988(15)210526(10)0329"
assert GS1Message.parse(raw).as_hri() == hri
assert GS1Message.parse_hri(hri).as_hri() == hri
for name, stmt in [("raw", lambda: GS1Message.parse(raw)),
                   ("bracketed", lambda: GS1Message.parse_hri(hri))]:
    n = 20000
    best = min(timeit.repeat(stmt, number=n, repeat=5)) / n
    print(f"biip element-string parse ({name}): {best * 1e9:.0f} ns/op (best of 5 × {n})")
PY
