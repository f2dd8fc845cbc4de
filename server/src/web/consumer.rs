//! The consumer's unit page: what is printed on the pack, where it comes from, its
//! journey, a recall banner, and whether every step is signed by a registered gateway,
//! with the proof bundle to download. Served at the Digital Link paths to browsers and at
//! `/unit?code=` for identities without one (e.g. 20-digit drug codes).

use std::sync::Arc;

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};

use super::i18n::{self, Chosen, Lang};
use super::layout::{Shell, message_page, page, respond};
use super::{Problem, code_entry, encode, read_code, short};
use crate::http::{ApiError, blocking};
use crate::lookup::{self, Lookup};
use crate::state::AppState;
use crate::trace::{Hop, TraceError};

/// The page for `code` (any form), requested at `path`.
pub async fn unit_page(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    query: Option<&str>,
    code: &str,
    path: &str,
) -> Response {
    let chosen = Chosen::from_request(query, headers);
    let (identity, ais) = match read_code(state, code) {
        Ok(found) => found,
        Err(problem) => return code_entry::refused(chosen, code, &problem),
    };
    let store = state.store.clone();
    let found = blocking(move || match lookup::lookup(&*store, &identity, &ais) {
        Ok(found) => Ok(Some(found)),
        Err(TraceError::Unknown(_)) => Ok(None),
        Err(TraceError::Store(e)) => Err(ApiError::Store(e)),
    })
    .await;
    match found {
        Ok(Some(found)) => {
            let shell = Shell {
                lang: chosen.lang,
                title: &title(chosen.lang, &found),
                path,
                desk: None,
                sortable: false,
            };
            respond(
                StatusCode::OK,
                chosen,
                page(&shell, body(chosen.lang, &found)),
            )
        }
        Ok(None) => code_entry::refused(chosen, code, &Problem::Unknown),
        Err(e) => {
            tracing::error!(error = %e, "unit page");
            let lang = chosen.lang;
            message_page(
                StatusCode::SERVICE_UNAVAILABLE,
                chosen,
                lang.t(&i18n::ERROR),
                lang.t(&i18n::TRY_AGAIN),
            )
        }
    }
}

/// `GET /unit?code=…`: the unit page for identities without a Digital Link.
pub async fn by_query(
    State(state): State<Arc<AppState>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let code = uri
        .query()
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default();
    let path = format!("/unit?code={}", encode(&code));
    unit_page(&state, &headers, uri.query(), &code, &path).await
}

fn title(lang: Lang, found: &Lookup) -> String {
    let drug = found
        .identity
        .strip_prefix(trace_proto::cn_drug::URI_PREFIX);
    match (&found.product.gtin, drug) {
        (Some(gtin), _) => format!("{} {gtin}", lang.t(&i18n::GTIN)),
        (None, Some(code)) => format!("{} {code}", lang.t(&i18n::DRUG_CODE)),
        (None, None) => short(&found.identity),
    }
}

/// The page's main content.
pub fn body(lang: Lang, found: &Lookup) -> Markup {
    let p = &found.product;
    let facts: [(&i18n::Text, Option<&String>); 6] = [
        (&i18n::GTIN, p.gtin.as_ref()),
        (&i18n::LOT, p.lot.as_ref()),
        (&i18n::SERIAL, p.serial.as_ref()),
        (&i18n::EXPIRY, p.expiry.as_ref()),
        (&i18n::PRODUCED, p.production_date.as_ref()),
        (&i18n::COUNTRY, p.country_of_origin.as_ref()),
    ];
    html! {
        h1 { (title(lang, found)) }
        @for recall in &found.recalls {
            section.recall role="alert" aria-labelledby={ "recall-" (recall.id) } {
                h2 id={ "recall-" (recall.id) } { "⚠ " (lang.t(&i18n::RECALLED)) }
                dl.facts {
                    dt { (lang.t(&i18n::RECALL_WHY)) } dd { (recall.reason) }
                    dt { (lang.t(&i18n::RECALL_WHAT)) } dd { strong { (recall.instructions) } }
                    dt { (lang.t(&i18n::RECALL_ISSUED)) } dd { (recall.issued) " · " (recall.id) }
                }
            }
        }
        (badge(lang, found))
        section.card aria-labelledby="product" {
            h2 id="product" { (lang.t(&i18n::PRODUCT)) }
            dl.facts {
                @for (label, value) in facts {
                    @if let Some(value) = value {
                        dt { (lang.t(label)) } dd { (value) }
                    }
                }
                dt { (lang.t(&i18n::IDENTITY)) } dd.id { (found.identity) }
            }
        }
        section.card aria-labelledby="origin" {
            h2 id="origin" { (lang.t(&i18n::ORIGIN)) }
            @match &found.origin {
                Some(hop) => dl.facts {
                    dt { (lang.t(&i18n::WHAT)) } dd { (step_of(lang, hop)) }
                    dt { (lang.t(&i18n::WHO)) } dd { (party_of(lang, hop)) }
                    dt { (lang.t(&i18n::WHERE)) } dd { (place_of(lang, hop)) }
                    dt { (lang.t(&i18n::WHEN)) } dd { time datetime=(hop.local_time) { (when(hop)) } }
                },
                None => p { (lang.t(&i18n::NO_ORIGIN)) },
            }
        }
        section.card aria-labelledby="journey" {
            h2 id="journey" { (lang.t(&i18n::JOURNEY)) }
            ol.journey {
                @for hop in &found.journey {
                    li {
                        span.step { (step_of(lang, hop)) }
                        " · " time datetime=(hop.local_time) { (when(hop)) }
                        br;
                        (place_of(lang, hop)) " · " (party_of(lang, hop))
                        @if let Some(via) = &hop.via {
                            br; span.muted { (lang.t(&i18n::IN_CONTAINER)) " " (short(via)) }
                        }
                        br;
                        span.muted {
                            @match &hop.signed_by {
                                Some(gateway) => { "✓ " (lang.t(&i18n::SIGNED_BY)) " " (gateway) },
                                None => { (lang.t(&i18n::CAPTURED)) },
                            }
                        }
                    }
                }
            }
        }
        @if found.recalls.is_empty() {
            p.muted { (lang.t(&i18n::NOT_RECALLED)) }
        }
        p { a href="/" { (lang.t(&i18n::BACK)) } }
    }
}

fn badge(lang: Lang, found: &Lookup) -> Markup {
    let v = &found.verification;
    let proof = format!("/api/v1/codes/{}", encode(&found.identity));
    let file = format!("proof-{}.json", found.identity.replace([':', '/'], "_"));
    html! {
        section.badge.(if v.all_signed { "ok" } else { "warn" }) aria-label=(lang.t(&i18n::ALL_SIGNED)) {
            strong {
                @if v.all_signed { "✓ " (lang.t(&i18n::ALL_SIGNED)) }
                @else { "! " (lang.t(&i18n::PART_SIGNED)) }
            }
            span { (v.signed_steps) "/" (v.steps) " " (lang.t(&i18n::STEPS_SIGNED)) }
            @if v.captured_steps > 0 {
                span { " · " (v.captured_steps) " " (lang.t(&i18n::STEPS_CAPTURED)) }
            }
            br;
            a href=(proof) download=(file) { (lang.t(&i18n::PROOF)) }
        }
    }
}

fn step_of(lang: Lang, hop: &Hop) -> String {
    hop.biz_step
        .as_deref()
        .map_or_else(|| hop.event_type.to_owned(), |s| i18n::step(lang, s))
}

fn party_of(lang: Lang, hop: &Hop) -> String {
    hop.party
        .as_deref()
        .map_or_else(|| lang.t(&i18n::UNKNOWN).to_owned(), short)
}

fn place_of(lang: Lang, hop: &Hop) -> String {
    hop.biz_location
        .as_deref()
        .or(hop.read_point.as_deref())
        .map_or_else(|| lang.t(&i18n::UNKNOWN).to_owned(), short)
}

/// `2026-03-02T08:00:00+08:00` → `2026-03-02 08:00 +08:00`.
fn when(hop: &Hop) -> String {
    let t = &hop.local_time;
    match (t.get(..10), t.get(11..16), t.get(19..)) {
        (Some(date), Some(hm), Some(zone)) => {
            let zone = zone.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
            format!("{date} {hm} {zone}")
        }
        _ => t.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::lookup::{Product, Proof, RecallNotice, Verification};
    use crate::store::EventKey;

    fn hop(step: &str, signed_by: Option<&str>) -> Hop {
        Hop {
            key: EventKey([1; 32]),
            event_id: "urn:x:1".into(),
            event_type: "ObjectEvent",
            time: "2026-03-02T08:00:00+08:00".parse().unwrap(),
            local_time: "2026-03-02T08:00:00+08:00".into(),
            action: None,
            biz_step: Some(step.into()),
            disposition: None,
            read_point: Some("urn:epc:id:sgln:0614141.00001.1".into()),
            biz_location: Some("urn:epc:id:sgln:0614141.00001.0".into()),
            party: Some("urn:epc:id:pgln:0614141.00000".into()),
            signed_by: signed_by.map(Into::into),
            subject: "urn:epc:id:sgtin:0614141.812345.101".into(),
            via: None,
        }
    }

    fn found(recalled: bool, all_signed: bool) -> Lookup {
        let journey = vec![
            hop("commissioning", Some("gw-factory")),
            hop("shipping", (all_signed).then_some("gw-factory")),
        ];
        Lookup {
            identity: "urn:epc:id:sgtin:0614141.812345.101".into(),
            product: Product {
                gtin: Some("80614141123458".into()),
                lot: Some("LOT42".into()),
                expiry: Some("2027-01-31".into()),
                ..Product::default()
            },
            origin: journey.first().cloned(),
            recalls: if recalled {
                vec![RecallNotice {
                    id: "R-1".into(),
                    issued: "2026-03-09T00:00:00Z".into(),
                    reason: "Listeria <b>".into(),
                    instructions: "Bring it back".into(),
                }]
            } else {
                vec![]
            },
            verification: Verification {
                steps: 2,
                signed_steps: if all_signed { 2 } else { 1 },
                captured_steps: usize::from(!all_signed),
                all_signed,
            },
            journey,
            proof: Proof {
                how_to_verify: "",
                gateway_keys: BTreeMap::new(),
                steps: vec![],
            },
        }
    }

    #[test]
    fn the_page_shows_origin_journey_and_a_signed_badge() {
        let text = body(Lang::En, &found(false, true)).into_string();
        assert!(text.contains("<h1>GTIN 80614141123458</h1>"));
        assert!(text.contains("2027-01-31") && text.contains("LOT42"));
        assert!(text.contains("SGLN 0614141.00001.0") && text.contains("PGLN 0614141.00000"));
        assert!(text.contains("2026-03-02 08:00 +08:00"));
        assert_eq!(text.matches("<li>").count(), 2);
        assert!(text.contains("Every step signed by a registered gateway"));
        assert!(text.contains("download=\"proof-urn_epc_id_sgtin_0614141.812345.101.json\""));
        assert!(!text.contains("class=\"recall\""));
        assert!(text.contains("No recall names this unit."));
    }

    #[test]
    fn a_recall_gets_a_banner_and_a_partial_proof_says_so() {
        let text = body(Lang::Zh, &found(true, false)).into_string();
        assert!(text.contains("class=\"recall\" role=\"alert\""));
        assert!(text.contains("已召回") && text.contains("Bring it back"));
        assert!(text.contains("Listeria &lt;b&gt;"), "escaped: {text}");
        assert!(text.contains("并非每一步都由已登记的网关签名"));
        assert!(text.contains("1/2") && text.contains("来自合作方系统"));
        assert!(text.contains("发货") && text.contains("赋码投产"));
    }
}
