//! What is wrong with an EPCIS document: every problem found, each with the JSON path of the
//! value it concerns (`$.epcisBody.eventList[3].epcList[0]`), so a sender can fix them all at
//! once instead of one per round trip.

use std::fmt;

/// Most problems kept per document; the rest are only counted.
pub const MAX_PROBLEMS: usize = 100;

/// A JSON path in the `$.a.b[2]["c:d"]` notation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath(String);

impl JsonPath {
    /// `$`, the whole document.
    pub fn root() -> Self {
        Self("$".into())
    }

    /// The member `key` of the object at this path.
    pub fn key(&self, key: &str) -> Self {
        let plain = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if plain {
            Self(format!("{}.{key}", self.0))
        } else {
            Self(format!("{}[{key:?}]", self.0))
        }
    }

    /// Item `index` of the array at this path.
    pub fn at(&self, index: usize) -> Self {
        Self(format!("{}[{index}]", self.0))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One problem: where, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON path of the offending value (or of the object missing a field).
    pub path: String,
    /// What is wrong, quoting the value.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The problems of one document, in document order, at most [`MAX_PROBLEMS`] of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems {
    list: Vec<Problem>,
    omitted: usize,
}

impl Problems {
    /// Records a problem at `path`.
    pub fn push(&mut self, path: &JsonPath, message: impl fmt::Display) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(Problem {
                path: path.as_str().into(),
                message: message.to_string(),
            });
        } else {
            self.omitted += 1;
        }
    }

    /// The problems kept.
    pub fn list(&self) -> &[Problem] {
        &self.list
    }

    /// How many more problems were found than kept.
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Problems found so far (kept or omitted), to tell whether a part added any.
    pub(crate) fn count(&self) -> usize {
        self.list.len() + self.omitted
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.list.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        if self.omitted > 0 {
            write!(f, "\n… and {} more problems", self.omitted)?;
        }
        Ok(())
    }
}

/// Why an EPCIS JSON-LD input was refused.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The input is not JSON at all.
    #[error("$: not JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The input is JSON but not valid EPCIS 2.0; every problem found is listed.
    #[error("{0}")]
    Invalid(Problems),
}

impl DecodeError {
    /// The problems as (path, message) pairs; one at `$` for input that is not JSON.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Self::Json(e) => vec![Problem {
                path: "$".into(),
                message: format!("not JSON: {e}"),
            }],
            Self::Invalid(problems) => problems.list().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_quote_keys_that_are_not_plain_names() {
        let path = JsonPath::root().key("epcisBody").key("eventList").at(3);
        assert_eq!(
            path.key("epcList").at(0).as_str(),
            "$.epcisBody.eventList[3].epcList[0]"
        );
        assert_eq!(
            path.key("ex:batch").as_str(),
            r#"$.epcisBody.eventList[3]["ex:batch"]"#
        );
        assert_eq!(
            JsonPath::root().key("@context").as_str(),
            r#"$["@context"]"#
        );
    }

    #[test]
    fn problems_beyond_the_cap_are_counted_not_kept() {
        let mut problems = Problems::default();
        for i in 0..MAX_PROBLEMS + 5 {
            problems.push(&JsonPath::root().at(i), "bad");
        }
        assert_eq!(problems.list().len(), MAX_PROBLEMS);
        assert_eq!(problems.omitted(), 5);
        assert!(problems.to_string().ends_with("… and 5 more problems"));
    }
}
