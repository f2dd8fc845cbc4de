//! Signed events, hash chains, batch verification, keys, MQTT topics and envelopes.
#![cfg(feature = "alloc")]
// Test helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use sha2::{Digest, Sha256};
use trace_proto::event::*;
use trace_proto::link::ReaderState;
use trace_proto::mqtt::*;
use trace_proto::signed::*;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn gw(id: &str) -> GatewayId {
    GatewayId::new(id).unwrap()
}

fn event(serial: u32) -> Event {
    let mut e = Event::new(
        EventKind::Object(ObjectEvent {
            action: Action::Observe,
            epc_list: vec![format!("urn:epc:id:sgtin:4012345.011111.{serial}")],
            quantity_list: vec![],
            ilmd: None,
        }),
        EventTime::from_unix_millis(1_709_284_530_124 + i64::from(serial)).unwrap(),
        "+01:00".parse().unwrap(),
    );
    e.biz_step = Some(BizStep::Receiving);
    e.read_point = Some(Location {
        id: "urn:epc:id:sgln:4012345.00001.0".into(),
        extensions: vec![],
    });
    e
}

/// A chain of `n` events of one gateway.
fn chain(signer: &SigningKey, id: &str, n: u32) -> Vec<SignedEvent> {
    let mut prev = EventHash::ZERO;
    (1..=n)
        .map(|seq| {
            let e = SignedEvent::sign(signer, gw(id), seq.into(), prev, event(seq)).unwrap();
            prev = e.hash();
            e
        })
        .collect()
}

#[test]
fn rfc8032_test_vector_1() {
    let secret = unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    let public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let signature = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065\
                     224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    let signer = SigningKey::from_bytes(&secret.try_into().unwrap());
    assert_eq!(hex(signer.verifying_key().as_bytes()), public);
    let sig = sign_bytes(&signer, b"");
    assert_eq!(hex(&sig.to_bytes()), signature);
    let verifier = enrollment_key(&unhex(public).try_into().unwrap()).unwrap();
    assert_eq!(verify_bytes(&verifier, b"", &sig), Ok(()));
    assert_eq!(
        verify_bytes(&verifier, b"x", &sig),
        Err(SignedError::Signature)
    );
}

#[test]
fn sign_store_reload_verify() {
    let signer = key(7);
    let signed = SignedEvent::sign(&signer, gw("dock-1"), 1, EventHash::ZERO, event(1)).unwrap();
    assert_eq!(signed.verify(&signer.verifying_key()), Ok(()));
    let bytes = signed.to_bytes();
    assert_eq!(bytes.len(), signed.encoded_len());
    let reloaded = SignedEvent::from_bytes(&bytes).unwrap();
    assert_eq!(reloaded, signed);
    assert_eq!(reloaded.verify(&signer.verifying_key()), Ok(()));
    assert_eq!(
        (
            reloaded.gateway_id().as_str(),
            reloaded.seq(),
            reloaded.prev()
        ),
        ("dock-1", 1, EventHash::ZERO)
    );
    assert_eq!(reloaded.event(), &event(1));

    // The documented layout: domain, postcard (id, seq, prev, event), 64-byte signature
    // over everything before it, hash = SHA-256 of the signing bytes.
    let (signing, sig) = bytes.split_at(bytes.len() - 64);
    assert!(signing.starts_with(b"rfid-trace/event/v1\0"));
    let body = &signing[20..];
    assert_eq!(&body[..8], b"\x06dock-1\x01");
    assert_eq!(&body[8..40], &[0u8; 32]);
    assert_eq!(&body[40..], postcard::to_allocvec(&event(1)).unwrap());
    assert_eq!(signed.signing_bytes(), signing);
    let raw = Signature::from_bytes(&sig.try_into().unwrap());
    assert_eq!(verify_bytes(&signer.verifying_key(), signing, &raw), Ok(()));
    assert_eq!(signed.hash().0, <[u8; 32]>::from(Sha256::digest(signing)));
    // Ed25519 is deterministic: these bytes are fixed for this key and event.
    assert_eq!(hex(&Sha256::digest(&bytes)), GOLDEN_SIGNED_EVENT_SHA256);
}

const GOLDEN_SIGNED_EVENT_SHA256: &str =
    "f02c0341189b00632b19db71f8c5b7fbffbf69e473d710db5fcb2dbf539ba438";

#[test]
fn tampering_with_any_byte_fails() {
    let signer = key(7);
    let bytes = SignedEvent::sign(&signer, gw("dock-1"), 3, EventHash([9; 32]), event(3))
        .unwrap()
        .to_bytes();
    for i in 0..bytes.len() {
        for flip in [0x01u8, 0x80] {
            let mut bad = bytes.clone();
            bad[i] ^= flip;
            let outcome =
                SignedEvent::from_bytes(&bad).and_then(|e| e.verify(&signer.verifying_key()));
            assert!(outcome.is_err(), "byte {i} ^ {flip:#x} went unnoticed");
        }
    }
    let shortened = SignedEvent::from_bytes(&bytes[..bytes.len() - 1]);
    assert!(
        shortened
            .and_then(|e| e.verify(&signer.verifying_key()))
            .is_err()
    );
    let mut longer = bytes.clone();
    longer.insert(bytes.len() - 64, 0);
    assert_eq!(
        SignedEvent::from_bytes(&longer),
        Err(SignedError::TrailingBytes { count: 1 })
    );
}

#[test]
fn decoding_errors_are_typed() {
    assert_eq!(
        SignedEvent::from_bytes(&[0; 10]),
        Err(SignedError::Truncated {
            length: 10,
            min: 84
        })
    );
    assert_eq!(
        SignedEvent::from_bytes(&[0; 100]),
        Err(SignedError::WrongDomain)
    );
    let signed = SignedEvent::sign(&key(1), gw("a"), 1, EventHash::ZERO, event(1)).unwrap();
    let mut bytes = signed.to_bytes();
    // seq 1 written as the over-long varint 0x81 0x00: same content, not canonical.
    let seq_at = 20 + 2;
    assert_eq!(bytes[seq_at], 1);
    bytes.splice(seq_at..=seq_at, [0x81, 0x00]);
    assert_eq!(
        SignedEvent::from_bytes(&bytes),
        Err(SignedError::NonCanonical)
    );
    bytes.splice(seq_at..seq_at + 2, [0x00]);
    assert_eq!(SignedEvent::from_bytes(&bytes), Err(SignedError::ZeroSeq));
    assert_eq!(
        SignedEvent::sign(&key(1), gw("a"), 0, EventHash::ZERO, event(1)),
        Err(SignedError::ZeroSeq)
    );
}

#[test]
fn wrong_key_fails() {
    let signed = SignedEvent::sign(&key(1), gw("dock-1"), 1, EventHash::ZERO, event(1)).unwrap();
    assert_eq!(
        signed.verify(&key(2).verifying_key()),
        Err(SignedError::BadSignature {
            gateway_id: gw("dock-1"),
            seq: 1
        })
    );
}

#[test]
fn chains_link_by_hash() {
    let events = chain(&key(3), "dock-1", 5);
    let mut head = None;
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            assert_eq!(e.prev(), events[i - 1].hash());
            assert_eq!(
                e.prev().0,
                <[u8; 32]>::from(Sha256::digest(events[i - 1].signing_bytes()))
            );
        }
        head = Some(e.check_link(head).unwrap());
    }
    assert_eq!(head, Some(events[4].head()));

    let at = |i: usize| Some(events[i].head());
    assert_eq!(
        events[3].check_link(at(1)),
        Err(SignedError::SeqGap {
            expected: 3,
            found: 4
        })
    );
    assert_eq!(
        events[1].check_link(at(2)),
        Err(SignedError::NotAfterHead { head: 3, found: 2 })
    );
    assert_eq!(
        events[2].check_link(at(2)),
        Err(SignedError::NotAfterHead { head: 3, found: 3 })
    );
    assert_eq!(
        events[1].check_link(None),
        Err(SignedError::SeqGap {
            expected: 1,
            found: 2
        })
    );
    // A fork: same seq, different predecessor.
    let forged_head = ChainHead {
        seq: 2,
        hash: EventHash([1; 32]),
    };
    assert_eq!(
        events[2].check_link(Some(forged_head)),
        Err(SignedError::PrevMismatch {
            seq: 3,
            expected: EventHash([1; 32]),
            found: events[1].hash()
        })
    );
    let bad_genesis =
        SignedEvent::sign(&key(3), gw("dock-1"), 1, EventHash([2; 32]), event(1)).unwrap();
    assert!(matches!(
        bad_genesis.check_link(None),
        Err(SignedError::PrevMismatch { seq: 1, .. })
    ));
    assert_eq!(EventHash::ZERO.to_string(), "0".repeat(64));
}

#[test]
fn batch_verification_finds_the_bad_events() {
    let keys = [key(10), key(11), key(12)];
    let verifiers: Vec<VerifyingKey> = keys.iter().map(SigningKey::verifying_key).collect();
    let mut events = Vec::new();
    let mut owners = Vec::new();
    for (g, signer) in keys.iter().enumerate() {
        events.extend(chain(signer, &format!("gw-{g}"), 20));
        owners.extend(std::iter::repeat_n(g, 20));
    }
    let items = |events: &[SignedEvent]| -> Vec<(SignedEvent, usize)> {
        events.iter().cloned().zip(owners.iter().copied()).collect()
    };
    let check = |items: &[(SignedEvent, usize)]| {
        let pairs: Vec<(&SignedEvent, &VerifyingKey)> =
            items.iter().map(|(e, g)| (e, &verifiers[*g])).collect();
        verify_batch(&pairs)
    };
    assert_eq!(check(&items(&events)), Ok(()));
    assert_eq!(check(&[]), Ok(()));

    // Event 17 signed by the wrong gateway's key; event 44 altered after signing.
    let mut bad = items(&events);
    bad[17].0 = SignedEvent::sign(&keys[2], gw("gw-0"), 18, bad[16].0.hash(), event(18)).unwrap();
    let mut altered = bad[44].0.to_bytes();
    let at = altered.windows(7).position(|w| w == b"011111.").unwrap();
    altered[at + 1] ^= 0x01; // "011111." becomes "001111.": still a well-formed event
    bad[44].0 = SignedEvent::from_bytes(&altered).unwrap();
    assert_eq!(
        check(&bad),
        Err(SignedError::BadSignatures { bad: vec![17, 44] })
    );

    // A weak key is refused inside a batch too, as strict verification refuses it.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let weak = VerifyingKey::from_bytes(&identity).unwrap();
    let pairs: Vec<(&SignedEvent, &VerifyingKey)> = vec![
        (&events[0], &verifiers[0]),
        (&events[1], &weak),
        (&events[2], &verifiers[0]),
    ];
    assert_eq!(
        verify_batch(&pairs),
        Err(SignedError::BadSignatures { bad: vec![1] })
    );
}

#[test]
fn enrollment_refuses_weak_and_invalid_keys() {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(enrollment_key(&identity), Err(SignedError::WeakKey));
    assert_eq!(enrollment_key(&[0; 32]), Err(SignedError::WeakKey));
    // The point of order 2: y = -1 = p - 1.
    let mut minus_one = [0xFFu8; 32];
    minus_one[0] = 0xEC;
    minus_one[31] = 0x7F;
    assert_eq!(enrollment_key(&minus_one), Err(SignedError::WeakKey));
    let not_a_point = (2u8..40).find_map(|y| {
        let mut b = [0u8; 32];
        b[0] = y;
        (enrollment_key(&b) == Err(SignedError::InvalidKey)).then_some(b)
    });
    assert!(not_a_point.is_some(), "some small y is not on the curve");
    assert!(enrollment_key(key(1).verifying_key().as_bytes()).is_ok());
}

#[test]
fn gateway_ids_are_safe_topic_levels() {
    for ok in ["dock-1", "a", "GW_01.site-3", &"x".repeat(64)] {
        assert_eq!(gw(ok).as_str(), ok);
    }
    assert_eq!(
        GatewayId::new(""),
        Err(SignedError::GatewayIdLength { length: 0, max: 64 })
    );
    assert_eq!(
        GatewayId::new(&"x".repeat(65)),
        Err(SignedError::GatewayIdLength {
            length: 65,
            max: 64
        })
    );
    for (bad, position, found) in [
        ("a/b", 1, '/'),
        ("a+", 1, '+'),
        ("#", 0, '#'),
        ("-x", 0, '-'),
        (".", 0, '.'),
        ("a b", 1, ' '),
        ("gé", 1, 'é'),
    ] {
        assert_eq!(
            GatewayId::new(bad),
            Err(SignedError::GatewayIdChar { position, found }),
            "{bad}"
        );
    }
    assert!(postcard::from_bytes::<GatewayId>(b"\x03a/b").is_err());
}

#[test]
fn topics() {
    let id = gw("dock-1");
    assert_eq!(
        gateway_topic(&id, GatewayTopic::Events),
        "rfid-trace/v1/gw/dock-1/events"
    );
    assert_eq!(
        gateway_topic(&id, GatewayTopic::Ack),
        "rfid-trace/v1/gw/dock-1/ack"
    );
    assert_eq!(
        gateway_topic(&id, GatewayTopic::Status),
        "rfid-trace/v1/gw/dock-1/status"
    );
    assert_eq!(RECALLS_TOPIC, "rfid-trace/v1/recalls");
    assert_eq!(
        EVENTS_SHARED_SUBSCRIPTION,
        "$share/trace-servers/rfid-trace/v1/gw/+/events"
    );
    for kind in [
        GatewayTopic::Events,
        GatewayTopic::Ack,
        GatewayTopic::Status,
    ] {
        assert_eq!(
            parse_gateway_topic(&gateway_topic(&id, kind)),
            Ok((id.clone(), kind))
        );
    }
    for bad in [
        "rfid-trace/v1/gw/dock-1",
        "rfid-trace/v1/gw/dock-1/other",
        "rfid-trace/v2/gw/a/ack",
        "rfid-trace/v1/recalls",
    ] {
        assert_eq!(
            parse_gateway_topic(bad),
            Err(MqttError::NotAGatewayTopic { topic: bad.into() })
        );
    }
    assert!(matches!(
        parse_gateway_topic("rfid-trace/v1/gw/+/events"),
        Err(MqttError::GatewayId(_))
    ));
    assert_eq!(
        payload_budget("rfid-trace/v1/gw/dock-1/events"),
        10240 - 9 - 30
    );
}

fn status() -> Status {
    Status {
        gateway_id: gw("dock-1"),
        presence: Presence::Online,
        time: "2024-03-01T08:00:00Z".parse().unwrap(),
        software_version: "0.1.0".into(),
        queue_depth: 12,
        oldest_unacked_seq: Some(101),
        readers: vec![ReaderHealth {
            name: "dock-1-uhf".into(),
            kind: "uhf-m100".into(),
            state: ReaderState::Ready,
            reads: 5000,
            errors: 2,
            last_read: Some("2024-03-01T07:59:58Z".parse().unwrap()),
        }],
        alarms: vec![Alarm {
            kind: AlarmKind::OutboxFull,
            subject: "outbox".into(),
            detail: "256 MiB budget reached; 12 reads refused".into(),
            since: "2024-03-01T07:58:00Z".parse().unwrap(),
        }],
    }
}

fn recalls() -> RecallList {
    RecallList {
        as_of: "2024-03-05T12:00:00Z".parse().unwrap(),
        recalls: vec![Recall {
            id: "R-2024-001".into(),
            affected: vec![
                "urn:epc:class:lgtin:4012345.011111.LOT42".into(),
                "urn:epc:id:sgtin:4012345.011111.1002".into(),
            ],
            reason: "Listeria monocytogenes found in lot 42".into(),
            issued: "2024-03-05T11:30:00Z".parse().unwrap(),
            instructions: "Do not sell. Return to the distribution centre.".into(),
        }],
    }
}

#[test]
fn envelopes_round_trip() {
    let events = chain(&key(4), "dock-1", 3);
    let payloads = [
        Payload::EventBatch(EventBatch::from_events(&events)),
        Payload::Ack(Ack {
            gateway_id: gw("dock-1"),
            highest_contiguous_seq: 3,
        }),
        Payload::Status(status()),
        Payload::Status(Status {
            presence: Presence::Offline,
            readers: vec![],
            alarms: vec![],
            oldest_unacked_seq: None,
            ..status()
        }),
        Payload::RecallList(recalls()),
    ];
    for payload in payloads {
        let bytes = payload.encode().unwrap();
        assert_eq!(bytes[0], ENVELOPE_VERSION);
        assert_eq!(Payload::decode(&bytes), Ok(payload));
    }
    let Payload::EventBatch(batch) = Payload::decode(
        &Payload::EventBatch(EventBatch::from_events(&events))
            .encode()
            .unwrap(),
    )
    .unwrap() else {
        unreachable!()
    };
    let decoded: Vec<SignedEvent> = batch.events().map(Result::unwrap).collect();
    assert_eq!(decoded, events);
    assert_eq!(batch.raw()[1], events[1].to_bytes());
}

#[test]
fn envelope_errors_are_typed() {
    let ack = Payload::Ack(Ack {
        gateway_id: gw("a"),
        highest_contiguous_seq: 1,
    })
    .encode()
    .unwrap();
    assert_eq!(Payload::decode(&[]), Err(MqttError::Empty));
    let mut v1 = ack.clone();
    v1[0] = 1;
    assert_eq!(
        Payload::decode(&v1),
        Err(MqttError::UnsupportedVersion {
            found: 1,
            supported: 2
        })
    );
    let mut trailing = ack.clone();
    trailing.extend([0, 0]);
    assert_eq!(
        Payload::decode(&trailing),
        Err(MqttError::TrailingBytes { count: 2 })
    );
    assert!(matches!(
        Payload::decode(&ack[..ack.len() - 1]),
        Err(MqttError::Malformed(_))
    ));
    assert!(matches!(
        Payload::decode(&[2, 9]),
        Err(MqttError::Malformed(_))
    ));
    // A malformed event spoils only itself.
    let mut batch = EventBatch::from_events(&chain(&key(4), "dock-1", 2));
    let bytes = Payload::EventBatch(batch.clone()).encode().unwrap();
    let mut broken = bytes.clone();
    broken[5] ^= 0xFF; // inside the first event's signing domain
    let Ok(Payload::EventBatch(decoded)) = Payload::decode(&broken) else {
        unreachable!()
    };
    let results: Vec<_> = decoded.events().collect();
    assert_eq!(results[0], Err(SignedError::WrongDomain));
    assert!(results[1].is_ok());
    batch.push(&chain(&key(4), "dock-1", 3)[2]);
    assert_eq!(batch.len(), 3);
}

#[test]
fn batches_are_split_to_fit() {
    let events = chain(&key(5), "dock-1", 200);
    let budget = payload_budget("rfid-trace/v1/gw/dock-1/events");
    let batches = split_batch(&events, budget).unwrap();
    assert!(batches.len() > 1);
    let mut rejoined = Vec::new();
    for batch in &batches {
        let encoded = Payload::EventBatch(batch.clone()).encode().unwrap();
        assert_eq!(encoded.len(), batch.envelope_len());
        assert!(encoded.len() <= budget);
        rejoined.extend(batch.events().map(Result::unwrap));
    }
    assert_eq!(rejoined, events);
    // Greedy: each batch but the last could not take the next event.
    let size = events[0].encoded_len() + 2;
    assert!(batches[0].envelope_len() + size > budget);
    assert_eq!(split_batch(&[], budget).unwrap(), vec![]);
    assert_eq!(
        split_batch(&events[..1], 50),
        Err(MqttError::EventTooLarge {
            index: 0,
            size: events[0].encoded_len() + 2 + 3,
            budget: 50
        })
    );
}
