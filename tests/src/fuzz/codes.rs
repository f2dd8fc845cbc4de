//! Identifier forms: EPC binary, element strings, Digital Link URIs, any code.

use trace_proto::code::{Form, decode};
use trace_proto::company_prefix::BuiltIn;
use trace_proto::epc::Epc;
use trace_proto::gs1::digital_link::DigitalLink;
use trace_proto::gs1::element_string::{ElementString, ParseOptions};

/// EPC memory-bank bytes: an EPC that decodes has a tag URI that parses back to it and
/// a binary encoding that decodes back to it.
pub fn epc_binary(data: &[u8]) {
    let Ok(epc) = Epc::from_bytes(data) else {
        return;
    };
    let uri = epc.tag_uri().to_string();
    match Epc::from_tag_uri(&uri) {
        Ok(again) => assert_eq!(again, epc, "{uri}"),
        Err(error) => panic!("the tag URI {uri} of a decoded EPC does not parse: {error}"),
    }
    let mut out = [0u8; 64];
    if let Ok(len) = epc.encode(&mut out) {
        assert_eq!(Epc::from_bytes(&out[..len]).ok(), Some(epc));
    }
}

/// Element strings in their three notations.
pub fn element_string(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = ParseOptions {
        separators: &['|'],
        ..ParseOptions::default()
    };
    let _ = ElementString::parse_bracketed(text, &options);
    let _ = ElementString::parse_raw(text, &options);
    let _ = ElementString::parse_fnc1(text, &options);
}

/// Digital Link URIs.
pub fn digital_link(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = DigitalLink::parse(text);
    }
}

/// Any code form a consumer may type, as the look-up endpoints decode it.
pub fn code(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = decode(text, Form::Auto, &BuiltIn);
    }
}
