//! The QEMU board as a test fixture: boots it with the gateway UART on a socket the
//! test listens on and each reader UART connected to an emulator's TCP server.

mod gateway;

use std::io::ErrorKind;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

pub use gateway::Gateway;
use trace_tests::qemu::GatewayUart;
pub use trace_tests::qemu::QemuBoard;

/// Liveness guard for QEMU starting, connecting and exiting; never reached when the
/// firmware works, so it only bounds how long a broken run hangs.
pub const LIVENESS: Duration = Duration::from_secs(30);

/// Boots the board with UART1, UART2 connected to `readers` (board ports 0 and 1) and
/// returns it with the gateway end of UART0.
pub fn boot(readers: [SocketAddr; 2]) -> (QemuBoard, Gateway) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let uart0 = GatewayUart::Socket(listener.local_addr().unwrap());
    let mut board = QemuBoard::boot(uart0, readers).unwrap();
    let stream = accept(&mut board, &listener);
    (board, Gateway::new(stream))
}

fn accept(board: &mut QemuBoard, listener: &TcpListener) -> TcpStream {
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
        board.check_running().unwrap();
        assert!(start.elapsed() < LIVENESS, "QEMU never connected UART0");
        thread::sleep(Duration::from_millis(5));
    }
}
