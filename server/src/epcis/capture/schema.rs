//! GS1's EPCIS 2.0 JSON Schema (draft-07, `server/data/EPCIS-JSON-Schema.json`, copied
//! unchanged from github.com/gs1/EPCIS at commit 2b888be), embedded in the binary and
//! compiled once, with formats checked. It accepts documents and single events alike.

use std::sync::OnceLock;

use jsonschema::paths::LocationSegment;
use serde_json::Value;

use crate::epcis::problem::{JsonPath, Problems};

const SCHEMA: &str = include_str!("../../../data/EPCIS-JSON-Schema.json");

/// Longest schema message kept: some quote a whole event.
const MAX_MESSAGE: usize = 300;

/// The compiled schema; `None` if the embedded text does not compile, which the unit test
/// below rules out for every build.
fn validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(SCHEMA).ok()?;
            jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .ok()
        })
        .as_ref()
}

/// Adds every schema violation of `json` to `problems`, each at the JSON path of the value
/// concerned. A schema that failed to compile is itself reported, so nothing passes
/// unchecked.
pub fn check(json: &Value, problems: &mut Problems) {
    let Some(validator) = validator() else {
        problems.push(
            &JsonPath::root(),
            "the server's EPCIS schema did not compile",
        );
        return;
    };
    for error in validator.iter_errors(json) {
        let mut path = JsonPath::root();
        for segment in error.instance_path() {
            path = match segment {
                LocationSegment::Property(key) => path.key(key.as_ref()),
                LocationSegment::Index(i) => path.at(i),
            };
        }
        let mut message = error.to_string();
        if message.len() > MAX_MESSAGE {
            let cut = (0..=MAX_MESSAGE)
                .rev()
                .find(|i| message.is_char_boundary(*i))
                .unwrap_or(0);
            message.truncate(cut);
            message.push('…');
        }
        problems.push(&path, format!("schema: {message}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_embedded_schema_compiles_and_names_paths() {
        assert!(validator().is_some());
        let document = json!({
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2024-03-01T12:00:00Z",
            "epcisBody": {"eventList": [{
                "type": "ObjectEvent",
                "eventTime": "yesterday",
                "eventTimeZoneOffset": "+01:00",
                "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"],
                "action": "OBSERVE"
            }]}
        });
        let mut problems = Problems::default();
        check(&document, &mut problems);
        assert!(
            problems
                .list()
                .iter()
                .any(|p| p.path == "$.epcisBody.eventList[0].eventTime"),
            "{problems}"
        );
    }
}
