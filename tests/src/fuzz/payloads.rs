//! What arrives over the network: MQTT packets at the embedded broker's front, MQTT
//! payloads and EPCIS capture documents.

use trace_proto::company_prefix::BuiltIn;
use trace_proto::mqtt::Payload;
use trace_proto::signed::SignedEvent;
use trace_server::broker::frame::{self, Framer, Packet};
use trace_server::epcis::decode_document;

/// A client's byte stream at the embedded broker's front, in reads whose size the first
/// byte picks: packets come out whole, and a CONNECT the front parsed encodes back to a
/// packet that parses to the same fields (the front forwards it re-encoded).
pub fn mqtt_frames(data: &[u8]) {
    let Some((&chunk, stream)) = data.split_first() else {
        return;
    };
    let mut framer = Framer::new(64 * 1024);
    for read in stream.chunks(usize::from(chunk.max(1))) {
        framer.push(read);
        loop {
            match framer.next_packet() {
                Ok(Some(packet)) => {
                    if let Ok(Packet::Connect(connect)) = frame::parse(&packet) {
                        let encoded = connect.encode();
                        assert_eq!(frame::parse(&encoded), Ok(Packet::Connect(connect)));
                    }
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
}

/// An MQTT envelope, and the same bytes as one signed event: what decodes encodes back
/// to the same bytes (the envelope is canonical, so a signature covers one form only).
pub fn mqtt_payload(data: &[u8]) {
    if let Ok(payload) = Payload::decode(data) {
        match payload.encode() {
            Ok(bytes) => assert_eq!(Payload::decode(&bytes).ok(), Some(payload)),
            Err(error) => panic!("a decoded payload does not encode: {error}"),
        }
    }
    if let Ok(event) = SignedEvent::from_bytes(data) {
        let _ = event.hash();
    }
}

/// An EPCIS 2.0 JSON-LD document as `POST /epcis/capture` receives it.
pub fn epcis_json(data: &[u8]) {
    let _ = decode_document(data, &BuiltIn);
}
