//! Compiles the GS1 Barcode Syntax Dictionary (`data/gs1-syntax-dictionary.txt`) into a static
//! table of Application Identifiers that `src/gs1/dictionary.rs` includes.
//!
//! Every AI range ("3100-3105") is expanded into one entry per AI and the table is sorted by
//! AI, so the crate can binary-search it. Attribute values (`req=`, `ex=`, `dlpkey=`) are kept
//! as the dictionary spells them; the crate interprets them at run time.

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

const DICTIONARY: &str = "data/gs1-syntax-dictionary.txt";

/// Characters the dictionary reserves for flags (see its header).
const FLAG_CHARS: &str = "*!?\"$%&'()+,-./:;<=>@[\\]^_`{|}~";

struct Component {
    charset: &'static str,
    min_len: usize,
    max_len: usize,
    optional: bool,
    linters: Vec<String>,
}

struct Entry {
    ai: String,
    fnc1_required: bool,
    dl_data_attribute: bool,
    components: Vec<Component>,
    requires: Vec<String>,
    excludes: Vec<String>,
    dl_primary_key: Option<String>,
    title: String,
}

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed={DICTIONARY}");
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(DICTIONARY)?;
    let mut entries = Vec::new();
    for (number, line) in text.lines().enumerate() {
        parse_line(line, &mut entries).map_err(|e| format!("{DICTIONARY}:{}: {e}", number + 1))?;
    }
    entries.sort_by(|a, b| a.ai.cmp(&b.ai));
    if let Some(pair) = entries.windows(2).find(|w| w[0].ai == w[1].ai) {
        return Err(format!("{DICTIONARY}: AI {} is defined twice", pair[0].ai).into());
    }
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("gs1_dictionary.rs");
    std::fs::write(out, render(&entries)?)?;
    Ok(())
}

fn parse_line(line: &str, entries: &mut Vec<Entry>) -> Result<(), Box<dyn Error>> {
    let (body, title) = match line.split_once('#') {
        Some((body, title)) => (body, title.trim()),
        None => (line, ""),
    };
    let mut tokens = body.split_whitespace().peekable();
    let Some(ais) = tokens.next() else {
        return Ok(());
    };
    let mut flags = "";
    if let Some(token) = tokens.peek()
        && token.chars().all(|c| FLAG_CHARS.contains(c))
    {
        flags = token;
        tokens.next();
    }
    let mut components = Vec::new();
    let mut requires = Vec::new();
    let mut excludes = Vec::new();
    let mut dl_primary_key = None;
    for token in tokens {
        if let Some(spec) = token.strip_prefix("req=") {
            requires.push(spec.to_owned());
        } else if let Some(spec) = token.strip_prefix("ex=") {
            excludes.extend(spec.split(',').map(str::to_owned));
        } else if token == "dlpkey" {
            dl_primary_key = Some(String::new());
        } else if let Some(spec) = token.strip_prefix("dlpkey=") {
            dl_primary_key = Some(spec.to_owned());
        } else if token.contains('=') {
            return Err(format!("unknown attribute {token:?}").into());
        } else {
            components.push(parse_component(token)?);
        }
    }
    if components.is_empty() {
        return Err(format!("AI {ais} has no components").into());
    }
    let (first, last) = ais.split_once('-').unwrap_or((ais, ais));
    if first.len() != last.len() || !(2..=4).contains(&first.len()) {
        return Err(format!("bad AI range {ais:?}").into());
    }
    let (low, high): (u32, u32) = (first.parse()?, last.parse()?);
    for ai in low..=high {
        entries.push(Entry {
            ai: format!("{ai:0width$}", width = first.len()),
            fnc1_required: !flags.contains('*'),
            dl_data_attribute: flags.contains('?'),
            components: components
                .iter()
                .map(|c| Component {
                    linters: c.linters.clone(),
                    ..*c
                })
                .collect(),
            requires: requires.clone(),
            excludes: excludes.clone(),
            dl_primary_key: dl_primary_key.clone(),
            title: title.to_owned(),
        });
    }
    Ok(())
}

/// Parses `N13,csum`, `X..20`, `[N..6]` or `[N3],iso3166`.
fn parse_component(token: &str) -> Result<Component, Box<dyn Error>> {
    let (spec, linters) = token.split_once(',').unwrap_or((token, ""));
    let (spec, optional) = match spec.strip_prefix('[') {
        Some(inner) => (inner.strip_suffix(']').ok_or("unclosed '['")?, true),
        None => (spec, false),
    };
    let charset = match spec.get(..1) {
        Some("N") => "Numeric",
        Some("X") => "Cset82",
        Some("Y") => "Cset39",
        Some("Z") => "Cset64",
        _ => return Err(format!("unknown component type in {token:?}").into()),
    };
    let length = spec.get(1..).unwrap_or("");
    let (min_len, max_len) = match length.strip_prefix("..") {
        Some(max) => (1, max.parse()?),
        None => {
            let fixed = length.parse()?;
            (fixed, fixed)
        }
    };
    let linters = linters
        .split(',')
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(Component {
        charset,
        min_len,
        max_len,
        optional,
        linters,
    })
}

/// `yymmd0` → `Yymmd0`: the `Linter` variant named after the dictionary's linter.
fn variant(linter: &str) -> String {
    let mut chars = linter.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn render(entries: &[Entry]) -> Result<String, Box<dyn Error>> {
    let mut out = String::new();
    writeln!(
        out,
        "// Generated by build.rs from {DICTIONARY}; do not edit."
    )?;
    let max_value_len = entries
        .iter()
        .map(|e| e.components.iter().map(|c| c.max_len).sum::<usize>())
        .max()
        .unwrap_or(0);
    writeln!(out, "/// Longest value any AI of the dictionary allows.")?;
    writeln!(out, "pub const MAX_VALUE_LEN: usize = {max_value_len};")?;
    writeln!(
        out,
        "/// Every AI of the dictionary, ranges expanded, sorted by AI."
    )?;
    writeln!(out, "pub static ENTRIES: [AiEntry; {}] = [", entries.len())?;
    for e in entries {
        writeln!(out, "    AiEntry {{")?;
        writeln!(out, "        ai: {:?},", e.ai)?;
        writeln!(out, "        fnc1_required: {},", e.fnc1_required)?;
        writeln!(out, "        dl_data_attribute: {},", e.dl_data_attribute)?;
        writeln!(out, "        components: &[")?;
        for c in &e.components {
            let linters: Vec<String> = c
                .linters
                .iter()
                .map(|l| format!("Linter::{}", variant(l)))
                .collect();
            writeln!(
                out,
                "            Component {{ charset: Charset::{}, min_len: {}, max_len: {}, optional: {}, linters: &[{}] }},",
                c.charset,
                c.min_len,
                c.max_len,
                c.optional,
                linters.join(", ")
            )?;
        }
        writeln!(out, "        ],")?;
        writeln!(out, "        requires: &{:?},", e.requires)?;
        writeln!(out, "        excludes: &{:?},", e.excludes)?;
        writeln!(out, "        dl_primary_key: {:?},", e.dl_primary_key)?;
        writeln!(out, "        title: {:?},", e.title)?;
        writeln!(out, "    }},")?;
    }
    writeln!(out, "];")?;
    Ok(out)
}
