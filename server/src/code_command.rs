//! `trace-server code`: decodes codes a user holds — typed, pasted or dumped by a reader —
//! into their canonical identity and every other form, as a readable table or JSON lines.

use std::io::{self, BufRead, Write};

use serde::Serialize;
use trace_proto::code::{self, CodeError, Decoded, Form, Kind};
use trace_proto::company_prefix::CompanyPrefixes;

/// One output record: the input, what it decoded to (fields `null` when it did not) and
/// the error (`null` when it did). Every record has every field, so consumers of the JSON
/// lines need no special case.
#[derive(Debug, Serialize)]
struct Record<'a> {
    input: &'a str,
    kind: Option<Kind>,
    epc_uri: Option<String>,
    tag_uri: Option<String>,
    filter: Option<u8>,
    element_string: Option<String>,
    fnc1: Option<String>,
    ais: Vec<(String, String)>,
    digital_link: Option<String>,
    notes: Vec<String>,
    error: Option<String>,
}

impl<'a> Record<'a> {
    fn new(input: &'a str, result: Result<Decoded, CodeError>) -> Self {
        match result {
            Ok(d) => Record {
                input,
                kind: Some(d.kind),
                epc_uri: d.epc_uri,
                tag_uri: d.tag_uri,
                filter: d.filter,
                element_string: d.element_string,
                fnc1: d.fnc1,
                ais: d.ais,
                digital_link: d.digital_link,
                notes: d.notes,
                error: None,
            },
            Err(e) => Record {
                input,
                kind: None,
                epc_uri: None,
                tag_uri: None,
                filter: None,
                element_string: None,
                fnc1: None,
                ais: Vec::new(),
                digital_link: None,
                notes: Vec::new(),
                error: Some(e.to_string()),
            },
        }
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// A block of labelled lines per input.
    Table,
    /// One JSON object per input line.
    Json,
}

/// Decodes every input and writes one record each to `out`; returns how many were invalid.
pub fn run(
    inputs: impl IntoIterator<Item = String>,
    form: Form,
    prefixes: &dyn CompanyPrefixes,
    output: Output,
    out: &mut dyn Write,
) -> io::Result<usize> {
    let mut invalid = 0;
    for input in inputs {
        let input = input.trim_end_matches(['\r', '\n']);
        let result = code::decode(input, form, prefixes);
        if result.is_err() {
            invalid += 1;
        }
        let record = Record::new(input, result);
        match output {
            Output::Json => {
                serde_json::to_writer(&mut *out, &record)?;
                writeln!(out)?;
            }
            Output::Table => write_table(&record, out)?,
        }
    }
    Ok(invalid)
}

/// The inputs: the arguments, or stdin's non-blank lines when there are none (a supervisor
/// pastes a reader dump).
pub fn inputs(args: Vec<String>) -> Box<dyn Iterator<Item = String>> {
    if args.is_empty() {
        Box::new(
            io::stdin()
                .lock()
                .lines()
                .map_while(Result::ok)
                .filter(|line| !line.trim().is_empty()),
        )
    } else {
        Box::new(args.into_iter())
    }
}

fn write_table(record: &Record<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", printable(record.input))?;
    let row =
        |out: &mut dyn Write, label: &str, value: &str| writeln!(out, "  {label:<15} {value}");
    if let Some(error) = &record.error {
        row(out, "error", error)?;
    }
    if let Some(kind) = record.kind {
        let kind = serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        row(out, "kind", &kind)?;
    }
    let fields = [
        ("identity", &record.epc_uri),
        ("tag URI", &record.tag_uri),
        ("element string", &record.element_string),
        ("FNC1 form", &record.fnc1),
        ("Digital Link", &record.digital_link),
    ];
    for (label, value) in fields {
        if let Some(value) = value {
            row(out, label, value)?;
        }
    }
    if let Some(filter) = record.filter {
        row(out, "filter", &filter.to_string())?;
    }
    for note in &record.notes {
        row(out, "note", note)?;
    }
    writeln!(out)
}

/// The input as shown in the table: the GS separator as `<GS>`.
fn printable(input: &str) -> String {
    input.replace('\u{1d}', "<GS>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace_proto::company_prefix::BuiltIn;

    fn json(inputs: &[&str]) -> (Vec<serde_json::Value>, usize) {
        let mut out = Vec::new();
        let invalid = run(
            inputs.iter().map(|s| s.to_string()),
            Form::Auto,
            &BuiltIn,
            Output::Json,
            &mut out,
        )
        .unwrap();
        let lines = String::from_utf8(out).unwrap();
        let values = lines
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (values, invalid)
    }

    #[test]
    fn json_lines_carry_every_field() {
        let (values, invalid) = json(&["3074257BF7194E4000001A85", "(01)0614141"]);
        assert_eq!(invalid, 1);
        let tag = &values[0];
        assert_eq!(tag["input"], "3074257BF7194E4000001A85");
        assert_eq!(tag["kind"], "epc-hex");
        assert_eq!(tag["epc_uri"], "urn:epc:id:sgtin:0614141.812345.6789");
        assert_eq!(tag["tag_uri"], "urn:epc:tag:sgtin-96:3.0614141.812345.6789");
        assert_eq!(tag["filter"], 3);
        assert_eq!(tag["element_string"], "(01)80614141123458(21)6789");
        assert_eq!(tag["fnc1"], "^0180614141123458216789");
        assert_eq!(
            tag["ais"],
            serde_json::json!([["01", "80614141123458"], ["21", "6789"]])
        );
        assert_eq!(
            tag["digital_link"],
            "https://id.gs1.org/01/80614141123458/21/6789"
        );
        assert_eq!(tag["error"], serde_json::Value::Null);
        let bad = &values[1];
        assert_eq!(bad["input"], "(01)0614141");
        assert!(bad["error"].as_str().unwrap().contains("(01)"), "{bad}");
        assert_eq!(bad["epc_uri"], serde_json::Value::Null);
    }

    #[test]
    fn table_labels_each_form() {
        let mut out = Vec::new();
        let invalid = run(
            ["0107032069804988100329\u{1d}15210526".to_string()],
            Form::Auto,
            &BuiltIn,
            Output::Table,
            &mut out,
        )
        .unwrap();
        assert_eq!(invalid, 0);
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("0107032069804988100329<GS>15210526\n"),
            "{text}"
        );
        assert!(
            text.contains("  element string  (01)07032069804988(10)0329(15)210526\n"),
            "{text}"
        );
        assert!(
            text.contains("  note            no EPC URI: GS1 Company Prefix length unknown"),
            "{text}"
        );
    }
}
