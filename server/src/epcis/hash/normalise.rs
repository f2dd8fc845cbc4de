//! Value normalisation of the event hash (docs/event-hash.md §5), applied in the order the
//! rules give: trim, timestamps, bare CBV words, compact IRIs, CBV URNs, numbers, GS1
//! identifiers.

use std::borrow::Cow;

use serde_json::Value;
use trace_proto::event::EventTime;

use super::gs1;
use crate::epcis::context::Context;

/// How a field's bare words and timestamps are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// No field-specific rule.
    Plain,
    /// `eventTime`, `time`, `startTime`, `endTime`: to UTC milliseconds.
    Time,
    /// A bare word gets this prefix (`bizStep` → `https://ref.gs1.org/cbv/BizStep-`).
    Vocabulary(&'static str),
}

/// `bizStep`.
pub(crate) const BIZ_STEP: Field = Field::Vocabulary("https://ref.gs1.org/cbv/BizStep-");
/// `disposition`, persistentDisposition `set` and `unset`.
pub(crate) const DISPOSITION: Field = Field::Vocabulary("https://ref.gs1.org/cbv/Disp-");
/// bizTransaction `type`.
pub(crate) const BIZ_TRANSACTION_TYPE: Field = Field::Vocabulary("https://ref.gs1.org/cbv/BTT-");
/// source/destination `type`.
pub(crate) const SOURCE_DEST_TYPE: Field = Field::Vocabulary("https://ref.gs1.org/cbv/SDT-");
/// sensorReport `type` and `exception`.
pub(crate) const GS1_VOC: Field = Field::Vocabulary("https://gs1.org/voc/");
/// sensorReport `component`.
pub(crate) const COMPONENT: Field = Field::Vocabulary("https://ref.gs1.org/cbv/Comp-");

/// CBV 1.x URN namespaces and the CBV 2.0 web URI prefixes they become.
const CBV_URNS: [(&str, &str); 5] = [
    (
        "urn:epcglobal:cbv:bizstep:",
        "https://ref.gs1.org/cbv/BizStep-",
    ),
    ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
    ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
    ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
];

/// The text of a JSON leaf (string, number, boolean); `None` for null, arrays and objects.
pub(crate) fn leaf_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Number(n) => Some(Cow::Owned(number_text(n))),
        _ => None,
    }
}

/// A JSON number as plain decimal text (never an exponent).
pub(crate) fn number_text(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        // Rust prints an f64 as the shortest plain decimal that reads back as the same value.
        n.as_f64().map(|f| f.to_string()).unwrap_or_default()
    }
}

/// Normalises one value of `field` (§5 steps 1-7).
pub(crate) fn normalise(raw: &str, field: Field, context: &Context) -> String {
    let value = raw.trim();
    if field == Field::Time
        && let Ok(time) = value.parse::<EventTime>()
    {
        return time.to_string();
    }
    let mut value: Cow<'_, str> = Cow::Borrowed(value);
    if let Field::Vocabulary(prefix) = field
        && !value.contains(':')
        && !value.is_empty()
    {
        value = Cow::Owned(format!("{prefix}{value}"));
    }
    value = expand_curie(value, context);
    if let Some(web) = CBV_URNS
        .iter()
        .find_map(|(urn, web)| value.strip_prefix(urn).map(|term| format!("{web}{term}")))
    {
        value = Cow::Owned(web);
    }
    if let Some(number) = plain_decimal(&value) {
        return number;
    }
    gs1::canonical(&value).into_owned()
}

/// `gs1:` and `cbv:` always, other prefixes when the context declares them.
fn expand_curie<'v>(value: Cow<'v, str>, context: &Context) -> Cow<'v, str> {
    if let Some(rest) = value.strip_prefix("gs1:") {
        return Cow::Owned(format!("https://gs1.org/voc/{rest}"));
    }
    if let Some(rest) = value.strip_prefix("cbv:") {
        return Cow::Owned(format!("https://ref.gs1.org/cbv/{rest}"));
    }
    match context.expand_curie(&value) {
        Cow::Owned(expanded) => Cow::Owned(expanded),
        Cow::Borrowed(_) => value,
    }
}

/// A wholly decimal number (`-0010.50`, `10.`, `.5`) as plain decimal text (`-10.5`, `10`,
/// `0.5`); `None` for anything else.
pub(crate) fn plain_decimal(text: &str) -> Option<String> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    let int = match int.trim_start_matches('0') {
        "" => "0",
        int => int,
    };
    let frac = frac.trim_end_matches('0');
    let mut out = String::with_capacity(text.len());
    if negative && (int != "0" || !frac.is_empty()) {
        out.push('-');
    }
    out.push_str(int);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_in_turn() {
        let ctx = Context::epcis();
        let n = |raw: &str, field: Field| normalise(raw, field, &ctx);
        assert_eq!(n(" B-17 ", Field::Plain), "B-17");
        assert_eq!(
            n("2024-03-01T10:15:30.1235+01:00", Field::Time),
            "2024-03-01T09:15:30.124Z"
        );
        assert_eq!(
            n("2024-03-02T23:59:59.9996-02:00", Field::Time),
            "2024-03-03T02:00:00.000Z"
        );
        assert_eq!(
            n("shipping", BIZ_STEP),
            "https://ref.gs1.org/cbv/BizStep-shipping"
        );
        assert_eq!(
            n("urn:epcglobal:cbv:disp:in_transit", DISPOSITION),
            "https://ref.gs1.org/cbv/Disp-in_transit"
        );
        assert_eq!(
            n("cbv:Comp-latitude", COMPONENT),
            "https://ref.gs1.org/cbv/Comp-latitude"
        );
        assert_eq!(n("Temperature", GS1_VOC), "https://gs1.org/voc/Temperature");
        assert_eq!(
            n("urn:epcglobal:cbv:bt:1:2", BIZ_TRANSACTION_TYPE),
            "urn:epcglobal:cbv:bt:1:2"
        );
        assert_eq!(n("0010.50", Field::Plain), "10.5");
        assert_eq!(
            n("urn:epc:id:sgln:4012345.00001.0", Field::Plain),
            "https://id.gs1.org/414/4012345000016"
        );
        // Timestamps outside the four time fields stay as written.
        assert_eq!(
            n("2013-06-08T14:58:56.591Z", Field::Plain),
            "2013-06-08T14:58:56.591Z"
        );
    }

    #[test]
    fn plain_decimals() {
        for (input, expected) in [
            ("10.0", Some("10")),
            ("+5", Some("5")),
            ("-0.0", Some("0")),
            (".5", Some("0.5")),
            ("10.", Some("10")),
            ("007", Some("7")),
            ("1e3", None),
            ("1.2.3", None),
            ("-", None),
            ("", None),
        ] {
            assert_eq!(plain_decimal(input).as_deref(), expected, "{input}");
        }
    }
}
