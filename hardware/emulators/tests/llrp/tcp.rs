//! A client session against the reader served on an ephemeral TCP port.

use super::*;

struct Client {
    stream: TcpStream,
    parser: MessageParser,
}

impl Client {
    fn connect(server: &TcpServer<LlrpReader>) -> Self {
        let stream = TcpStream::connect(server.local_addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        Self {
            stream,
            parser: MessageParser::default(),
        }
    }

    fn send(&mut self, kind: u16, id: u32, body: Vec<u8>) {
        self.stream.write_all(&request(kind, id, body)).unwrap();
    }

    /// The next message, within 5 s.
    fn next(&mut self) -> Message {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut buf = [0u8; 1024];
        loop {
            if let Some(Incoming::Message(message)) = self.parser.next_message() {
                return message;
            }
            assert!(Instant::now() < deadline, "no LLRP message within 5 s");
            match self.stream.read(&mut buf) {
                Ok(0) => panic!("the reader closed the connection"),
                Ok(n) => self.parser.push(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("{e}"),
            }
        }
    }

    /// The next message of `kind`, answering keepalives on the way.
    fn next_of(&mut self, kind: u16) -> Message {
        loop {
            let message = self.next();
            if message.kind == kind {
                return message;
            }
            if message.kind == msg::KEEPALIVE {
                self.send(msg::KEEPALIVE_ACK, message.id, Vec::new());
            }
        }
    }
}

#[test]
fn whole_session_over_tcp() {
    let scenario = Scenario::new()
        .at(
            Duration::ZERO,
            Action::Enter {
                tag: tag(EPC_A),
                antenna: 1,
                rssi: -55,
            },
        )
        .at(
            Duration::ZERO,
            Action::Enter {
                tag: tag(EPC_B),
                antenna: 2,
                rssi: -60,
            },
        );
    let server = TcpServer::start(reader(), scenario).unwrap();
    assert_ne!(server.local_addr().port(), 5084);
    let mut client = Client::connect(&server);

    let hello = client.next();
    assert_eq!(hello.kind, msg::READER_EVENT_NOTIFICATION);
    assert_eq!(
        &hello.body[hello.body.len() - 6..],
        hex("01 00 00 06 00 00"),
        "ConnectionAttemptEvent: Success"
    );

    client.send(msg::GET_READER_CAPABILITIES, 10, vec![0]);
    let capabilities = client.next_of(msg::GET_READER_CAPABILITIES_RESPONSE);
    assert_eq!(
        (capabilities.id, status_of(&capabilities).0),
        (10, status::SUCCESS)
    );

    let keepalive = Writer::new()
        .u8(0)
        .tlv(param::KEEPALIVE_SPEC, |w| {
            w.u8(1).u32(100);
        })
        .finish();
    client.send(msg::SET_READER_CONFIG, 11, keepalive);
    assert_eq!(
        status_of(&client.next_of(msg::SET_READER_CONFIG_RESPONSE)).0,
        status::SUCCESS
    );

    client.stream.write_all(&hex(ADD_ROSPEC)).unwrap();
    assert_eq!(
        status_of(&client.next_of(msg::ADD_ROSPEC + 10)).0,
        status::SUCCESS
    );
    client.send(msg::ENABLE_ROSPEC, 12, vec![0, 0, 0, 1]);
    assert_eq!(
        status_of(&client.next_of(msg::ENABLE_ROSPEC + 10)).0,
        status::SUCCESS
    );
    client.send(msg::START_ROSPEC, 13, vec![0, 0, 0, 1]);
    assert_eq!(
        status_of(&client.next_of(msg::START_ROSPEC + 10)).0,
        status::SUCCESS
    );

    let mut seen = Vec::new();
    while seen.len() < 2 {
        for read in tag_reports(&client.next_of(msg::RO_ACCESS_REPORT)) {
            if !seen.iter().any(|(epc, _)| *epc == read.epc) {
                seen.push((read.epc, read.antenna));
            }
        }
    }
    seen.sort();
    assert_eq!(seen, [(hex(EPC_B), Some(2)), (hex(EPC_A), Some(1))]);

    let keepalive = client.next_of(msg::KEEPALIVE);
    client.send(msg::KEEPALIVE_ACK, keepalive.id, Vec::new());
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.with(|session| session.emulator.keepalive_acks()) == 0 {
        assert!(Instant::now() < deadline, "the ack never arrived");
        std::thread::sleep(Duration::from_millis(5));
    }

    client.send(msg::STOP_ROSPEC, 14, vec![0, 0, 0, 1]);
    assert_eq!(
        status_of(&client.next_of(msg::STOP_ROSPEC + 10)).0,
        status::SUCCESS
    );
    client.send(msg::DELETE_ROSPEC, 15, vec![0, 0, 0, 1]);
    assert_eq!(
        status_of(&client.next_of(msg::DELETE_ROSPEC + 10)).0,
        status::SUCCESS
    );
    client.send(14, 16, Vec::new());
    assert_eq!(
        status_of(&client.next_of(msg::CLOSE_CONNECTION_RESPONSE)).0,
        status::SUCCESS
    );
    let mut rest = Vec::new();
    client
        .stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let closed = client.stream.read_to_end(&mut rest);
    assert!(closed.is_ok(), "the reader hangs up: {closed:?}");
    assert!(server.with(|session| session.emulator.rospecs().is_empty()));
    server.stop().unwrap();
}
