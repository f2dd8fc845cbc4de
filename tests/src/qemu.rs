//! The QEMU board (`hardware/qemu-lm3s6965`) as a process: its firmware image, built
//! with cargo in the board's own workspace, booted under `qemu-system-arm` with its
//! reader UARTs (1 and 2) connected to emulators' TCP servers and its gateway UART (0)
//! on a socket the test listens on or on a pseudo-terminal a gateway opens as its
//! serial port.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use crate::error::{E2eError, Result};
use crate::wait::wait_for;

/// The board crate, built for its target in its own folder.
const BOARD_DIR: &str = "../hardware/qemu-lm3s6965";
const BOARD_BIN: &str = "trace-board-qemu-lm3s6965";
const QEMU: &str = "qemu-system-arm";
/// What QEMU prints on stdout for a `-serial pty` UART.
const PTY_LINE: &str = "char device redirected to ";

/// Where the board's gateway UART (UART0) goes.
#[derive(Debug, Clone, Copy)]
pub enum GatewayUart {
    /// QEMU connects to this TCP address.
    Socket(SocketAddr),
    /// QEMU opens a pseudo-terminal and prints its path.
    Pty,
}

/// Builds the release image once per test process (cargo's own freshness check makes it
/// quick when nothing changed) and returns the ELF's path, as cargo reports it.
pub fn firmware_image() -> Result<PathBuf> {
    static IMAGE: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    IMAGE
        .get_or_init(|| build_image().map_err(|e| e.to_string()))
        .clone()
        .map_err(E2eError::Setup)
}

fn build_image() -> Result<PathBuf> {
    let board = Path::new(env!("CARGO_MANIFEST_DIR")).join(BOARD_DIR);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let output = Command::new(cargo)
        .current_dir(&board)
        .args([
            "build",
            "--release",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(E2eError::io("running cargo to build the board image"))?;
    if !output.status.success() {
        return Err(E2eError::Setup(format!(
            "building {} failed ({})",
            board.display(),
            output.status
        )));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| message["target"]["name"] == BOARD_BIN)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| E2eError::Setup("cargo named no board executable".to_owned()))
}

/// Fails, loudly, when QEMU is missing: CI installs it, so a skip would hide a broken
/// set-up.
pub fn require_qemu() -> Result<()> {
    let missing = |why: String| {
        E2eError::Setup(format!(
            "{QEMU} is needed ({why}): apt-get install -y --no-install-recommends \
             qemu-system-arm binutils-arm-none-eabi (scripts/test.sh does this)"
        ))
    };
    match Command::new(QEMU).arg("--version").output() {
        Ok(output) if output.status.success() => Ok(()),
        Ok(output) => Err(missing(format!("--version: {}", output.status))),
        Err(error) => Err(missing(error.to_string())),
    }
}

/// A running QEMU board; killed when dropped.
#[derive(Debug)]
pub struct QemuBoard {
    child: Child,
    output: Arc<Mutex<String>>,
}

impl QemuBoard {
    /// Boots the image with UART0 on `gateway` and UART1, UART2 connected to `readers`
    /// (board ports 0 and 1). With [`GatewayUart::Socket`] something must accept the
    /// connection: QEMU connects every socket before the core starts, so nothing the
    /// firmware sends is lost.
    pub fn boot(gateway: GatewayUart, readers: [SocketAddr; 2]) -> Result<Self> {
        require_qemu()?;
        let image = firmware_image()?;
        let mut command = Command::new(QEMU);
        command.args(["-machine", "lm3s6965evb", "-cpu", "cortex-m3"]);
        command.args(["-display", "none", "-monitor", "none"]);
        command.args(["-semihosting-config", "enable=on,target=native"]);
        match gateway {
            GatewayUart::Socket(addr) => socket_uart(&mut command, 0, addr),
            GatewayUart::Pty => {
                command.args(["-serial", "pty"]);
            }
        }
        for (i, addr) in readers.into_iter().enumerate() {
            socket_uart(&mut command, i + 1, addr);
        }
        command.arg("-kernel").arg(&image);
        command.stdin(Stdio::null());
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(E2eError::io("starting qemu-system-arm"))?;
        let output = Arc::new(Mutex::new(String::new()));
        // QEMU names the pty on stdout, its errors on stderr: one log of both.
        if let Some(pipe) = child.stdout.take() {
            collect(pipe, &output);
        }
        if let Some(pipe) = child.stderr.take() {
            collect(pipe, &output);
        }
        Ok(Self { child, output })
    }

    /// The pseudo-terminal QEMU opened for UART0 ([`GatewayUart::Pty`]).
    pub fn gateway_pty(&mut self, timeout: Duration) -> Result<PathBuf> {
        wait_for("QEMU to name its UART0 pseudo-terminal", timeout, || {
            self.check_running()?;
            let text = self.output();
            Ok(text
                .lines()
                .find_map(|line| line.split(PTY_LINE).nth(1))
                .and_then(|rest| rest.split_whitespace().next())
                .map(PathBuf::from)
                .ok_or(text))
        })
    }

    /// Fails if QEMU has exited.
    pub fn check_running(&mut self) -> Result<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(E2eError::Exited {
                name: format!("{QEMU} ({status})"),
                what: "the board was needed".to_owned(),
                log_tail: self.output(),
            }),
            Err(e) => Err(E2eError::io("checking on QEMU")(e)),
        }
    }

    /// Waits for QEMU to exit by itself (the firmware's semihosting exit).
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<ExitStatus> {
        wait_for("the firmware to exit QEMU", timeout, || {
            Ok(match self.child.try_wait() {
                Ok(Some(status)) => Ok(status),
                Ok(None) => Err(self.output()),
                Err(e) => return Err(E2eError::io("waiting for QEMU")(e)),
            })
        })
    }

    /// What QEMU printed so far (stdout and stderr).
    pub fn output(&self) -> String {
        self.output
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Appends the lines of `pipe` to `sink` on a thread of its own.
fn collect(pipe: impl std::io::Read + Send + 'static, sink: &Arc<Mutex<String>>) {
    let sink = Arc::clone(sink);
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(std::io::Result::ok) {
            let mut text = sink.lock().unwrap_or_else(PoisonError::into_inner);
            text.push_str(&line);
            text.push('\n');
        }
    });
}

fn socket_uart(command: &mut Command, index: usize, addr: SocketAddr) {
    let (ip, port) = (addr.ip(), addr.port());
    command.arg("-chardev");
    command.arg(format!(
        "socket,id=u{index},host={ip},port={port},nodelay=on"
    ));
    command.args(["-serial", &format!("chardev:u{index}")]);
}

impl Drop for QemuBoard {
    fn drop(&mut self) {
        // Errors mean QEMU already exited.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
