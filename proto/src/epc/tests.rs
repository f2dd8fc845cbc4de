//! Error messages of typical bad inputs, and the GS1 AI forms of the TDS examples.

extern crate std;

use std::string::{String, ToString};
use std::vec::Vec;

use super::{Epc, EpcError, EpcId, Gs1Identity, Lgtin, Scheme};

fn hex_err(hex: &str) -> String {
    Epc::from_hex(hex).unwrap_err().to_string()
}

fn id_err(uri: &str) -> String {
    EpcId::parse(uri).unwrap_err().to_string()
}

fn tag_err(uri: &str) -> String {
    Epc::from_tag_uri(uri).unwrap_err().to_string()
}

fn to_tag_err(uri: &str, scheme: Scheme) -> String {
    EpcId::parse(uri)
        .unwrap()
        .to_tag(0, Some(scheme))
        .unwrap_err()
        .to_string()
}

fn gs1_err(pairs: &[(&str, &str)], gcp_len: u8) -> String {
    Gs1Identity::from_gs1(pairs, gcp_len)
        .unwrap_err()
        .to_string()
}

#[test]
fn binary_errors() {
    assert_eq!(
        hex_err("3AFFFFFFFFFFFFFFFFFFFFFF"),
        "unknown EPC header 0x3A"
    );
    assert_eq!(
        hex_err("3074257BF7194E40"),
        "truncated EPC: need 96 bits, got 64"
    );
    assert_eq!(hex_err(""), "truncated EPC: need 8 bits, got 0");
    assert_eq!(
        hex_err("3074257BF7194E4000001A8G"),
        "bad hex character 'G' at position 23"
    );
    assert_eq!(
        hex_err(" 3074257BF7194E4000001A85"),
        "bad hex character ' ' at position 0"
    );
    assert_eq!(
        hex_err(&"30".repeat(65)),
        "hex string has 130 digits; an EPC bank holds at most 128"
    );
    // Filter 3, partition 7.
    assert_eq!(
        hex_err("307C257BF7194E4000001A85"),
        "partition 7 is not valid for sgtin-96"
    );
    // Partition 5 (7 digits) holding 0xFFFFFF.
    assert_eq!(
        hex_err("3077FFFFFF194E4000001A85"),
        "company prefix value 16777215 exceeds 7 digits"
    );
    assert_eq!(
        hex_err("3174257BF4499602D2000001"),
        "the reserved bits of sscc-96 are not zero"
    );
    // SGTIN-198 "32a/b" with a stray bit after the terminator.
    assert_eq!(
        hex_err("3674257BF6B7A659B2C2BF1000000000000000000000000004"),
        "bits after the end of the serial are not zero"
    );
    // SGTIN-198 whose serial starts with '#' (0x23), outside character set 82.
    assert_eq!(
        hex_err("3674257BF6B7A6518000000000000000000000000000000000"),
        "character '#' at position 0 of the serial is not allowed"
    );
    // A 6-digit SGCN serial field coded without the leading 1 of the numeric string coding.
    assert!(Epc::from_hex("3F14F4E4E612640000009907").is_err());
}

#[test]
fn uri_errors() {
    assert_eq!(
        id_err("urn:epc:sgtin:0614141.812345.6789"),
        "not an EPC URI: expected it to start with urn:epc:id:"
    );
    assert_eq!(
        id_err("urn:epc:id:foo:1.2"),
        "unknown EPC scheme \"foo\" in URI"
    );
    assert_eq!(
        id_err("urn:epc:id:sgtin:0614141.812345"),
        "sgtin URI has 2 components; expected 3"
    );
    assert_eq!(
        id_err("urn:epc:id:sgtin:0614141.812345.67#89"),
        "character '#' at position 2 of the serial is not allowed"
    );
    assert_eq!(
        id_err("urn:epc:id:sgtin:0614141.812345.a/b"),
        "character '/' at position 1 of the serial must be written %2F"
    );
    assert_eq!(
        id_err("urn:epc:id:sgtin:0614141.812345.%41%zz"),
        "bad %-escape at position 3 of the serial"
    );
    assert_eq!(
        id_err("urn:epc:id:sgtin:0614141.812345.%23"),
        "bad %-escape at position 0 of the serial"
    );
    assert_eq!(
        id_err("urn:epc:id:sgtin:0614141.812345.123456789012345678901"),
        "serial has 21 characters; 1 to 20 allowed"
    );
    assert_eq!(
        id_err("urn:epc:id:sgtin:06141.8123456.1"),
        "GS1 Company Prefix length 5 is not supported: EPC schemes need 6 to 12 digits"
    );
    assert_eq!(
        id_err("urn:epc:id:sgtin:0614141.81234.1"),
        "item reference has 5 characters; 6 to 6 allowed"
    );
    assert_eq!(
        id_err("urn:epc:id:gid:01.2.3"),
        "manager number has a leading zero, which gid-96 cannot represent"
    );
    assert_eq!(
        id_err("urn:epc:id:usdod:CAGEI.1"),
        "character 'I' at position 4 of the CAGE/DoDAAC code is not allowed"
    );
    assert_eq!(
        tag_err("urn:epc:tag:sgtin-96:8.0614141.812345.6789"),
        "filter value 8 is not valid for sgtin-96 (0 to 7)"
    );
    assert_eq!(
        tag_err("urn:epc:tag:sgtin-96:3.0614141.812345"),
        "sgtin URI has 3 components; expected 4"
    );
    assert_eq!(
        tag_err("urn:epc:tag:sgtin-97:3.0614141.812345.1"),
        "unknown EPC scheme \"sgtin-97\" in URI"
    );
}

#[test]
fn encoding_errors() {
    let sgtin = "urn:epc:id:sgtin:0614141.812345.";
    assert_eq!(
        to_tag_err(&[sgtin, "06789"].concat(), Scheme::Sgtin96),
        "serial has a leading zero, which sgtin-96 cannot represent"
    );
    assert_eq!(
        to_tag_err(&[sgtin, "274877906944"].concat(), Scheme::Sgtin96),
        "serial does not fit in the 38 bits of sgtin-96"
    );
    assert_eq!(
        to_tag_err(&[sgtin, "32a%2Fb"].concat(), Scheme::Sgtin96),
        "serial must be all digits for sgtin-96"
    );
    assert_eq!(
        to_tag_err("urn:epc:id:sscc:0614141.1234567890", Scheme::Sgtin96),
        "sgtin-96 cannot encode a sscc identity"
    );
    assert_eq!(
        to_tag_err("urn:epc:id:cpi:0614141.12-456.1", Scheme::Cpi96),
        "part reference must be all digits for cpi-96"
    );
    let epc = Epc::from_hex("3074257BF7194E4000001A85").unwrap();
    assert_eq!(
        epc.encode(&mut [0u8; 4]).unwrap_err().to_string(),
        "output buffer has 4 bytes; the EPC needs 12"
    );
}

#[test]
fn scheme_choice() {
    let id = |uri| EpcId::parse(uri).unwrap();
    let auto = |uri| id(uri).to_tag(1, None).unwrap().scheme();
    assert_eq!(
        auto("urn:epc:id:sgtin:0614141.812345.6789"),
        Scheme::Sgtin96
    );
    assert_eq!(auto("urn:epc:id:sgtin:0614141.812345.0"), Scheme::Sgtin96);
    assert_eq!(
        auto("urn:epc:id:sgtin:0614141.812345.06789"),
        Scheme::Sgtin198
    );
    assert_eq!(
        auto("urn:epc:id:sgtin:0614141.812345.274877906944"),
        Scheme::Sgtin198
    );
    assert_eq!(auto("urn:epc:id:giai:0614141.02"), Scheme::Giai202);
    assert_eq!(auto("urn:epc:id:cpi:0614141.123456.0"), Scheme::Cpi96);
    assert_eq!(auto("urn:epc:id:cpi:0614141.12-456.0"), Scheme::CpiVar);
    assert_eq!(
        auto("urn:epc:id:itip:4012345.012345.01.02.mw133"),
        Scheme::Itip212
    );
    assert_eq!(auto("urn:epc:id:sscc:0614141.1234567890"), Scheme::Sscc96);
    let gid = id("urn:epc:id:gid:1.2.3");
    assert_eq!(gid.to_tag(0, None).unwrap().filter(), None);
    assert_eq!(
        gid.to_tag(1, None).unwrap_err(),
        EpcError::BadFilter {
            scheme: "gid-96",
            value: 1,
            max: 0
        }
    );
    let tag = id("urn:epc:id:sgtin:0614141.812345.6789")
        .to_tag(3, None)
        .unwrap();
    assert_eq!(tag.hex().to_string(), "3074257BF7194E4000001A85");
}

fn ais(pairs: &super::AiValues) -> Vec<(&str, &str)> {
    pairs.iter().map(|a| (a.ai, a.value.as_str())).collect()
}

#[test]
fn gs1_forms_of_tds_examples() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "urn:epc:id:sgtin:0614141.812345.6789",
            &[("01", "80614141123458"), ("21", "6789")],
        ),
        (
            "urn:epc:id:sgtin:0614141.712345.32a%2Fb",
            &[("01", "70614141123451"), ("21", "32a/b")],
        ),
        (
            "urn:epc:id:sscc:0614141.1234567890",
            &[("00", "106141412345678908")],
        ),
        (
            "urn:epc:id:sgln:0614141.12345.400",
            &[("414", "0614141123452"), ("254", "400")],
        ),
        (
            "urn:epc:id:sgln:0614141.12345.0",
            &[("414", "0614141123452")],
        ),
        (
            "urn:epc:id:grai:0614141.12345.400",
            &[("8003", "00614141123452400")],
        ),
        (
            "urn:epc:id:giai:0614141.32a%2Fb",
            &[("8004", "061414132a/b")],
        ),
        (
            "urn:epc:id:gsrn:0614141.1234567890",
            &[("8018", "061414112345678902")],
        ),
        (
            "urn:epc:id:gsrnp:0614141.1234567890",
            &[("8017", "061414112345678902")],
        ),
        (
            "urn:epc:id:gdti:0614141.12345.006847",
            &[("253", "0614141123452006847")],
        ),
        (
            "urn:epc:id:sgcn:4012345.67890.04711",
            &[("255", "401234567890104711")],
        ),
        (
            "urn:epc:id:cpi:0614141.5PQ7%2FZ43.12345",
            &[("8010", "06141415PQ7/Z43"), ("8011", "12345")],
        ),
        (
            "urn:epc:id:itip:4012345.012345.01.02.987",
            &[("8006", "040123451234560102"), ("21", "987")],
        ),
    ];
    for (uri, expected) in cases {
        let id = EpcId::parse(uri).unwrap();
        let pairs = id.to_gs1().unwrap();
        assert_eq!(&ais(&pairs), expected, "{uri}");
        let gcp = uri
            .split(':')
            .nth(4)
            .unwrap()
            .split('.')
            .next()
            .unwrap()
            .len() as u8;
        assert_eq!(
            Gs1Identity::from_gs1(expected, gcp).unwrap(),
            Gs1Identity::Epc(id),
            "{uri}"
        );
    }
    let lgtin = Lgtin::parse("urn:epc:class:lgtin:0614141.812345.LOT%2F42").unwrap();
    assert_eq!(lgtin.lot(), "LOT/42");
    let pairs = lgtin.to_gs1().unwrap();
    assert_eq!(ais(&pairs), [("01", "80614141123458"), ("10", "LOT/42")]);
    // (10) alone gives the class; with (21) too, the SGTIN.
    let element = [("01", "80614141123458"), ("17", "251231"), ("10", "LOT/42")];
    assert_eq!(
        Gs1Identity::from_gs1(&element, 7).unwrap(),
        Gs1Identity::Lgtin(lgtin)
    );
    let element = [("01", "80614141123458"), ("10", "L1"), ("21", "32a/b")];
    let Gs1Identity::Epc(id) = Gs1Identity::from_gs1(&element, 7).unwrap() else {
        panic!("not an EPC")
    };
    assert_eq!(id.to_string(), "urn:epc:id:sgtin:0614141.812345.32a%2Fb");
}

#[test]
fn gs1_errors() {
    assert_eq!(
        gs1_err(&[("01", "80614141123459"), ("21", "1")], 7),
        "AI (01): bad check digit at position 13: expected 8, found 9"
    );
    assert_eq!(
        gs1_err(&[("01", "80614141123458")], 7),
        "AI (01) needs (21) or (10) to form an EPC"
    );
    assert_eq!(
        gs1_err(&[("01", "80614141123458"), ("21", "a b")], 7),
        "character ' ' at position 1 of the serial is not allowed"
    );
    assert_eq!(
        gs1_err(&[("01", "80614141123458"), ("21", "1"), ("21", "2")], 7),
        "AI (21) is given twice"
    );
    assert_eq!(
        gs1_err(&[("00", "106141412345678908"), ("01", "80614141123458")], 7),
        "AIs (00) and (01) are both keys; give one"
    );
    assert_eq!(
        gs1_err(&[("17", "251231")], 7),
        "no GS1 key among the AIs: expected one of (00) (01) (253) (255) (414) (8003) (8004) (8006) (8010) (8017) (8018)"
    );
    assert_eq!(
        gs1_err(&[("8003", "00614141123452")], 7),
        "AI (8003) needs a serial after the GRAI to form an EPC"
    );
    assert_eq!(
        gs1_err(&[("00", "106141412345678908")], 13),
        "GS1 Company Prefix length 13 is not supported: EPC schemes need 6 to 12 digits"
    );
    assert_eq!(
        gs1_err(&[("8010", "06141415PQ7/Z43"), ("8011", "012")], 7),
        "serial has a leading zero, which a CPI serial cannot represent"
    );
    assert_eq!(
        EpcId::parse("urn:epc:id:gid:1.2.3")
            .unwrap()
            .to_gs1()
            .unwrap_err()
            .to_string(),
        "gid identities have no GS1 key"
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_uses_the_canonical_uris() {
    let id = EpcId::parse("urn:epc:id:sgtin:0614141.712345.32a%2fb").unwrap();
    let json = serde_json::to_string(&id).unwrap();
    assert_eq!(json, "\"urn:epc:id:sgtin:0614141.712345.32a%2Fb\"");
    assert_eq!(serde_json::from_str::<EpcId>(&json).unwrap(), id);

    let tag = id.to_tag(3, None).unwrap();
    let json = serde_json::to_string(&tag).unwrap();
    assert_eq!(json, "\"urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb\"");
    assert_eq!(serde_json::from_str::<Epc>(&json).unwrap(), tag);

    let lgtin: Lgtin = "urn:epc:class:lgtin:0614141.812345.LOT42".parse().unwrap();
    let json = serde_json::to_string(&lgtin).unwrap();
    assert_eq!(serde_json::from_str::<Lgtin>(&json).unwrap(), lgtin);

    let err = serde_json::from_str::<EpcId>("\"urn:epc:id:sgtin:1\"").unwrap_err();
    assert!(
        err.to_string()
            .contains("sgtin URI has 1 components; expected 3"),
        "{err}"
    );
}
