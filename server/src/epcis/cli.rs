//! `trace-server epcis hash`: the CBV 2.0 event hash ID (or the pre-hash string) of every
//! event of EPCIS 2.0 JSON-LD files, one line per event, in document order.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use trace_proto::company_prefix::CompanyPrefixes;

use super::decode::decode_document;

/// Writes one line per event of each file in `files` to `out`: its hash ID, or with
/// `prehash` its pre-hash string. A file that is not valid EPCIS 2.0 stops the command with
/// every problem found in it. Returns the number of events written.
pub fn hash_command(
    files: &[PathBuf],
    prehash: bool,
    prefixes: &dyn CompanyPrefixes,
    out: &mut impl Write,
) -> anyhow::Result<usize> {
    let mut count = 0;
    for file in files {
        let json = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let events = decode_document(&json, prefixes)
            .with_context(|| format!("{} is not a valid EPCIS 2.0 document", file.display()))?;
        for event in &events {
            let line = if prehash {
                event.pre_hash.clone()
            } else {
                event.hash_id()
            };
            writeln!(out, "{line}").context("writing the output")?;
        }
        count += events.len();
    }
    Ok(count)
}
