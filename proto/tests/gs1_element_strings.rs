//! Every row of `tests/data/element_string_cases.tsv` (jodal/biip vectors): raw and bracketed
//! element strings, single elements with their dates and decimal measures, check digits and
//! scanner data with symbology identifiers.

mod gs1_support;

use gs1_support::{Row, assert_no_failures, judge, note_value, rows};
use trace_proto::check_digit;
use trace_proto::gs1::price_check_digit;
use trace_proto::gs1::{ElementString, ParseOptions, ScanContent, parse_scan_data};

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/element_string_cases.tsv"
);

/// Year two-digit years are resolved against (GS1 General Specifications §7.12).
const REFERENCE_YEAR: u16 = 2025;

/// Rows this project disagrees with: (input, format prefix, reason). For each the test
/// asserts the opposite of the row's `valid` column, so a change of behaviour is noticed.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "800307071324001022085952",
        "raw",
        "GRAI (8003) is N1 N13,csum [X..16] (Syntax Dictionary; GS1 General Specifications \
         §3.9.3): the check digit of 7071324001022 is 1, not 2; biip does not verify it",
    ),
    (
        "800307071324001022085952",
        "single element string",
        "same GRAI with a bad check digit (expected 1, found 2)",
    ),
    (
        "43240701029999",
        "single element string",
        "the Syntax Dictionary defines AI (4324) as N6,yymmd0 N4,hhmi; hhmi allows hours \
         00-23 and minutes 00-59, so time 9999 is rejected (as by the GS1 Syntax Engine)",
    ),
    (
        "43250701029999",
        "single element string",
        "AI (4325) is N6,yymmd0 N4,hhmi in the Syntax Dictionary; time 9999 is not an hhmi",
    ),
    (
        "00376130321109103421",
        "biip.parse()",
        "the SSCC in (00) has a bad check digit (expected 0, found 1); GS1 General \
         Specifications §7.9 makes the element string invalid, biip keeps it with an sscc_error",
    ),
    (
        "0105901234123458",
        "biip.parse()",
        "the GTIN in (01) has a bad check digit (expected 7, found 8); invalid per GS1 General \
         Specifications §7.9, biip keeps it with a gtin_error",
    ),
];

fn options<'a>(note: &str, separators: &'a [char]) -> ParseOptions<'a> {
    ParseOptions {
        separators,
        verify_dates: !note.contains("verify_date=False"),
        ..ParseOptions::default()
    }
}

/// `dt.date(2003, 2, 1)` or `dt.datetime(2007, 1, 2, 14, 30)` as numbers.
fn python_date(text: &str) -> Option<Vec<u16>> {
    let inner = text.split_once('(')?.1.strip_suffix(')')?;
    inner.split(',').map(|n| n.trim().parse().ok()).collect()
}

/// `Decimal('1.23456')` or `Decimal(10)` as text.
fn python_decimal(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("Decimal(")?.strip_suffix(')')?;
    Some(inner.trim_matches('\''))
}

/// Checks a single parsed element against the row's expected column and note.
fn check_single(es: &ElementString, expected: &str, note: &str) -> Result<(), String> {
    let e = es.elements().first().ok_or("no element")?;
    let date = e
        .as_date(REFERENCE_YEAR)
        .map(|(y, m, d)| vec![y, m.into(), d.into()]);
    if expected.starts_with('(') && es.bracketed().to_string() != expected {
        return Err(format!("got {}", es.bracketed()));
    }
    let wanted_date = note_value(note, "expected_date").map(python_date);
    let wanted_date =
        wanted_date.or_else(|| expected.starts_with("dt.").then(|| python_date(expected)));
    if let Some(want) = wanted_date
        && date != want
    {
        return Err(format!("date {date:?}, expected {want:?}"));
    }
    if let Some(want) = note_value(note, "expected_datetime") {
        let got = e.as_time().and_then(|(h, m, s)| {
            let mut v = date.clone()?;
            v.extend([u16::from(h), u16::from(m)]);
            if s > 0 {
                v.push(u16::from(s));
            }
            Some(v)
        });
        if got != python_date(want) {
            return Err(format!("datetime {got:?}, expected {want}"));
        }
    }
    let wanted_decimal = note_value(note, "expected_decimal").or(Some(expected));
    if let Some(want) = wanted_decimal.and_then(python_decimal) {
        let got = e.as_decimal().map(|d| d.to_string());
        if got.as_deref() != Some(want) {
            return Err(format!("decimal {got:?}, expected {want}"));
        }
    }
    if let Some(currency) = note_value(note, "expected_currency") {
        let numeric = match currency.trim_matches('\'') {
            "ZAR" => "710",
            "EUR" => "978",
            other => return Err(format!("no ISO 4217 numeric code known for {other}")),
        };
        if e.components().next().map(|(_, code)| code) != Some(numeric) {
            return Err(format!("currency is not {numeric}"));
        }
    }
    Ok(())
}

/// The element strings a biip auto-detect row accepts, in bracketed form.
fn acceptable(expected: &str) -> Vec<String> {
    if expected.starts_with('(') {
        return vec![expected.to_owned()];
    }
    expected
        .split(';')
        .filter_map(|part| part.trim().split_once('='))
        .filter_map(|(key, value)| match key {
            "gtin" => Some(format!("(01){value:0>14}")),
            "sscc" => Some(format!("(00){value}")),
            "gs1_message" | "gs1_digital_link_uri" => Some(value.to_owned()),
            _ => None,
        })
        .collect()
}

fn check_scan(input: &str, expected: &str, separators: &[char]) -> Result<(), String> {
    let scan = parse_scan_data(input, &options("", separators)).map_err(|e| e.to_string())?;
    let got = scan.element_string().bracketed().to_string();
    if let Some(id) = note_value(expected, "symbology")
        && scan.symbology.map(|s| s.to_string()).as_deref() != Some(id)
    {
        return Err(format!("symbology {:?}, expected {id}", scan.symbology));
    }
    if expected.contains("gs1_digital_link_uri")
        != matches!(scan.content, ScanContent::DigitalLink(_))
    {
        return Err("Digital Link detection differs".into());
    }
    let accepted = acceptable(expected);
    if !accepted.contains(&got) {
        return Err(format!("got {got}, expected one of {accepted:?}"));
    }
    Ok(())
}

fn check_digit_row(input: &str, note: &str, expected: &str) -> Result<(), String> {
    let got = if note.starts_with("test_gs1_price_weight") {
        price_check_digit::compute(input).map_err(|e| e.to_string())
    } else {
        check_digit::compute(input).map_err(|e| e.to_string())
    };
    match (got, expected.parse::<u8>()) {
        (Ok(d), Ok(want)) if d == want => Ok(()),
        (got, _) => Err(format!("got {got:?}")),
    }
}

/// Runs one row; `Ok` when it parsed (and matched), `Err` with the reason otherwise.
fn run(row: &Row) -> Result<(), String> {
    let (input, format, expected, note) = (row.col(0), row.col(1), row.col(3), row.col(4));
    let pipe: &[char] = if note.contains("'|'") || format.contains("'|'") {
        &['|']
    } else {
        &[]
    };
    let opts = options(note, pipe);
    if format.starts_with("check digit") {
        return check_digit_row(input, note, expected);
    }
    if format.starts_with("biip.parse()") {
        return check_scan(input, expected, pipe);
    }
    let es = if format.starts_with("hri") {
        ElementString::parse_bracketed(input, &opts)
    } else {
        ElementString::parse_raw(input, &opts)
    }
    .map_err(|e| e.to_string())?;
    if let Some(ai) = note_value(note, "ai") {
        let got = es.get(ai.trim_matches('\'')).map(|e| e.value());
        return (got == Some(expected))
            .then_some(())
            .ok_or(format!("got {got:?}"));
    }
    if format.starts_with("single") {
        return check_single(&es, expected, note);
    }
    let got = es.bracketed().to_string();
    (got == expected).then_some(()).ok_or(format!("got {got}"))
}

#[test]
fn every_row() {
    let rows = rows(FILE).expect("test data file");
    let mut failures = Vec::new();
    let mut exceptions_seen = 0;
    for row in &rows {
        let valid = row.col(2) == "yes";
        let exception = EXCEPTIONS
            .iter()
            .find(|(input, format, _)| row.col(0) == *input && row.col(1).starts_with(format));
        let outcome = run(row);
        let describe = |what: String| {
            format!(
                "line {}: {:?} ({}): {what}",
                row.line,
                row.col(0),
                row.col(4)
            )
        };
        if exception.is_some() {
            exceptions_seen += 1;
        }
        let reason = exception.map(|(_, _, reason)| *reason);
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
    assert_eq!(rows.len(), 121);
}
