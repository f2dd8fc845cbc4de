//! Property tests of the EPC codec: valid identities of every scheme survive every conversion
//! unchanged, and no input of any form makes a decoder panic.
// Test helpers outside `#[test]` functions may panic on a broken strategy.
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use proptest::prelude::*;
use proptest::sample::select;
use trace_proto::epc::{Epc, EpcId, Gs1Identity, Lgtin, Scheme};

/// GS1 AI encodable character set 82.
const CSET82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
/// Company prefix bits per partition value.
const GCP_BITS: [u32; 7] = [40, 37, 34, 30, 27, 24, 20];

/// The URI form of a plain set-82 value, written independently of the codec.
fn escape82(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' | '%' | '&' | '/' | '<' | '>' | '?' => format!("%{:02X}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

fn escape6(s: &str) -> String {
    s.replace('/', "%2F").replace('#', "%23")
}

fn chars_of(set: &'static str, len: std::ops::RangeInclusive<usize>) -> BoxedStrategy<String> {
    proptest::collection::vec(select(set.chars().collect::<Vec<_>>()), len)
        .prop_map(|v| v.into_iter().collect())
        .boxed()
}

fn digits(n: usize) -> BoxedStrategy<String> {
    chars_of("0123456789", n..=n)
}

/// An integer below `2^bits` as decimal without leading zeros.
fn int(bits: u32) -> BoxedStrategy<String> {
    (0u64..(1u64 << bits)).prop_map(|v| v.to_string()).boxed()
}

fn text82(max: usize) -> BoxedStrategy<String> {
    chars_of(CSET82, 1..=max).prop_map(|s| escape82(&s)).boxed()
}

fn cage() -> BoxedStrategy<String> {
    chars_of("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", 5..=6)
}

/// `urn:epc:id:<kind>:<gcp>.<reference>.<serial>` with a reference completing `total` digits.
fn keyed(kind: &'static str, total: usize, serial: BoxedStrategy<String>) -> BoxedStrategy<String> {
    (6usize..=12)
        .prop_flat_map(move |l| (digits(l), digits(total - l), serial.clone()))
        .prop_map(move |(g, r, s)| format!("urn:epc:id:{kind}:{g}.{r}.{s}"))
        .boxed()
}

/// A pure identity URI that `scheme` can encode.
fn uri_for(scheme: Scheme) -> BoxedStrategy<String> {
    use Scheme::*;
    match scheme {
        Sgtin96 => keyed("sgtin", 13, int(38)),
        Sgtin198 => keyed("sgtin", 13, text82(20)),
        Sgln96 => keyed("sgln", 12, int(41)),
        Sgln195 => keyed("sgln", 12, text82(20)),
        Grai96 => keyed("grai", 12, int(38)),
        Grai170 => keyed("grai", 12, text82(16)),
        Gdti96 => keyed("gdti", 12, int(41)),
        Gdti174 => keyed("gdti", 12, text82(17)),
        Sgcn96 => keyed("sgcn", 12, (1usize..=12).prop_flat_map(digits).boxed()),
        Sscc96 | Gsrn96 | Gsrnp96 => (6usize..=12)
            .prop_flat_map(|l| (digits(l), digits(17 - l)))
            .prop_map(move |(g, r)| format!("urn:epc:id:{}:{g}.{r}", scheme.kind()))
            .boxed(),
        Giai96 => (6usize..=12)
            .prop_flat_map(|l| (digits(l), int(82 - GCP_BITS[12 - l])))
            .prop_map(|(g, a)| format!("urn:epc:id:giai:{g}.{a}"))
            .boxed(),
        Giai202 => (6usize..=12)
            .prop_flat_map(|l| (digits(l), text82(30 - l)))
            .prop_map(|(g, a)| format!("urn:epc:id:giai:{g}.{a}"))
            .boxed(),
        Cpi96 => (6usize..=12)
            .prop_flat_map(|l| {
                let max = (10u64.pow(15 - l as u32)).min(1 << (51 - GCP_BITS[12 - l]));
                (digits(l), 0..max, int(31))
            })
            .prop_map(|(g, p, s)| format!("urn:epc:id:cpi:{g}.{p}.{s}"))
            .boxed(),
        CpiVar => (6usize..=12)
            .prop_flat_map(|l| {
                let part = chars_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-/#", 1..=30 - l);
                (digits(l), part, 0u64..1_000_000_000_000)
            })
            .prop_map(|(g, p, s)| format!("urn:epc:id:cpi:{g}.{}.{s}", escape6(&p)))
            .boxed(),
        Itip110 | Itip212 => {
            let serial = if scheme == Itip110 {
                int(38)
            } else {
                text82(20)
            };
            (6usize..=12)
                .prop_flat_map(move |l| {
                    (
                        digits(l),
                        digits(13 - l),
                        digits(2),
                        digits(2),
                        serial.clone(),
                    )
                })
                .prop_map(|(g, r, p, t, s)| format!("urn:epc:id:itip:{g}.{r}.{p}.{t}.{s}"))
                .boxed()
        }
        Gid96 => (int(28), int(24), int(36))
            .prop_map(|(m, c, s)| format!("urn:epc:id:gid:{m}.{c}.{s}"))
            .boxed(),
        Usdod96 => (cage(), int(36))
            .prop_map(|(c, s)| format!("urn:epc:id:usdod:{c}.{s}"))
            .boxed(),
        AdiVar => {
            let adi = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-/";
            let serial = (any::<bool>(), chars_of(adi, 1..=29))
                .prop_map(|(hash, s)| if hash { format!("#{s}") } else { s });
            (cage(), chars_of(adi, 0..=32), serial)
                .prop_map(|(c, p, s)| format!("urn:epc:id:adi:{c}.{}.{}", escape6(&p), escape6(&s)))
                .boxed()
        }
    }
}

fn valid_tag() -> impl Strategy<Value = (Scheme, u8, String)> {
    select(Scheme::ALL.to_vec()).prop_flat_map(|s| (Just(s), 0..=s.max_filter(), uri_for(s)))
}

/// The company prefix length of an identity with one, for the GS1 round trip.
fn gcp_len(id: &EpcId) -> Option<u8> {
    let len = match id {
        EpcId::Sgtin(v) | EpcId::Sgln(v) | EpcId::Grai(v) | EpcId::Gdti(v) | EpcId::Sgcn(v) => {
            v.company_prefix().len()
        }
        EpcId::Sscc(v) | EpcId::Gsrn(v) | EpcId::Gsrnp(v) => v.company_prefix().len(),
        EpcId::Giai(v) => v.company_prefix().len(),
        EpcId::Cpi(v) => v.company_prefix().len(),
        EpcId::Itip(v) => v.company_prefix().len(),
        EpcId::Gid(_) | EpcId::Usdod(_) | EpcId::Adi(_) => return None,
    };
    Some(len as u8)
}

/// If `bytes` decode, re-encoding gives back the same bits: each EPC has one binary form.
fn check_canonical(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(epc) = Epc::from_bytes(bytes) {
        let mut buf = [0u8; 64];
        let n = epc.encode(&mut buf).unwrap();
        let bits = epc.bit_len();
        prop_assert!(bits <= bytes.len() * 8);
        let bit = |b: &[u8], i: usize| (b[i / 8] >> (7 - i % 8)) & 1;
        for i in 0..bits {
            prop_assert_eq!(bit(&buf[..n], i), bit(bytes, i), "bit {} of {}", i, epc);
        }
        prop_assert_eq!(&Epc::from_tag_uri(&epc.to_string()).unwrap(), &epc);
        prop_assert_eq!(
            &EpcId::parse(&epc.identity().to_string()).unwrap(),
            epc.identity()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn valid_identities_round_trip((scheme, filter, uri) in valid_tag()) {
        let id = EpcId::parse(&uri).unwrap();
        prop_assert_eq!(id.to_string(), uri.as_str());
        let epc = id.to_tag(filter, Some(scheme)).unwrap();
        let mut buf = [0u8; 64];
        let n = epc.encode(&mut buf).unwrap();
        let bits = epc.bit_len();
        prop_assert_eq!(n, bits.div_ceil(16) * 2);
        if let Some(fixed) = scheme.bits() {
            prop_assert_eq!(bits, usize::from(fixed));
        }
        prop_assert_eq!(&Epc::from_bytes(&buf[..n]).unwrap(), &epc);
        prop_assert_eq!(&Epc::from_hex(&epc.hex().to_string()).unwrap(), &epc);
        prop_assert_eq!(&Epc::from_hex(&epc.hex().to_string().to_lowercase()).unwrap(), &epc);
        prop_assert_eq!(&Epc::from_tag_uri(&epc.to_string()).unwrap(), &epc);
        prop_assert_eq!(epc.identity(), &id);
        let auto = id.to_tag(filter, None).unwrap();
        prop_assert_eq!(auto.scheme().kind(), scheme.kind());
        if let Some(len) = gcp_len(&id) {
            let ais = id.to_gs1().unwrap();
            let pairs: Vec<(&str, &str)> = ais.iter().map(|a| (a.ai, a.value.as_str())).collect();
            prop_assert_eq!(Gs1Identity::from_gs1(&pairs, len).unwrap(), Gs1Identity::Epc(id));
        } else {
            prop_assert!(id.to_gs1().is_err());
        }
    }

    #[test]
    fn lgtin_round_trips(l in 6usize..=12, seed in any::<u64>(), lot in text82(20)) {
        let digits: String = format!("{seed:020}").chars().take(13).collect();
        let uri = format!("urn:epc:class:lgtin:{}.{}.{lot}", &digits[..l], &digits[l..]);
        let class = Lgtin::parse(&uri).unwrap();
        prop_assert_eq!(class.to_string(), uri.as_str());
        let ais = class.to_gs1().unwrap();
        let pairs: Vec<(&str, &str)> = ais.iter().map(|a| (a.ai, a.value.as_str())).collect();
        prop_assert_eq!(Gs1Identity::from_gs1(&pairs, l as u8).unwrap(), Gs1Identity::Lgtin(class));
    }

    #[test]
    fn arbitrary_bytes_decode_canonically(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        check_canonical(&bytes)?;
    }

    #[test]
    fn bytes_with_known_headers_decode_canonically(
        header in select(Scheme::ALL.to_vec()),
        rest in proptest::collection::vec(any::<u8>(), 0..60),
    ) {
        let mut bytes = vec![header.header()];
        bytes.extend(rest);
        check_canonical(&bytes)?;
    }

    #[test]
    fn arbitrary_hex_never_panics(hex in "[0-9A-Fa-f]{0,140}|.{0,140}") {
        let _ = Epc::from_hex(&hex);
    }

    #[test]
    fn arbitrary_uris_never_panic(
        prefix in select(vec![
            "urn:epc:id:", "urn:epc:tag:", "urn:epc:class:lgtin:", "",
        ]),
        name in select(Scheme::ALL.iter().flat_map(|s| [s.name(), s.kind()]).collect::<Vec<_>>()),
        body in "[0-9A-Za-z.%#/!-]{0,60}|.{0,60}",
    ) {
        for uri in [format!("{prefix}{name}:{body}"), format!("{prefix}{body}"), body.clone()] {
            let _ = EpcId::parse(&uri);
            let _ = Epc::from_tag_uri(&uri);
            let _ = Lgtin::parse(&uri);
        }
    }

    #[test]
    fn arbitrary_ai_pairs_never_panic(
        pairs in proptest::collection::vec(
            (select(vec!["00", "01", "10", "21", "253", "254", "255", "414", "8003", "8004",
                         "8006", "8010", "8011", "8017", "8018", "17"]),
             "[0-9]{0,20}|.{0,32}"),
            0..4,
        ),
        gcp_len in any::<u8>(),
    ) {
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(a, v)| (*a, v.as_str())).collect();
        let _ = Gs1Identity::from_gs1(&pairs, gcp_len);
    }
}
