//! Puts `memory.x` where cortex-m-rt's `link.x` looks for it, and links with `link.x`
//! (here rather than in `.cargo/config.toml`, so a `RUSTFLAGS` from the environment
//! cannot drop it).

use std::{env, fs, path::PathBuf};

fn main() -> std::io::Result<()> {
    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or(std::io::ErrorKind::NotFound)?);
    fs::write(out.join("memory.x"), include_bytes!("memory.x"))?;
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg=-Tlink.x");
    println!("cargo:rerun-if-changed=memory.x");
    Ok(())
}
