//! Reading the GS1 test vector TSV files (format in `tests/data/README.md`) and collecting
//! row failures so a test reports all of them at once.

/// One data row: its 1-based line number and unescaped columns.
pub struct Row {
    pub line: usize,
    pub cols: Vec<String>,
}

impl Row {
    /// Column `i`, or "" when the row is short.
    pub fn col(&self, i: usize) -> &str {
        self.cols.get(i).map_or("", String::as_str)
    }
}

/// Undoes the TSV escapes (`\t`, `\n`, `\\`) and turns `<GS>` into 0x1D.
fn unescape(field: &str) -> String {
    let mut out = String::new();
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out.replace("<GS>", "\u{1d}")
}

/// The data rows of a TSV file (header skipped).
pub fn rows(path: &str) -> std::io::Result<Vec<Row>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| Row {
            line: i + 1,
            cols: l.split('\t').map(unescape).collect(),
        })
        .collect())
}

/// The value of `key=...` inside a note, up to the next `;`.
pub fn note_value<'n>(note: &'n str, key: &str) -> Option<&'n str> {
    note.split(';')
        .map(str::trim)
        .find_map(|part| part.strip_prefix(key)?.strip_prefix('='))
}

/// What is wrong with one row's outcome, if anything: a row listed as an exception (with
/// its reason) must still disagree with the file; any other row must agree with it.
pub fn judge(valid: bool, exception: Option<&str>, outcome: Result<(), String>) -> Option<String> {
    match (exception, valid, outcome) {
        (Some(reason), _, outcome) => {
            (outcome.is_ok() == valid).then(|| format!("exception no longer holds ({reason})"))
        }
        (None, true, Err(why)) => Some(why),
        (None, false, Ok(())) => Some("accepted an invalid row".into()),
        _ => None,
    }
}

/// Fails with every collected failure listed.
pub fn assert_no_failures(file: &str, checked: usize, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} of {checked} rows of {file} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
