//! Shared by the epcis_* tests: the example documents and the prefix table.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use trace_proto::company_prefix::PrefixTable;

/// tests/data/epcis.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/epcis")
}

/// Every example document, sorted by path.
pub fn example_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![data_dir().join("examples")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "jsonld") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// GS1's company prefix list, as the server loads it (once per test binary).
pub fn prefix_table() -> &'static PrefixTable {
    static TABLE: OnceLock<PrefixTable> = OnceLock::new();
    TABLE.get_or_init(|| trace_server::prefixes::load(&[] as &[&Path]).unwrap())
}
