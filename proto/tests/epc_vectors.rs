//! Every row of `tests/data/epc_vectors.tsv` (public TDS examples and the test suites of
//! nedap/retail-epcpy and dannyhaak/TagDataTranslation) against the EPC codec.
//!
//! Padding policy: the codec writes the EPC bank zero-padded to whole 16-bit words; the
//! vectors are word-, byte- or nibble-padded, or cut to the scheme's length. So binaries are
//! compared on the EPC's own bits (`Epc::bit_len`), and the vector may be longer.
//!
//! No row is listed as an exception: every row agrees with TDS 2.x as implemented here.
// Test helpers outside `#[test]` functions may panic on malformed test data.
#![allow(clippy::expect_used, clippy::panic)]

use trace_proto::epc::{Epc, EpcId, Scheme};

const TSV: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/epc_vectors.tsv"
));

struct Row<'a> {
    line: usize,
    scheme: &'a str,
    hex: &'a str,
    uri: &'a str,
    tag_uri: &'a str,
    filter: &'a str,
    valid: bool,
}

fn rows() -> Vec<Row<'static>> {
    let mut lines = TSV.lines().enumerate();
    let header = lines.next().expect("header").1;
    assert_eq!(
        header,
        "scheme\thex\turi\ttag_uri\tsource\tfilter\tvalid\tnote"
    );
    lines
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 8, "line {}: {} columns", i + 1, f.len());
            Row {
                line: i + 1,
                scheme: f[0],
                hex: f[1],
                uri: f[2],
                tag_uri: f[3],
                filter: f[5],
                valid: match f[6] {
                    "yes" => true,
                    "no" => false,
                    other => panic!("line {}: valid = {other:?}", i + 1),
                },
            }
        })
        .collect()
}

/// Rows this codec deliberately treats differently from the file: (line, reason from the
/// standard, the problems the row is expected to show). The test fails if such a row's
/// behaviour changes, including when it starts to pass.
const EXCEPTIONS: &[(usize, &str, &str)] = &[];

/// Bits of a hex string, most significant first.
fn bits(hex: &str) -> Vec<bool> {
    hex.chars()
        .flat_map(|c| {
            let n = c.to_digit(16).expect("hex digit");
            (0..4).rev().map(move |i| (n >> i) & 1 == 1)
        })
        .collect()
}

/// Every mismatch of one valid row.
fn check_valid(row: &Row<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let epc = match Epc::from_hex(row.hex) {
        Ok(epc) => epc,
        Err(e) => return vec![format!("hex does not decode: {e}")],
    };
    if !row.scheme.eq_ignore_ascii_case(epc.scheme().name()) {
        out.push(format!("scheme {} decoded as {}", row.scheme, epc.scheme()));
    }
    if !row.uri.is_empty() && epc.identity().to_string() != row.uri {
        out.push(format!("hex -> pure URI {}", epc.identity()));
    }
    if epc.to_string() != row.tag_uri {
        out.push(format!("hex -> tag URI {epc}"));
    }
    let filter = epc.filter().map(|f| f.to_string()).unwrap_or_default();
    if filter != row.filter {
        out.push(format!("hex -> filter {filter:?}"));
    }
    match Epc::from_tag_uri(row.tag_uri) {
        Err(e) => out.push(format!("tag URI does not parse: {e}")),
        Ok(from_uri) => {
            if from_uri != epc {
                out.push(format!("tag URI parses to {from_uri}"));
            }
            let n = from_uri.bit_len();
            let mine = bits(&from_uri.hex().to_string());
            let theirs = bits(row.hex);
            if theirs.len() < n || mine[..n] != theirs[..n] {
                out.push(format!("tag URI -> hex {} ({n} bits)", from_uri.hex()));
            }
            if mine[n..].iter().any(|&b| b) || !mine.len().is_multiple_of(16) {
                out.push(format!("padding of {} is not zero words", from_uri.hex()));
            }
        }
    }
    if !row.uri.is_empty() {
        match EpcId::parse(row.uri) {
            Err(e) => out.push(format!("pure URI does not parse: {e}")),
            Ok(id) if &id != epc.identity() => out.push(format!("pure URI parses to {id}")),
            Ok(_) => {}
        }
    }
    out
}

#[test]
fn every_vector() {
    let rows = rows();
    assert!(rows.len() > 100, "only {} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let problems = if row.valid {
            check_valid(row)
        } else {
            match Epc::from_hex(row.hex) {
                Ok(epc) => vec![format!("invalid row decodes to {epc}")],
                Err(_) => vec![],
            }
        };
        let problems = problems.join("; ");
        match EXCEPTIONS.iter().find(|(line, ..)| *line == row.line) {
            None if !problems.is_empty() => failures.push(format!(
                "line {} {} {}: {problems}",
                row.line, row.scheme, row.hex
            )),
            Some((_, reason, expected)) if problems != *expected => failures.push(format!(
                "line {}: exception ({reason}) expected {expected:?}, got {problems:?}",
                row.line
            )),
            _ => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows fail:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn vectors_cover_every_scheme() {
    let rows = rows();
    for scheme in Scheme::ALL {
        assert!(
            rows.iter()
                .any(|r| r.valid && r.scheme.eq_ignore_ascii_case(scheme.name())),
            "no valid vector for {scheme}"
        );
    }
}
