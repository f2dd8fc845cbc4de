#!/usr/bin/env bash
# Host instructions per parsed frame for each reader driver, counted by callgrind (the
# same figure on every run of the same build, whatever else the machine is doing).
# Each driver's recorded session (1000 tag reads) is replayed once and three times; the
# difference over 2000 frames leaves out start-up and recording.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || {
  echo "valgrind is missing: apt-get install -y --no-install-recommends valgrind" >&2
  exit 1
}
bench=$(cargo bench -p trace-firmware --bench frame_cost --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "frame_cost" and m.get("executable"):
        print(m["executable"])')

instructions() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" "$1" "$2" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-8s %22s\n' driver instructions/frame
for driver in em4100 pn532 m100 mfrc522; do
  once=$(instructions "$driver" 1)
  thrice=$(instructions "$driver" 3)
  printf '%-8s %22d\n' "$driver" $(((thrice - once) / 2000))
done
