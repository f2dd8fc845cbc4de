#!/usr/bin/env bash
# Builds every board crate under hardware/ (each a workspace of its own, for the target
# its .cargo/config.toml names) in release, checks it with clippy, and prints the size of
# each image: flash = text + data, static RAM = data + bss (the stack comes on top).
set -euo pipefail
cd "$(dirname "$0")/.."

BOARDS=(hardware/qemu-lm3s6965 hardware/blackpill-f411)

command -v arm-none-eabi-size >/dev/null || {
  echo "arm-none-eabi-size is missing: apt-get install -y --no-install-recommends binutils-arm-none-eabi" >&2
  exit 1
}

printf '%-28s %8s %8s %8s %10s %10s\n' board text data bss flash static-ram
for board in "${BOARDS[@]}"; do
  (
    cd "$board"
    cargo fmt --check
    cargo clippy --release --quiet -- -D warnings
    cargo build --release --quiet
  )
  name=$(basename "$board")
  target=$(sed -n 's/^target = "\(.*\)"/\1/p' "$board/.cargo/config.toml")
  bin=$(sed -n 's/^name = "\(trace-board-.*\)"/\1/p' "$board/Cargo.toml" | head -n1)
  elf="${CARGO_TARGET_DIR:-$board/target}/$target/release/$bin"
  read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -n1)
  printf '%-28s %8d %8d %8d %10d %10d\n' "$name" "$text" "$data" "$bss" \
    $((text + data)) $((data + bss))
done
