//! Every GS1 EPCIS 2.0 example document (tests/data/epcis/examples, see SOURCE.md there)
//! decodes without a problem, and the event hash IDs the examples carry are reproduced where
//! they follow docs/event-hash.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod epcis_common;

use epcis_common::{example_files, prefix_table, read};
use trace_server::epcis::decode_document;

#[test]
fn every_example_decodes() {
    let table = prefix_table();
    let files = example_files();
    assert_eq!(files.len(), 47, "46 documents and one query document");
    let mut failures = Vec::new();
    let mut events = 0;
    for file in &files {
        match decode_document(&read(file), table) {
            Ok(decoded) => {
                assert!(!decoded.is_empty(), "{} has no events", file.display());
                events += decoded.len();
            }
            Err(e) => failures.push(format!("{}:\n{e}", file.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(events, 56);
}
