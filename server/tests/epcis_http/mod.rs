//! Shared by epcis_capture.rs and epcis_query.rs: a running server, requests that keep
//! the response headers, capture-and-wait, and GS1's schema for every answer.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::epcis_common::{data_dir, read};
use crate::harness::{Broker, SUPERVISOR, Server};

/// A response: status, the headers asked for, the JSON body (or its text as a string).
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Epcis {
    pub server: Server,
    _dir: tempfile::TempDir,
    agent: ureq::Agent,
}

const KEPT_HEADERS: [&str; 6] = [
    "location",
    "link",
    "content-type",
    "gs1-epcis-version",
    "gs1-epcis-capture-limit",
    "gs1-epcis-capture-file-size-limit",
];

fn answer(mut response: ureq::http::Response<ureq::Body>) -> Answer {
    let status = response.status().as_u16();
    let headers = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = response.headers().get(*name)?.to_str().ok()?;
            Some((name.to_string(), value.to_owned()))
        })
        .collect();
    let text = response.body_mut().read_to_string().unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}

impl Epcis {
    pub fn start() -> Epcis {
        let dir = tempfile::tempdir().unwrap();
        let server = Server::start(&dir.path().join("data"), Broker::Embedded(0));
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Epcis {
            server,
            _dir: dir,
            agent,
        }
    }

    pub fn get(&self, path: &str) -> Answer {
        self.get_as(path, Some(SUPERVISOR))
    }

    pub fn get_as(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.agent.get(format!("{}{path}", self.server.http));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        answer(request.call().unwrap())
    }

    pub fn post(
        &self,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Answer {
        let mut request = self
            .agent
            .post(format!("{}{path}", self.server.http))
            .header("Content-Type", "application/ld+json");
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        answer(request.send(body).unwrap())
    }

    /// Captures `document` (default behaviour) and waits for its job to end; returns the job.
    pub fn capture(&self, document: &[u8]) -> Value {
        self.capture_with(document, &[])
    }

    pub fn capture_with(&self, document: &[u8], headers: &[(&str, &str)]) -> Value {
        let answer = self.post("/epcis/capture", Some(SUPERVISOR), headers, document);
        assert_eq!(answer.status, 202, "{:#}", answer.body);
        let location = answer.header("location").unwrap().to_owned();
        assert!(location.starts_with("/epcis/capture/"), "{location}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let job = self.get(&location);
            assert_eq!(job.status, 200, "{:#}", job.body);
            if job.body["running"] == false {
                return job.body;
            }
            assert!(
                Instant::now() < deadline,
                "job still running: {:#}",
                job.body
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn stored_events(&self) -> u64 {
        self.server.stored_events()
    }
}

/// GS1's schema, with formats checked (once per test binary).
pub fn schema() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value =
            serde_json::from_slice(&read(&data_dir().join("EPCIS-JSON-Schema.json"))).unwrap();
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    })
}

/// Panics with every violation if `json` is not valid against GS1's schema.
pub fn assert_valid(json: &Value, what: &str) {
    let errors: Vec<String> = schema()
        .iter_errors(json)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}\n{json:#}");
}

/// Percent-encodes a query value or path segment.
pub fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// The events of a query answer (after checking it against the schema).
pub fn event_list(answer: &Answer, what: &str) -> Vec<Value> {
    assert_eq!(answer.status, 200, "{what}: {:#}", answer.body);
    assert_valid(&answer.body, what);
    assert_eq!(answer.body["type"], "EPCISQueryDocument");
    answer.body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        .as_array()
        .unwrap()
        .clone()
}

/// The `eventID`s of a query answer.
pub fn ids(answer: &Answer, what: &str) -> Vec<String> {
    event_list(answer, what)
        .iter()
        .map(|e| e["eventID"].as_str().unwrap().to_owned())
        .collect()
}

/// Follows `Link: <…>; rel="next"` from `path`; returns every page's event IDs.
pub fn all_pages(epcis: &Epcis, path: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut next = Some(path.to_owned());
    while let Some(path) = next {
        let answer = epcis.get(&path);
        pages.push(ids(&answer, &path));
        next = answer.header("link").map(|link| {
            assert!(link.ends_with("; rel=\"next\""), "{link}");
            link.trim_start_matches('<')
                .split('>')
                .next()
                .unwrap()
                .to_owned()
        });
        assert!(pages.len() < 1000, "paging does not end");
    }
    pages
}
