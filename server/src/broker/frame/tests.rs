use super::connect::put_binary;
use super::*;

fn connect(user: Option<&str>, password: Option<&[u8]>, will: Option<Will>) -> Connect {
    Connect {
        client_id: "dock-1".into(),
        clean_session: true,
        keep_alive: 30,
        will,
        username: user.map(str::to_owned),
        password: password.map(<[u8]>::to_vec),
    }
}

fn publish(topic: &str, qos: u8, payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    put_binary(&mut body, topic.as_bytes());
    if qos > 0 {
        body.extend_from_slice(&7u16.to_be_bytes());
    }
    body.extend_from_slice(payload);
    let mut packet = vec![0x30 | (qos << 1), u8::try_from(body.len()).unwrap()];
    packet.extend_from_slice(&body);
    packet
}

fn subscribe(filters: &[&str]) -> Vec<u8> {
    let mut body = 9u16.to_be_bytes().to_vec();
    for filter in filters {
        put_binary(&mut body, filter.as_bytes());
        body.push(1);
    }
    let mut packet = vec![0x82, u8::try_from(body.len()).unwrap()];
    packet.extend_from_slice(&body);
    packet
}

fn frames(bytes: &[u8], max: usize) -> Result<Vec<Vec<u8>>, FrameError> {
    let mut framer = Framer::new(max);
    let mut out = Vec::new();
    // One byte at a time: a packet boundary may fall anywhere in a read.
    for byte in bytes {
        framer.push(&[*byte]);
        while let Some(packet) = framer.next_packet()? {
            out.push(packet);
        }
    }
    Ok(out)
}

#[test]
fn a_connect_round_trips_with_will_and_credentials() {
    let will = Will {
        topic: "rfid-trace/v1/gw/dock-1/status".into(),
        message: b"offline".to_vec(),
        qos: 1,
        retain: true,
    };
    let original = connect(Some("dock-1"), Some(b"pw"), Some(will));
    let bytes = original.encode();
    assert_eq!(parse(&bytes).unwrap(), Packet::Connect(original.clone()));
    let bare = connect(None, None, None);
    assert_eq!(parse(&bare.encode()).unwrap(), Packet::Connect(bare));
    assert!(!format!("{original:?}").contains("pw\""));
    assert!(format!("{original:?}").contains("redacted"));
}

#[test]
fn packets_split_anywhere_come_out_whole_and_in_order() {
    let mut stream = connect(Some("u"), Some(b"p"), None).encode();
    let big = publish("a/b", 1, &[7u8; 100]);
    stream.extend_from_slice(&big);
    stream.extend_from_slice(&subscribe(&["x/+", "y/#"]));
    stream.extend_from_slice(&[0xc0, 0x00]);
    let packets = frames(&stream, 1024).unwrap();
    assert_eq!(packets.len(), 4);
    assert_eq!(packets[1], big);
    assert_eq!(
        parse(&packets[1]).unwrap(),
        Packet::Publish { topic: "a/b" }
    );
    assert_eq!(
        parse(&packets[2]).unwrap(),
        Packet::Subscribe {
            filters: vec!["x/+", "y/#"]
        }
    );
    assert_eq!(parse(&packets[3]).unwrap(), Packet::Other);
}

#[test]
fn a_multi_byte_remaining_length_is_read() {
    let packet = publish("t", 0, &[1u8; 120]);
    // 2 + 1 + 120 = 123 bytes of body fit one length byte; make one that needs two.
    let mut body = Vec::new();
    put_binary(&mut body, b"t");
    body.extend_from_slice(&[0u8; 300]);
    let mut long = vec![
        0x30,
        0x80 | (body.len() & 0x7f) as u8,
        (body.len() >> 7) as u8,
    ];
    long.extend_from_slice(&body);
    let packets = frames(&[packet.clone(), long.clone()].concat(), 1024).unwrap();
    assert_eq!(packets, vec![packet, long]);
}

#[test]
fn oversized_packets_are_refused_before_they_are_buffered() {
    let mut framer = Framer::new(100);
    framer.push(&[0x30, 0xe8, 0x07]);
    assert_eq!(
        framer.next_packet(),
        Err(FrameError::TooLarge {
            declared: 1000,
            max: 100
        })
    );
    let mut endless = Framer::new(usize::MAX);
    endless.push(&[0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    assert_eq!(endless.next_packet(), Err(FrameError::RemainingLength));
}

#[test]
fn hostile_packets_get_typed_errors() {
    let cases: Vec<(Vec<u8>, FrameError)> = vec![
        (vec![0x20, 0x02, 0, 0], FrameError::UnexpectedType(2)),
        (vec![0xf0, 0x00], FrameError::UnexpectedType(15)),
        (
            vec![0x80, 0x00],
            FrameError::BadFlags {
                packet: "SUBSCRIBE",
                flags: 0,
            },
        ),
        (vec![0x82, 0x02, 0, 1], FrameError::EmptySubscribe),
        (
            vec![0x30, 0x03, 0, 5, b'a'],
            FrameError::Truncated { packet: "PUBLISH" },
        ),
        (vec![0x36, 0x00], FrameError::BadQos { packet: "PUBLISH" }),
        (
            vec![0x30, 0x03, 0, 1, 0xff],
            FrameError::BadString { packet: "PUBLISH" },
        ),
        (
            vec![0x30, 0x03, 0, 1, 0],
            FrameError::BadString { packet: "PUBLISH" },
        ),
        (
            vec![0x10, 0x02, 0, 0],
            FrameError::Truncated { packet: "CONNECT" },
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(parse(&bytes), Err(want), "{bytes:02x?}");
    }
}

#[test]
fn connects_of_other_protocols_or_contradictory_flags_are_refused() {
    let mut v31 = Vec::new();
    put_binary(&mut v31, b"MQIsdp");
    v31.extend_from_slice(&[3, 2, 0, 30, 0, 0]);
    let packet = [vec![0x10, v31.len() as u8], v31].concat();
    assert_eq!(
        parse(&packet),
        Err(FrameError::Protocol {
            name: "MQIsdp".into(),
            level: 3
        })
    );
    let mut valid = connect(Some("u"), Some(b"p"), None).encode();
    // Flags byte: after fixed header (2), protocol name (6) and level (1).
    for flags in [0xc3, 0x40, 0x18 | 0x04 | 0xc0, 0x20] {
        valid[9] = flags;
        assert_eq!(parse(&valid), Err(FrameError::ConnectFlags(flags)));
    }
}

#[test]
fn a_connack_carries_its_code() {
    assert_eq!(connack(ConnackCode::NotAuthorised), [0x20, 2, 0, 5]);
}
