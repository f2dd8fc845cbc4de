//! The binaries under test: `trace-gateway`, `trace-server`, `trace-emulate`.
//!
//! `cargo test --workspace` builds every package's binaries into the target directory
//! the test executable runs from (`target/debug/deps/<test>` → `target/debug/`); they are
//! used when they are newer than every source file (`src/`, `Cargo.toml`, `build.rs`) of
//! the crates they are built from and than the workspace's `Cargo.toml` and
//! `Cargo.lock`. Otherwise (`cargo test -p trace-tests` builds no other package's
//! binaries, or a source changed since) the binary is built with
//! `cargo build -p <package> --bin <bin>` into `target/e2e-bins`: a target directory of
//! its own, so the build never waits on the lock the running `cargo test` holds, and it
//! is always current.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::SystemTime;

use crate::error::{E2eError, Result};

/// A binary of the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bin {
    /// `trace-gateway` (package trace-gateway).
    Gateway,
    /// `trace-server` (package trace-server).
    Server,
    /// `trace-emulate` (package trace-emulators).
    Emulate,
}

impl Bin {
    fn name(self) -> &'static str {
        match self {
            Self::Gateway => "trace-gateway",
            Self::Server => "trace-server",
            Self::Emulate => "trace-emulate",
        }
    }

    fn package(self) -> &'static str {
        match self {
            Self::Gateway => "trace-gateway",
            Self::Server => "trace-server",
            Self::Emulate => "trace-emulators",
        }
    }

    /// The workspace crates (folders) the binary is built from.
    fn crates(self) -> &'static [&'static str] {
        match self {
            Self::Gateway => &["proto", "firmware", "hardware/emulators", "gateway"],
            Self::Server => &["proto", "server"],
            Self::Emulate => &["proto", "hardware/emulators"],
        }
    }
}

/// The workspace root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The path of a current build of `bin`, building it when needed (once per test
/// process; concurrent tests wait for the one build).
pub fn path(bin: Bin) -> Result<PathBuf> {
    static FOUND: OnceLock<Mutex<Vec<(Bin, PathBuf)>>> = OnceLock::new();
    let found = FOUND.get_or_init(|| Mutex::new(Vec::new()));
    let mut found = found.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, path)) = found.iter().find(|(b, _)| *b == bin) {
        return Ok(path.clone());
    }
    let path = match beside_tests(bin) {
        Some(path) if is_current(&path, bin) => path,
        _ => build(bin)?,
    };
    found.push((bin, path.clone()));
    Ok(path)
}

/// `target/<profile>/<bin>` of the running test executable, if it exists.
fn beside_tests(bin: Bin) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let profile_dir = exe.parent()?.parent()?;
    let path = profile_dir.join(bin.name());
    path.is_file().then_some(path)
}

fn is_current(path: &Path, bin: Bin) -> bool {
    let Some(built) = modified(path) else {
        return false;
    };
    let root = workspace();
    let mut newest = modified(&root.join("Cargo.lock")).max(modified(&root.join("Cargo.toml")));
    // What cargo compiles into the binary; a crate's tests or examples do not count.
    for dir in bin.crates() {
        let dir = root.join(dir);
        newest = newest
            .max(newest_source(&dir.join("src")))
            .max(modified(&dir.join("Cargo.toml")))
            .max(modified(&dir.join("build.rs")));
    }
    newest.is_some_and(|newest| newest <= built)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of the files under `dir`.
fn newest_source(dir: &Path) -> Option<SystemTime> {
    let mut newest = None;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return modified(dir);
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let time = if path.is_dir() {
            newest_source(&path)
        } else {
            modified(&path)
        };
        newest = newest.max(time);
    }
    newest
}

fn build(bin: Bin) -> Result<PathBuf> {
    let root = workspace();
    let target = root.join("target").join("e2e-bins");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let status = Command::new(cargo)
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", &target)
        .args(["build", "-p", bin.package(), "--bin", bin.name()])
        .status()
        .map_err(E2eError::io(format!(
            "running cargo to build {}",
            bin.name()
        )))?;
    if !status.success() {
        return Err(E2eError::Setup(format!(
            "`cargo build -p {} --bin {}` failed ({status}); see its output above",
            bin.package(),
            bin.name()
        )));
    }
    let path = target.join("debug").join(bin.name());
    if path.is_file() {
        Ok(path)
    } else {
        Err(E2eError::Setup(format!(
            "cargo built {} but {} does not exist",
            bin.name(),
            path.display()
        )))
    }
}
