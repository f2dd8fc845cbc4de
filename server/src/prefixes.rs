//! The GS1 Company Prefix table the server decodes codes with: GS1's full list, shipped
//! compressed inside the binary, extended by the operator's own files.

use std::path::Path;

use anyhow::Context;
use flate2::read::GzDecoder;
use std::io::Read;
use trace_proto::company_prefix::PrefixTable;

/// GS1's GCP length list (see the header of the file for its source and format).
const GS1_LIST: &[u8] = include_bytes!("../data/gcp-prefix-lengths.txt.gz");

/// GS1's list, then each of `extra_files` in order (later entries win).
pub fn load(extra_files: &[impl AsRef<Path>]) -> anyhow::Result<PrefixTable> {
    let mut text = String::new();
    GzDecoder::new(GS1_LIST)
        .read_to_string(&mut text)
        .context("reading the built-in GS1 Company Prefix list")?;
    let mut table =
        PrefixTable::parse(&text).context("parsing the built-in GS1 Company Prefix list")?;
    for file in extra_files {
        let file = file.as_ref();
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("reading the prefix table {}", file.display()))?;
        table
            .extend(&text)
            .with_context(|| format!("in the prefix table {}", file.display()))?;
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace_proto::company_prefix::{CompanyPrefixes, PrefixError};

    #[test]
    fn built_in_list_covers_real_prefixes() {
        let table = load(&[] as &[&Path]).unwrap();
        assert!(table.len() > 100_000, "{} entries", table.len());
        // GS1 US example company 0614141 (7 digits) and a GS1 China range.
        assert_eq!(table.company_prefix_len("0614141123452"), Ok(7));
        assert_eq!(table.company_prefix_len("6901028000000"), Ok(10));
        // Restricted circulation numbers hold no company prefixes.
        assert!(matches!(
            table.company_prefix_len("0212345000000"),
            Err(PrefixError::NotAllocated { .. })
        ));
    }

    #[test]
    fn operator_files_override_and_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("ours.txt");
        std::fs::write(&good, "0614141 9\n").unwrap();
        let table = load(&[&good]).unwrap();
        assert_eq!(table.company_prefix_len("0614141123452"), Ok(9));

        let bad = dir.path().join("bad.txt");
        std::fs::write(&bad, "0614141 nine\n").unwrap();
        let err = format!("{:#}", load(&[&bad]).unwrap_err());
        assert!(err.contains("bad.txt") && err.contains("line 1"), "{err}");
    }
}
