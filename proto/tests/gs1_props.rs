//! Property tests: no parser panics on any input, and valid element strings and Digital
//! Links survive a round trip through each of their written forms.

use proptest::collection::vec;
use proptest::prelude::*;
use trace_proto::check_digit;
use trace_proto::gs1::dictionary::{AiEntry, Charset, entries};
use trace_proto::gs1::lint::Linter;
use trace_proto::gs1::{DigitalLink, ElementString, ParseOptions, decompress, parse_scan_data};

const CSET82: &[u8] =
    b"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
const CSET39: &[u8] = b"#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const CSET64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Characters that steer random input into the parsers' interesting paths.
const SYNTAX: &str = "0123456789()[]^|%/?&=#:.-_+\\ \u{1d}aAzZ]CQde1ünk";

fn syntax_string() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("https://a.example/".to_owned()),
        Just("]C1".to_owned()),
        Just("]Q3".to_owned()),
        Just("01".to_owned()),
        Just("(01)".to_owned()),
        Just("09506000134352".to_owned()),
        proptest::sample::select(SYNTAX.chars().collect::<Vec<_>>()).prop_map(String::from),
    ];
    vec(pieces, 0..24).prop_map(|p| p.concat())
}

/// A value for `entry` built from `seed`: random characters of each component's set, a
/// correct check digit where the component has one. Other linters may still reject it.
fn value_for(entry: &AiEntry, seed: &[u8]) -> String {
    let mut bytes = seed.iter().copied().chain(std::iter::repeat(7));
    let mut next = || usize::from(bytes.next().unwrap_or(0));
    let mut value = String::new();
    for c in entry.components {
        if c.optional && next() % 3 == 0 {
            break;
        }
        let len = if c.is_fixed() {
            usize::from(c.max_len)
        } else {
            1 + next() % usize::from(c.max_len)
        };
        let alphabet: &[u8] = match c.charset {
            Charset::Numeric => b"0123456789",
            Charset::Cset82 => CSET82,
            Charset::Cset39 => CSET39,
            Charset::Cset64 => CSET64,
        };
        let mut part: String = (0..len)
            .map(|_| char::from(alphabet[next() % alphabet.len()]))
            .collect();
        if c.linters.contains(&Linter::Csum) && len > 1 {
            part.pop();
            part.push(check_digit::digit_char(&part).unwrap_or('0'));
        }
        value.push_str(&part);
    }
    value
}

fn element_string(picks: &[(usize, Vec<u8>)], pool: &[&'static AiEntry]) -> Option<ElementString> {
    let values: Vec<(&str, String)> = picks
        .iter()
        .map(|(i, seed)| {
            let entry = pool[i % pool.len()];
            (entry.ai, value_for(entry, seed))
        })
        .collect();
    let pairs = values.iter().map(|(ai, v)| (*ai, v.as_str()));
    ElementString::from_pairs(pairs, &ParseOptions::default()).ok()
}

fn picks() -> impl Strategy<Value = Vec<(usize, Vec<u8>)>> {
    vec((any::<usize>(), vec(any::<u8>(), 0..64)), 1..6)
}

proptest! {
    #[test]
    fn parsers_never_panic(text in prop_oneof![any::<String>(), syntax_string()], bytes in vec(any::<u8>(), 0..64)) {
        let opts = ParseOptions { separators: &['|'], ..ParseOptions::default() };
        for input in [text.as_str(), &String::from_utf8_lossy(&bytes)] {
            let _ = ElementString::parse_bracketed(input, &opts);
            let _ = ElementString::parse_raw(input, &opts);
            let _ = ElementString::parse_fnc1(input, &opts);
            let _ = parse_scan_data(input, &opts);
            if let Ok(link) = DigitalLink::parse(input) {
                let _ = (link.to_string(), link.canonical().to_string());
            }
            if let Ok(expanded) = decompress(input, &opts) {
                let _ = expanded.to_string();
            }
        }
    }

    #[test]
    fn compressed_segments_never_panic(segment in "[A-Za-z0-9_-]{1,40}") {
        if let Ok(expanded) = decompress(&format!("https://a.example/{segment}"), &ParseOptions::default()) {
            let _ = expanded.to_string();
        }
    }

    #[test]
    fn element_strings_round_trip(picks in picks()) {
        let pool: Vec<&'static AiEntry> = entries().iter().collect();
        let es = element_string(&picks, &pool);
        prop_assume!(es.is_some());
        let es = es.unwrap();
        let opts = ParseOptions::default();
        let bracketed = es.bracketed().to_string();
        prop_assert_eq!(ElementString::parse_bracketed(&bracketed, &opts), Ok(es.clone()));
        let fnc1 = es.fnc1().to_string();
        prop_assert_eq!(ElementString::parse_fnc1(&fnc1, &opts), Ok(es.clone()));
        let raw = fnc1[1..].replace('^', "\u{1d}");
        prop_assert_eq!(ElementString::parse_raw(&raw, &opts), Ok(es));
    }

    #[test]
    fn digital_links_round_trip(key in (any::<usize>(), vec(any::<u8>(), 0..64)), rest in picks()) {
        let keys: Vec<&'static AiEntry> = entries().iter().filter(|e| e.dl_primary_key.is_some()).collect();
        let others: Vec<&'static AiEntry> = entries().iter().filter(|e| e.dl_data_attribute).collect();
        let first = element_string(std::slice::from_ref(&key), &keys);
        prop_assume!(first.is_some());
        let first = first.unwrap();
        let more = element_string(&rest, &others);
        prop_assume!(more.is_some());
        let more = more.unwrap();
        let pairs: Vec<(&str, &str)> = first.elements().iter().chain(more.elements())
            .map(|e| (e.ai(), e.value())).collect();
        let es = ElementString::from_pairs(pairs, &ParseOptions::default());
        prop_assume!(es.is_ok());
        let es = es.unwrap();
        let link = DigitalLink::from_element_string(&es);
        prop_assume!(link.is_ok());
        let link = link.unwrap();
        let canonical = link.canonical().to_string();
        let parsed = DigitalLink::parse(&canonical);
        prop_assert!(parsed.is_ok(), "{canonical}: {parsed:?}");
        let reparsed = parsed.unwrap();
        let again = DigitalLink::from_element_string(reparsed.element_string()).unwrap();
        prop_assert_eq!(again.canonical().to_string(), canonical.clone());
        for e in es.elements() {
            prop_assert_eq!(reparsed.element_string().get(e.ai()).map(|x| x.value()), Some(e.value()));
        }
    }
}
