#!/usr/bin/env bash
# Runs every test of rfid-trace on a fresh Debian machine with rustup: installs what the tests
# need (rustup targets, Debian packages), then runs the workspace tests, the no_std builds and
# the benchmarks in test mode (each benchmark once, to prove it runs; figures come from
# `cargo bench`).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# Embedded targets: trace-proto without features must build for the smallest of them.
EMBEDDED_TARGETS=(thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf)
# Debian packages the tests need: QEMU boots the firmware image in trace-tests'
# qemu_firmware and e2e tests, binutils measures the board images (scripts/build-boards.sh),
# Mosquitto is the system broker trace-tests' e2e_firmware_chain publishes through, Chromium
# and its WebDriver run trace-server's web_pages test (a CJK font so its screenshots show
# Chinese), valgrind counts the drivers' instructions per frame (scripts/frame-cost.sh).
APT_PACKAGES=(qemu-system-arm binutils-arm-none-eabi mosquitto chromium chromium-driver fonts-wqy-zenhei valgrind)

step "set-up: rustup targets ${EMBEDDED_TARGETS[*]}"
rustup target add "${EMBEDDED_TARGETS[@]}"
if ((${#APT_PACKAGES[@]})); then
  step "set-up: apt packages ${APT_PACKAGES[*]}"
  missing=()
  for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

# Debian starts Mosquitto as a service; where no init system did (containers), start it
# without a configuration: loopback only, port 1883.
if ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
  step "set-up: Mosquitto on 127.0.0.1:1883"
  "$(command -v mosquitto || echo /usr/sbin/mosquitto)" -d
fi

step "workspace tests (default features)"
cargo test --workspace --all-targets

step "doc tests"
cargo test --workspace --doc

step "trace-proto without an allocator, and with alloc only"
cargo test -p trace-proto --no-default-features
cargo test -p trace-proto --no-default-features --features alloc

step "no_std builds for the embedded targets"
for target in "${EMBEDDED_TARGETS[@]}"; do
  cargo build -p trace-proto --no-default-features --target "$target"
  cargo build -p trace-firmware --target "$target"
done

step "all tests passed"
