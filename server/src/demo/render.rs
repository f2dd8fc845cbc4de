//! The files a demo gateway run reads: its TOML configuration (one emulated UHF reader,
//! one station) and its scenario (`<time> enter <tag>` lines), as text.
//!
//! Timing: tags never leave the field, so a gateway that starts late still reads every
//! tag of an observing or commissioning station. Packing and unpacking pair what is read
//! together, so each container's group gets its own slot, items first and the container
//! just after; the demo gives each such run one container, so a gateway that starts late
//! reads the whole group at once and still pairs it right.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;

use super::sites::{Profile, Run, Site};

/// Pairing window of pack and unpack stations.
const WINDOW_MS: u64 = 400;
/// Time between two containers' groups: more than the window on both sides.
const SLOT_MS: u64 = 1000;
/// Time before the first tag enters.
const LEAD_MS: u64 = 200;
/// Items enter this long before their container.
const ITEMS_BEFORE_MS: u64 = 150;

/// A TOML string literal.
fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// The configuration of `site`'s gateway for `run`, publishing to `broker`.
pub fn config(site: &Site, run: &Run, key: &Path, outbox: &Path, broker: SocketAddr) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}: {} ({})",
        site.name, run.biz_step, run.disposition
    );
    let _ = writeln!(out, "[gateway]");
    let _ = writeln!(out, "id = {}", quote(&site.id));
    let _ = writeln!(out, "key_file = {}", quote(&key.to_string_lossy()));
    let _ = writeln!(out, "outbox = {}", quote(&outbox.to_string_lossy()));
    let _ = writeln!(out, "\n[broker]");
    let _ = writeln!(out, "host = {}", quote(&broker.ip().to_string()));
    let _ = writeln!(out, "port = {}", broker.port());
    let _ = writeln!(out, "\n[[reader]]");
    let _ = writeln!(out, "name = \"uhf\"");
    let _ = writeln!(out, "kind = \"uhf-m100\"");
    // Replaced by the emulator's pseudo-terminal under `trace-gateway simulate`.
    let _ = writeln!(out, "port = \"/dev/null\"");
    let _ = writeln!(out, "station = \"station\"");
    let _ = writeln!(out, "\n[[station]]");
    let _ = writeln!(out, "name = \"station\"");
    let profile = match run.profile {
        Profile::Observe => "observe",
        Profile::Commission(_) => "commission",
        Profile::Pack => "pack",
        Profile::Unpack => "unpack",
    };
    let _ = writeln!(out, "profile = \"{profile}\"");
    let _ = writeln!(out, "read_point = {}", quote(&site.location));
    let _ = writeln!(out, "biz_location = {}", quote(&site.location));
    let _ = writeln!(out, "biz_step = {}", quote(run.biz_step));
    let _ = writeln!(out, "disposition = {}", quote(run.disposition));
    let _ = writeln!(out, "owning_party = {}", quote(&site.party));
    match &run.profile {
        Profile::Pack | Profile::Unpack => {
            let _ = writeln!(out, "window_ms = {WINDOW_MS}");
        }
        Profile::Commission(lot) => {
            if let Some(number) = &lot.lot {
                let _ = writeln!(out, "lot = {}", quote(number));
            }
            let _ = writeln!(out, "production_date = {}", quote(&lot.production_date));
            if let Some(expiry) = &lot.expiry_date {
                let _ = writeln!(out, "expiry_date = {}", quote(expiry));
            }
            let _ = writeln!(out, "country_of_origin = {}", quote(&lot.country));
        }
        Profile::Observe => {}
    }
    out
}

/// The scenario of `run`: when each tag enters the reader's field.
pub fn scenario(run: &Run) -> String {
    let mut out = String::from("# time  action  tag\n");
    match run.profile {
        Profile::Pack | Profile::Unpack => {
            let mut at = LEAD_MS;
            for group in &run.groups {
                for item in &group.items {
                    let _ = writeln!(out, "{at}ms enter {item}");
                }
                if let Some(container) = &group.container {
                    let _ = writeln!(out, "{}ms enter {container}", at + ITEMS_BEFORE_MS);
                }
                at += SLOT_MS;
            }
        }
        Profile::Observe | Profile::Commission(_) => {
            let tags = run
                .groups
                .iter()
                .flat_map(|g| g.container.iter().chain(&g.items));
            for (i, tag) in tags.enumerate() {
                // A few milliseconds apart, as goods passing a reader.
                let at = LEAD_MS + 10 * u64::try_from(i).unwrap_or(0);
                let _ = writeln!(out, "{at}ms enter {tag}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::sites::{Group, food};

    fn pack_run() -> Run {
        Run {
            site: 0,
            biz_step: "packing",
            disposition: "in_progress",
            profile: Profile::Pack,
            groups: vec![
                Group {
                    container: Some("urn:epc:id:sscc:0614141.0000000001".into()),
                    items: vec!["urn:epc:id:sgtin:0614141.012345.1".into()],
                },
                Group {
                    container: Some("urn:epc:id:sscc:0614141.0000000002".into()),
                    items: vec!["urn:epc:id:sgtin:0614141.012345.2".into()],
                },
            ],
        }
    }

    #[test]
    fn pack_groups_get_slots_with_items_before_their_container() {
        let text = scenario(&pack_run());
        let lines: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(
            lines,
            [
                "200ms enter urn:epc:id:sgtin:0614141.012345.1",
                "350ms enter urn:epc:id:sscc:0614141.0000000001",
                "1200ms enter urn:epc:id:sgtin:0614141.012345.2",
                "1350ms enter urn:epc:id:sscc:0614141.0000000002",
            ]
        );
    }

    #[test]
    fn the_config_names_the_station_context_and_lot() {
        let chain = food();
        let site = &chain.sites[0];
        let Some(crate::demo::sites::Step::Phase { runs, .. }) = chain.steps.first() else {
            panic!("the food chain starts with a phase");
        };
        let text = config(
            site,
            &runs[0],
            Path::new("/d/key"),
            Path::new("/d/out"),
            "127.0.0.1:1884".parse().unwrap(),
        );
        let value: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(value["broker"]["port"].as_integer(), Some(1884));
        let station = &value["station"][0];
        assert_eq!(station["profile"].as_str(), Some("commission"));
        assert_eq!(station["lot"].as_str(), Some("APL-2611-A"));
        assert_eq!(station["read_point"].as_str(), Some(site.location.as_str()));
    }
}
