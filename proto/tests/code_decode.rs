//! `code::decode`: every form a user can hold, detected and converted to one identity.
#![allow(clippy::panic)]
#![cfg(feature = "alloc")]

use proptest::prelude::*;
use trace_proto::code::{CodeError, Decoded, Form, Kind, decode};
use trace_proto::company_prefix::{BuiltIn, PrefixTable};

fn auto(input: &str) -> Decoded {
    decode(input, Form::Auto, &BuiltIn).unwrap_or_else(|e| panic!("{input:?}: {e}"))
}

fn ais(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, v)| (a.to_string(), v.to_string()))
        .collect()
}

/// The TDS example tag (SGTIN-96 0614141.812345.6789, filter 3) in each of its forms gives
/// the same identity and the same GS1 forms.
#[test]
fn one_unit_in_every_form() {
    let forms = [
        ("3074257BF7194E4000001A85", Kind::EpcHex),
        ("3074257bf7194e4000001a85", Kind::EpcHex),
        ("urn:epc:tag:sgtin-96:3.0614141.812345.6789", Kind::EpcUri),
        ("urn:epc:id:sgtin:0614141.812345.6789", Kind::EpcUri),
        ("(01)80614141123458(21)6789", Kind::ElementString),
        ("0180614141123458216789", Kind::ElementString),
        ("^0180614141123458216789", Kind::ElementString),
        ("]C10180614141123458216789", Kind::ScanData),
        (
            "]Q3https://example.com/01/80614141123458/21/6789",
            Kind::ScanData,
        ),
        (
            "https://example.com/01/80614141123458/21/6789",
            Kind::DigitalLink,
        ),
        (
            "https://id.gs1.org/gtin/80614141123458/ser/6789?linkType=gs1:pip",
            Kind::DigitalLink,
        ),
    ];
    for (input, kind) in forms {
        let d = auto(input);
        assert_eq!(d.kind, kind, "{input}");
        assert_eq!(
            d.epc_uri.as_deref(),
            Some("urn:epc:id:sgtin:0614141.812345.6789"),
            "{input}"
        );
        assert_eq!(
            d.element_string.as_deref(),
            Some("(01)80614141123458(21)6789"),
            "{input}"
        );
        assert_eq!(
            d.fnc1.as_deref(),
            Some("^0180614141123458216789"),
            "{input}"
        );
        assert_eq!(
            d.ais,
            ais(&[("01", "80614141123458"), ("21", "6789")]),
            "{input}"
        );
        assert_eq!(
            d.digital_link.as_deref(),
            Some("https://id.gs1.org/01/80614141123458/21/6789"),
            "{input}"
        );
        assert!(d.notes.is_empty(), "{input}: {:?}", d.notes);
    }
    let tag = auto("3074257BF7194E4000001A85");
    assert_eq!(
        tag.tag_uri.as_deref(),
        Some("urn:epc:tag:sgtin-96:3.0614141.812345.6789")
    );
    assert_eq!(tag.filter, Some(3));
    assert_eq!(auto("urn:epc:id:sgtin:0614141.812345.6789").tag_uri, None);
}

#[test]
fn lots_gtins_and_containers() {
    let lot = auto("(01)80614141123458(10)LOT42(17)271231");
    assert_eq!(
        lot.epc_uri.as_deref(),
        Some("urn:epc:class:lgtin:0614141.812345.LOT42")
    );
    assert_eq!(
        lot.digital_link.as_deref(),
        Some("https://id.gs1.org/01/80614141123458/10/LOT42?17=271231")
    );
    let class = auto("urn:epc:class:lgtin:0614141.812345.LOT42");
    assert_eq!(
        class.element_string.as_deref(),
        Some("(01)80614141123458(10)LOT42")
    );

    let gtin = auto("(01)80614141123458");
    assert_eq!(
        gtin.epc_uri.as_deref(),
        Some("urn:epc:idpat:sgtin:0614141.812345.*")
    );

    let pallet = auto("(00)106141412345678908");
    assert_eq!(
        pallet.epc_uri.as_deref(),
        Some("urn:epc:id:sscc:0614141.1234567890")
    );
    let place = auto("https://id.gs1.org/414/0614141123452/254/5");
    assert_eq!(
        place.epc_uri.as_deref(),
        Some("urn:epc:id:sgln:0614141.12345.5")
    );
    let asset = auto("(8004)0614141ABC123");
    assert_eq!(
        asset.epc_uri.as_deref(),
        Some("urn:epc:id:giai:0614141.ABC123")
    );
}

#[test]
fn serials_are_escaped_in_uris_and_plain_in_gs1_forms() {
    let d = auto("urn:epc:id:sgtin:0614141.712345.32a%2Fb");
    assert_eq!(
        d.element_string.as_deref(),
        Some("(01)70614141123451(21)32a/b")
    );
    assert_eq!(
        d.digital_link.as_deref(),
        Some("https://id.gs1.org/01/70614141123451/21/32a%2Fb")
    );
    let back = auto("(01)70614141123451(21)32a/b");
    assert_eq!(
        back.epc_uri.as_deref(),
        Some("urn:epc:id:sgtin:0614141.712345.32a%2Fb")
    );
}

#[test]
fn unknown_company_prefix_keeps_the_other_forms_and_says_why() {
    let d = auto("(01)07312345000007(21)1");
    assert_eq!(d.epc_uri, None);
    assert_eq!(d.element_string.as_deref(), Some("(01)07312345000007(21)1"));
    assert_eq!(
        d.digital_link.as_deref(),
        Some("https://id.gs1.org/01/07312345000007/21/1")
    );
    assert_eq!(
        d.notes,
        [
            "no EPC URI: GS1 Company Prefix length unknown for 7312345000007: no entry of the prefix table covers it"
        ]
    );
    // With a table that knows the prefix, the URI appears.
    let table = PrefixTable::parse("7312345 7").unwrap();
    let d = decode("(01)07312345000007(21)1", Form::Auto, &table).unwrap();
    assert_eq!(
        d.epc_uri.as_deref(),
        Some("urn:epc:id:sgtin:7312345.000000.1")
    );
}

#[test]
fn codes_outside_gs1() {
    let drug = auto("81234560012345678901");
    assert_eq!(drug.kind, Kind::CnDrug);
    assert_eq!(
        drug.epc_uri.as_deref(),
        Some("urn:rfid-trace:cn-drug:81234560012345678901")
    );
    assert_eq!(auto("urn:rfid-trace:cn-drug:81234560012345678901"), drug);

    let uid = auto("urn:rfid-trace:uid:iso14443a:04a224b2c53580");
    assert_eq!(uid.kind, Kind::Uid);
    assert_eq!(
        uid.epc_uri.as_deref(),
        Some("urn:rfid-trace:uid:iso14443a:04A224B2C53580")
    );

    for uri in [
        "https://brand.example.com/product/abc",
        "urn:uuid:0f7a8a6e-8b3c-4b5a-9d61-2f3c5d7e9a10",
        "urn:epc:idpat:sgtin:0614141.812345.*",
        "urn:epcglobal:cbv:bt:0614141000012:PO-77",
    ] {
        let d = auto(uri);
        assert_eq!(d.kind, Kind::Uri, "{uri}");
        assert_eq!(d.epc_uri.as_deref(), Some(uri));
    }

    let gid = auto("350000000000000000000000");
    assert_eq!(gid.kind, Kind::EpcHex);
    assert_eq!(gid.epc_uri.as_deref(), Some("urn:epc:id:gid:0.0.0"));
    assert_eq!(gid.element_string, None);
    assert_eq!(
        gid.notes,
        ["no GS1 element string: gid identities have no GS1 key"]
    );
}

/// 20 digits are a drug code unless they are valid GS1 data; a GS1 reading that failed is
/// reported next to the drug-code reading.
#[test]
fn twenty_digits() {
    let sscc = auto("00106141412345678908");
    assert_eq!(sscc.kind, Kind::ElementString);
    assert_eq!(
        sscc.epc_uri.as_deref(),
        Some("urn:epc:id:sscc:0614141.1234567890")
    );

    let typo = auto("00106141412345678907");
    assert_eq!(typo.kind, Kind::CnDrug);
    assert_eq!(
        typo.notes.last().map(String::as_str),
        Some(
            "read as a drug traceability code; as GS1 data it fails: AI (00): bad check digit at position 17: expected 8, found 7"
        )
    );
    // Asked for explicitly, the GS1 reading's error is the answer.
    let err = decode("00106141412345678907", Form::ElementString, &BuiltIn).unwrap_err();
    assert!(matches!(err, CodeError::ElementString(_)), "{err}");
}

#[test]
fn compressed_digital_link() {
    let d = auto("https://dlnkd.tn.gg/HxHKVAdpQgZzjr-hCDKigI");
    assert_eq!(d.kind, Kind::DigitalLink);
    assert_eq!(
        d.element_string.as_deref(),
        Some("(01)09780345418913(10)231(21)345345(15)120820")
    );
    // Without the compressed reading a short base64url last segment is just a URI.
    assert_eq!(auto("https://example.com/products/x").kind, Kind::Uri);
    assert!(
        decode(
            "https://example.com/products/x",
            Form::DigitalLink,
            &BuiltIn
        )
        .is_err()
    );
}

#[test]
fn explicit_forms_refuse_other_shapes() {
    let cases: [(&str, Form); 6] = [
        ("(01)80614141123458(21)6789", Form::EpcHex),
        ("3074257BF7194E4000001A85", Form::EpcUri),
        ("urn:epc:id:sgtin:0614141.812345.6789", Form::ElementString),
        ("(01)80614141123458", Form::DigitalLink),
        ("0180614141123458", Form::CnDrug),
        ("]X0123", Form::ScanData),
    ];
    for (input, form) in cases {
        assert!(
            decode(input, form, &BuiltIn).is_err(),
            "{input} as {form:?}"
        );
    }
    assert_eq!(
        decode("3074257BF7194E4000001A85", Form::EpcHex, &BuiltIn)
            .unwrap()
            .epc_uri
            .as_deref(),
        Some("urn:epc:id:sgtin:0614141.812345.6789")
    );
}

#[test]
fn bad_input_is_named() {
    let cases = [
        ("", "empty input"),
        ("   ", "empty input"),
        ("3AFFFFFFFFFFFFFFFFFFFFFF", "EPC: unknown EPC header 0x3A"),
        (
            "(01)80614141123459",
            "element string: AI (01): bad check digit",
        ),
        ("hello world", "not a code this system reads"),
        ("https://id.gs1.org/01/80614141123459", "GS1 Digital Link: "),
        (
            "urn:rfid-trace:uid:iso14443a:88041F2A",
            "tag UID: UID byte 0 is the cascade tag",
        ),
    ];
    for (input, start) in cases {
        let err = decode(input, Form::Auto, &BuiltIn).unwrap_err().to_string();
        assert!(err.starts_with(start), "{input:?}: {err}");
    }
}

proptest! {
    #[test]
    fn arbitrary_input_never_panics(input in "\\PC{0,80}") {
        let _ = decode(&input, Form::Auto, &BuiltIn);
    }

    #[test]
    fn arbitrary_code_like_input_never_panics(input in "[0-9A-Fa-f()\\]^:/.%a-z\u{1d}]{0,60}") {
        for form in [Form::Auto, Form::EpcHex, Form::EpcUri, Form::ElementString, Form::ScanData, Form::DigitalLink, Form::CnDrug] {
            let _ = decode(&input, form, &BuiltIn);
        }
    }
}
