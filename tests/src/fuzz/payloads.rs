//! What arrives over the network: MQTT payloads and EPCIS capture documents.

use trace_proto::company_prefix::BuiltIn;
use trace_proto::mqtt::Payload;
use trace_proto::signed::SignedEvent;
use trace_server::epcis::decode_document;

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
