//! The demo's gateway processes: finding the `trace-gateway` binary, generating keys
//! with it, and running `trace-gateway simulate` with its output in a log file. The
//! server does not link the gateway; it runs it, as a site would.

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The gateway's binary name.
const GATEWAY: &str = "trace-gateway";
/// Longest a simulating gateway lives (longer than any phase and recall wait).
const LIFETIME_SECS: u64 = 600;
/// How to get it, for error messages.
const BUILD_HINT: &str = "build it with `cargo build --release -p trace-gateway -p trace-server` \
     (or `cargo build -p trace-gateway` for a debug build), or give --gateway-bin PATH";

/// Why a gateway could not be run.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// No binary was found.
    #[error("no {GATEWAY} binary next to this program or on PATH: {BUILD_HINT}")]
    NotFound,
    /// The binary given does not exist.
    #[error("--gateway-bin {0}: no such file; {BUILD_HINT}")]
    Missing(PathBuf),
    /// Starting it failed.
    #[error("cannot run {path}: {source}")]
    Start {
        /// The binary.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `keygen` failed or printed no public key.
    #[error("{GATEWAY} keygen --out {key}: {why}")]
    Keygen {
        /// The key file asked for.
        key: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// The log file cannot be created.
    #[error("cannot create log file {path}: {source}")]
    Log {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The `trace-gateway` to run: `explicit` if given, else the one beside `current_exe`,
/// else the first on `path` (the `PATH` variable's value).
pub fn find_gateway(
    explicit: Option<&Path>,
    current_exe: Option<&Path>,
    path: Option<OsString>,
) -> Result<PathBuf, SpawnError> {
    if let Some(bin) = explicit {
        return if bin.is_file() {
            Ok(bin.to_path_buf())
        } else {
            Err(SpawnError::Missing(bin.to_path_buf()))
        };
    }
    let beside = current_exe
        .and_then(Path::parent)
        .map(|dir| dir.join(GATEWAY));
    let on_path = path
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(GATEWAY));
    beside
        .into_iter()
        .chain(on_path)
        .find(|candidate| candidate.is_file())
        .ok_or(SpawnError::NotFound)
}

/// Runs `gateway keygen --out key` and returns the public key it prints (64 hex digits).
pub fn keygen(gateway: &Path, key: &Path) -> Result<String, SpawnError> {
    let output = Command::new(gateway)
        .arg("keygen")
        .arg("--out")
        .arg(key)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| SpawnError::Start {
            path: gateway.to_path_buf(),
            source,
        })?;
    let keygen_error = |why: String| SpawnError::Keygen {
        key: key.to_path_buf(),
        why,
    };
    if !output.status.success() {
        return Err(keygen_error(format!(
            "{}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    public_key(&String::from_utf8_lossy(&output.stdout))
        .ok_or_else(|| keygen_error("no `public key:` line in its output".into()))
}

/// The key from keygen's `public key: <hex>` line.
fn public_key(stdout: &str) -> Option<String> {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("public key:"))
        .map(|key| key.trim().to_owned())
        .filter(|key| key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A running `trace-gateway simulate`; dropping it kills the process. Killing loses
/// nothing here: the demo stops a gateway only once the server has stored its events.
pub struct GatewayProcess {
    child: Child,
    log: PathBuf,
}

impl GatewayProcess {
    /// Starts `gateway simulate --config … --scenario …`, output to `log`.
    pub fn simulate(
        gateway: &Path,
        config: &Path,
        scenario: &Path,
        log: &Path,
    ) -> Result<Self, SpawnError> {
        let log_error = |source| SpawnError::Log {
            path: log.to_path_buf(),
            source,
        };
        let stderr = File::create(log).map_err(log_error)?;
        let stdout = stderr.try_clone().map_err(log_error)?;
        let child = Command::new(gateway)
            .arg("simulate")
            .arg("--config")
            .arg(config)
            .arg("--scenario")
            .arg(scenario)
            // A safety net only: the demo stops its gateways itself, but one orphaned by
            // a killed demo ends on its own.
            .arg("--seconds")
            .arg(LIFETIME_SECS.to_string())
            .env("RUST_LOG", "info,rumqttc=warn")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .map_err(|source| SpawnError::Start {
                path: gateway.to_path_buf(),
                source,
            })?;
        Ok(Self {
            child,
            log: log.to_path_buf(),
        })
    }

    /// The process's exit status if it has ended (it should not before it is stopped).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Its log file.
    pub fn log(&self) -> &Path {
        &self.log
    }
}

impl Drop for GatewayProcess {
    fn drop(&mut self) {
        // Already ended is fine; a kill error then only says so.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_key_line_is_read_and_checked() {
        let key = "ab".repeat(32);
        let out = format!("wrote /tmp/k\npublic key: {key}\n");
        assert_eq!(public_key(&out), Some(key));
        assert_eq!(public_key("public key: xyz\n"), None);
        assert_eq!(public_key("wrote /tmp/k\n"), None);
    }

    #[test]
    fn a_missing_binary_says_how_to_build_it() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("trace-server");
        let err = find_gateway(None, Some(&exe), Some(dir.path().into())).unwrap_err();
        assert!(
            err.to_string()
                .contains("cargo build --release -p trace-gateway")
        );
        let gateway = dir.path().join(GATEWAY);
        std::fs::write(&gateway, "").unwrap();
        assert_eq!(find_gateway(None, Some(&exe), None).unwrap(), gateway);
        let other = dir.path().join("nowhere");
        assert!(matches!(
            find_gateway(Some(&other), Some(&exe), None),
            Err(SpawnError::Missing(_))
        ));
    }
}
