//! The QEMU board as a test fixture: builds its image, boots it under
//! `qemu-system-arm` with the gateway UART on a socket the test listens on and each
//! reader UART connected to an emulator's TCP server, and ends it.

mod gateway;

use std::ffi::OsString;
use std::io::{ErrorKind, Read};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

pub use gateway::Gateway;

/// The board crate, built for its target in its own folder.
const BOARD_DIR: &str = "../hardware/qemu-lm3s6965";
const BOARD_BIN: &str = "trace-board-qemu-lm3s6965";
const QEMU: &str = "qemu-system-arm";
/// Liveness guard for QEMU starting, connecting and exiting; never reached when the
/// firmware works, so it only bounds how long a broken run hangs.
pub const LIVENESS: Duration = Duration::from_secs(30);

/// Builds the release image once per test binary (cargo's own freshness check makes
/// it quick when nothing changed) and returns the ELF's path, as cargo reports it.
pub fn firmware_image() -> PathBuf {
    static IMAGE: OnceLock<PathBuf> = OnceLock::new();
    IMAGE.get_or_init(build_image).clone()
}

fn build_image() -> PathBuf {
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
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "building {} failed",
        board.display()
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| message["target"]["name"] == BOARD_BIN)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the board executable")
}

/// Fails the test, loudly, when QEMU is missing: CI installs it, so a skip would hide
/// a broken set-up.
pub fn require_qemu() {
    match Command::new(QEMU).arg("--version").output() {
        Ok(output) if output.status.success() => {}
        Ok(output) => panic!("{QEMU} --version failed: {output:?}"),
        Err(error) => panic!(
            "{QEMU} is needed ({error}): apt-get install -y --no-install-recommends \
             qemu-system-arm binutils-arm-none-eabi (scripts/test.sh does this)"
        ),
    }
}

/// A running QEMU board; killed when dropped.
pub struct QemuBoard {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl QemuBoard {
    /// Boots the image with UART0 on a socket this fixture listens on and UART1,
    /// UART2 connected to `readers` (board ports 0 and 1). Returns the board and
    /// the gateway end of UART0.
    pub fn boot(readers: [SocketAddr; 2]) -> (Self, Gateway) {
        require_qemu();
        let image = firmware_image();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let gateway_addr = listener.local_addr().unwrap();
        let mut command = Command::new(QEMU);
        command.args(["-machine", "lm3s6965evb", "-cpu", "cortex-m3"]);
        command.args(["-display", "none", "-monitor", "none"]);
        command.args(["-semihosting-config", "enable=on,target=native"]);
        // QEMU connects to every socket before the core starts: nothing is lost.
        for (i, addr) in std::iter::once(gateway_addr).chain(readers).enumerate() {
            let (ip, port) = (addr.ip(), addr.port());
            command.arg("-chardev");
            command.arg(format!("socket,id=u{i},host={ip},port={port},nodelay=on"));
            command.args(["-serial", &format!("chardev:u{i}")]);
        }
        command.arg("-kernel").arg(&image);
        command.stdin(Stdio::null()).stdout(Stdio::null());
        command.stderr(Stdio::piped());
        let mut child = command.spawn().expect("qemu-system-arm starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            sink.lock().unwrap().push_str(&text);
        });
        let mut board = Self { child, stderr };
        let stream = board.accept(&listener);
        (board, Gateway::new(stream))
    }

    fn accept(&mut self, listener: &TcpListener) -> std::net::TcpStream {
        listener.set_nonblocking(true).unwrap();
        let start = Instant::now();
        loop {
            match listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false).unwrap();
                    return stream;
                }
                Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                Err(error) => panic!("accepting QEMU's UART0: {error}"),
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("QEMU ended before connecting ({status}): {}", self.stderr());
            }
            assert!(start.elapsed() < LIVENESS, "QEMU never connected UART0");
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits for QEMU to exit by itself (the firmware's semihosting exit).
    pub fn wait_exit(&mut self) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                start.elapsed() < LIVENESS,
                "the firmware did not exit QEMU: {}",
                self.stderr()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// What QEMU printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for QemuBoard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
