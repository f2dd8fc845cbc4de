//! A Mosquitto process of the test's own on an ephemeral loopback port, for killing the
//! broker (the system Mosquitto on 1883 is shared and never killed). In-memory only
//! (`persistence false`): a killed broker forgets every session and queued message,
//! the harshest case for the clients.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::error::{E2eError, Result};
use crate::process::Process;
use crate::wait::{LIVENESS, wait_for};

/// Where Debian puts the broker when it is not on `PATH`.
const SBIN: &str = "/usr/sbin/mosquitto";

/// A running Mosquitto; SIGKILLed on drop.
#[derive(Debug)]
pub struct Mosquitto {
    process: Process,
}

impl Mosquitto {
    /// Starts Mosquitto on `addr` (a loopback address), its configuration and log in
    /// `dir`, and waits until it accepts connections.
    pub fn start(addr: SocketAddr, dir: &Path) -> Result<Self> {
        let config = dir.join("mosquitto.conf");
        let text = format!(
            "listener {} {}\nallow_anonymous true\npersistence false\nlog_dest stderr\n",
            addr.port(),
            addr.ip()
        );
        std::fs::write(&config, text)
            .map_err(E2eError::io(format!("writing {}", config.display())))?;
        let mut command = Command::new(binary()?);
        command.arg("-c").arg(&config);
        let mut process = Process::spawn("mosquitto", command, &dir.join("mosquitto.log"))?;
        wait_for("mosquitto to listen", LIVENESS, || {
            process.check_running("starting")?;
            Ok(
                TcpStream::connect_timeout(&addr, Duration::from_millis(200))
                    .map(drop)
                    .map_err(|e| e.to_string()),
            )
        })?;
        Ok(Self { process })
    }

    /// SIGKILL.
    pub fn kill(&mut self) {
        self.process.kill();
    }
}

fn binary() -> Result<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("mosquitto"))
            .find(|path| path.is_file())
    });
    on_path
        .or_else(|| Some(PathBuf::from(SBIN)).filter(|path| path.is_file()))
        .ok_or_else(|| {
            E2eError::Setup(
                "no mosquitto binary: apt-get install mosquitto (scripts/test.sh does)".into(),
            )
        })
}
