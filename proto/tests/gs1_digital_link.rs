//! Every row of `tests/data/digital_link_cases.tsv` (jodal/biip and gs1/digital-link.js
//! vectors): parsing, canonical and custom-host forms, element strings, validity and the
//! compressed links of GS1's compression prototype.

mod gs1_support;

use gs1_support::{Row, assert_no_failures, judge, note_value, rows};
use trace_proto::gs1::{DigitalLink, ParseOptions, decompress};

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/digital_link_cases.tsv"
);

/// Rows this project disagrees with: (URI, reason). The test asserts the opposite of the
/// row's `valid` column, so a change of behaviour is noticed.
const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "https://example.com/giai/0801234126",
        "GIAI (8004) is X..30,gcppos1 (Syntax Dictionary; GS1 General Specifications §3.9.4): \
         it has no check digit and 0801234126 starts with a 4-digit company prefix, so it is a \
         valid primary key",
    ),
    (
        "https://example.com/giai/0801234127",
        "same as above: a GIAI has no check digit to be wrong",
    ),
];

fn options(note: &str) -> ParseOptions<'static> {
    ParseOptions {
        verify_dates: !note.contains("verify_date=False"),
        sort_qualifiers: note.contains("setSortKeyQualifiers(true)"),
        ..ParseOptions::default()
    }
}

/// A quoted note argument such as `domain='brand.example.net'`; `None` for `None`.
fn argument<'n>(note: &'n str, key: &str) -> Option<&'n str> {
    note_value(note, key)
        .filter(|v| *v != "None")
        .map(|v| v.trim_matches('\''))
}

/// Parses a row's URI, decompressing it first when it is a compressed link; returns the
/// element string and the URI forms the row may compare against.
fn run(row: &Row) -> Result<(), String> {
    let (uri, expected, note) = (row.col(0), row.col(2), row.col(3));
    let opts = options(note);
    if note.starts_with("COMPRESSED") {
        let expanded = decompress(uri, &opts)
            .map_err(|e| e.to_string())?
            .to_string();
        DigitalLink::parse_with(&expanded, &opts).map_err(|e| e.to_string())?;
        if expected.starts_with("https://") && expanded != expected {
            return Err(format!("decompressed to {expanded}"));
        }
        return Ok(());
    }
    let link = match DigitalLink::parse_with(uri, &opts) {
        Ok(link) => link,
        Err(parse_error) => {
            // digital-link.js validates compressed links transparently.
            let expanded = decompress(uri, &opts).map_err(|_| parse_error.to_string())?;
            return DigitalLink::parse_with(&expanded.to_string(), &opts)
                .map(drop)
                .map_err(|e| e.to_string());
        }
    };
    let es = link.element_string();
    let got = if note.starts_with("test_as_uri") {
        match argument(note, "domain") {
            Some(host) => link
                .with_host(host, argument(note, "prefix").unwrap_or(""))
                .to_string(),
            None => link.canonical().to_string(),
        }
    } else if note.starts_with("test_as_canonical_uri") {
        link.canonical().to_string()
    } else if let Some(ai) = argument(note, "ai") {
        es.get(ai)
            .map_or("None".to_owned(), |e| e.value().to_owned())
    } else if note.contains("DATA.url") {
        let others: Vec<String> = link
            .other_params()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let want_others = ["thngId=U5mQKGDpnymBwQwRakyBqeYh", "linkType=test"];
        if others != want_others {
            return Err(format!("other parameters {others:?}"));
        }
        let want = "(01)09780345418913(10)38737643(21)58943(15)230911";
        return (es.bracketed().to_string() == want)
            .then_some(())
            .ok_or(format!("got {}", es.bracketed()));
    } else {
        es.bracketed().to_string()
    };
    if expected.is_empty() || got == expected {
        Ok(())
    } else {
        Err(format!("got {got}"))
    }
}

#[test]
fn every_row() {
    let rows = rows(FILE).expect("test data file");
    let mut failures = Vec::new();
    let mut exceptions_seen = 0;
    for row in &rows {
        let valid = row.col(1) == "yes";
        let exception = EXCEPTIONS.iter().find(|(uri, _)| row.col(0) == *uri);
        let outcome = run(row);
        let describe =
            |what: String| format!("line {}: {} ({}): {what}", row.line, row.col(0), row.col(3));
        if exception.is_some() {
            exceptions_seen += 1;
        }
        let reason = exception.map(|(_, reason)| *reason);
        if let Some(what) = judge(valid, reason, outcome) {
            failures.push(describe(what));
        }
    }
    assert_eq!(
        exceptions_seen,
        EXCEPTIONS.len(),
        "an exception matches no row"
    );
    assert_no_failures(FILE, rows.len(), &failures);
    assert_eq!(rows.len(), 65);
}

#[test]
fn typed_errors() {
    use trace_proto::gs1::DigitalLinkError as E;
    let err = |uri| DigitalLink::parse(uri).unwrap_err();
    assert_eq!(err("614141123452"), E::NotAUri);
    assert!(matches!(
        err("mailto:alice@example.com"),
        E::UnsupportedScheme { .. }
    ));
    assert_eq!(err("http://example.com/foo/123"), E::NoPrimaryKey);
    assert_eq!(
        err("https://example.com/foo/01/614141123452/123"),
        E::OddPathSegments { ai: "01" }
    );
    assert_eq!(
        err("https://id.gs1.org/01/614141123452/15/20250324"),
        E::QualifierNotAllowed {
            key: "01",
            found: "15"
        }
    );
    assert_eq!(
        err("https://id.gs1.org/01/614141123452/10/ABC123/22/123456789"),
        E::QualifierOutOfOrder {
            key: "01",
            found: "22"
        }
    );
    assert_eq!(
        err("https://id.gs1.org/00/106141412345678908/10/ABC123"),
        E::NoQualifierAllowed {
            key: "00",
            found: "10"
        }
    );
    assert_eq!(
        err("https://id.gs1.org/01/09520123456788?10=ABC"),
        E::QualifierInQuery { ai: "10" }
    );
    assert!(
        matches!(err("https://id.gs1.org/01/09520123456788?99=A&89=B"), E::UnknownAi { key } if key == "89")
    );
    assert_eq!(
        err("https://id.gs1.org/01/09520123456788?21=A"),
        E::NotDataAttribute { ai: "21" }
    );
    assert_eq!(
        err("https://id.gs1.org/01/09520123456788/10/A?99=X&99=X"),
        E::DuplicateAi { ai: "99" }
    );
    assert_eq!(
        err("https://id.gs1.org/01/09520123456788?99=A%2"),
        E::BadPercentEncoding { position: 41 }
    );
    assert_eq!(
        err("https://id.gs1.org/01/09520123456787").to_string(),
        "AI (01): bad check digit at position 13: expected 8, found 7"
    );
}

#[test]
fn percent_encoding_round_trips() {
    let link =
        DigitalLink::parse("https://a.example/8004/9520614141234567?01=9520123456788&99=A%2FB%21C")
            .unwrap();
    assert_eq!(
        link.element_string().bracketed().to_string(),
        "(8004)9520614141234567(01)09520123456788(99)A/B!C"
    );
    assert_eq!(
        link.canonical().to_string(),
        "https://id.gs1.org/8004/9520614141234567?01=09520123456788&99=A%2FB%21C"
    );
}
