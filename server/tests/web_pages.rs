//! The web pages in a real headless Chromium, against a real server filled with the
//! support scenario over MQTT (plus one medicine pack with a 20-digit drug code): the
//! consumer page's origin, journey and signature badge; the code-entry form for every
//! code form and a wrong code; the language switch; the supervisor's sign-in, a recall
//! started from the desk with its counts and CSV; the recall banner on the consumer page;
//! the trace graph and the gateways page. Screenshots go to `target/web-screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod browser;
mod harness;
mod mqtt_sink;
mod support;
mod web_plain;

use browser::{DESKTOP, PHONE, click_then, fill, path, screenshot, text, texts};
use fantoccini::{Client, Locator};
use harness::{ADMIN, Broker, SUPERVISOR, Server};
use mqtt_sink::MqttSink;
use support::names::*;
use support::{Gateway, Sink, at, event, object, play_scenario};
use trace_proto::event::{Action, BizStep};

const DRUG: &str = "81234560012345678901";
const SOLD_PATH: &str = "/01/80614141123458/21/101";

/// The scenario, and a medicine pack known only by its drug code, commissioned at the
/// plant and dispensed at the shop.
fn fill_server(server: &Server) {
    let mut sink = MqttSink::new(server);
    play_scenario(&mut sink);
    let mut pharma = Gateway::new("gw-pharma", 7, FACTORY_PARTY);
    sink.enroll(&pharma.record());
    let drug = format!("urn:rfid-trace:cn-drug:{DRUG}");
    let commission = event(
        object(Action::Add, &[&drug], None),
        at(2, "08:00"),
        BizStep::Commissioning,
        PLANT,
    );
    let dispense = event(
        object(Action::Observe, &[&drug], None),
        at(3, "10:00"),
        BizStep::Dispensing,
        SHOP,
    );
    pharma.commit(&mut sink, vec![commission, dispense]);
}

#[test]
fn consumer_and_supervisor_pages_work_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), Broker::Embedded(0));
    fill_server(&server);
    web_plain::non_browser_checks(&server);

    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let driver = browser::Driver::start(&dir.path().join("chromedriver.log"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = browser::browser(&driver, &dir.path().join("profile"), &downloads).await;
        let base = server.http.clone();
        consumer_page(&client, &base).await;
        code_entry(&client, &base).await;
        language_switch(&client, &base).await;
        recall_desk(&client, &base, &downloads).await;
        trace_and_gateways(&client, &base).await;
        client.close().await.unwrap();
    });
}

async fn consumer_page(client: &Client, base: &str) {
    client.goto(&format!("{base}{SOLD_PATH}")).await.unwrap();
    assert_eq!(text(client, "h1").await, "GTIN 80614141123458");
    let product = text(client, "section[aria-labelledby=product]").await;
    assert!(
        product.contains("LOT42") && product.contains("101"),
        "{product}"
    );
    let origin = text(client, "section[aria-labelledby=origin]").await;
    assert!(origin.contains("Commissioned"), "{origin}");
    assert!(
        origin.contains("SGLN 0614141.00001.0"),
        "the factory: {origin}"
    );
    assert!(
        origin.contains("PGLN 0614141.00000"),
        "the factory's party: {origin}"
    );
    assert!(origin.contains("2026-03-02 08:00 +08:00"), "{origin}");
    let steps = texts(client, "ol.journey li .step").await;
    assert_eq!(
        steps,
        [
            "Commissioned",
            "Packed",
            "Packed",
            "Shipped",
            "Received",
            "Unpacked",
            "Unpacked",
            "Sold"
        ]
    );
    let journey = texts(client, "ol.journey li").await;
    assert!(
        journey[3].contains("SSCC 0614141.0000000001"),
        "shipped on the pallet: {}",
        journey[3]
    );
    assert!(journey[7].contains("SGLN 5012345.00001.0") && journey[7].contains("gw-shop"));
    let badge = text(client, "section.badge").await;
    assert!(
        badge.contains("Every step signed by a registered gateway"),
        "{badge}"
    );
    assert!(badge.contains("8/8"), "{badge}");
    let proof = client
        .find(Locator::Css("section.badge a[download]"))
        .await
        .unwrap();
    let href = proof.attr("href").await.unwrap().unwrap();
    assert!(
        href.starts_with("/api/v1/codes/urn%3Aepc%3Aid%3Asgtin"),
        "{href}"
    );
    assert!(
        client.find(Locator::Css("section.recall")).await.is_err(),
        "not recalled yet"
    );
    screenshot(client, "unit-phone", PHONE).await;
    screenshot(client, "unit-desktop", DESKTOP).await;
    client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
}

async fn code_entry(client: &Client, base: &str) {
    let epc_hex = "3074257BF7194E4000000065";
    let decoded = trace_proto::code::decode(
        epc_hex,
        trace_proto::code::Form::EpcHex,
        &trace_proto::company_prefix::BuiltIn,
    )
    .unwrap();
    assert_eq!(
        decoded.epc_uri.as_deref(),
        Some("urn:epc:id:sgtin:0614141.812345.101")
    );
    let forms = [
        (
            "https://id.gs1.org/01/80614141123458/21/101",
            SOLD_PATH.to_owned(),
        ),
        ("(01)80614141123458(21)101", SOLD_PATH.to_owned()),
        (epc_hex, SOLD_PATH.to_owned()),
        ("urn:epc:id:sgtin:0614141.812345.101", SOLD_PATH.to_owned()),
        (
            "(01)80614141123458(10)LOT42",
            "/01/80614141123458/10/LOT42".to_owned(),
        ),
        (
            DRUG,
            format!("/unit?code=urn%3Arfid-trace%3Acn-drug%3A{DRUG}"),
        ),
    ];
    for (code, want) in forms {
        client.goto(&format!("{base}/")).await.unwrap();
        fill(client, "#code", code).await;
        // Only a unit page has a journey, so this waits for the new page.
        click_then(client, "form button[type=submit]", "ol.journey").await;
        assert_eq!(path(client).await, want, "for {code}");
    }
    assert!(text(client, "ol.journey").await.contains("Dispensed"));
    assert_eq!(text(client, "h1").await, format!("Drug code {DRUG}"));
    screenshot(client, "drug-phone", PHONE).await;

    let wrong = [
        ("(01)80614141123459(21)101", "could not read", "check digit"),
        ("hello", "could not read", ""),
        ("(01)80614141123458", "product type", ""),
        ("(01)80614141123458(21)999", "Nothing is recorded", ""),
    ];
    for (code, message, detail) in wrong {
        client.goto(&format!("{base}/")).await.unwrap();
        fill(client, "#code", code).await;
        click_then(client, "form button[type=submit]", "#code-error").await;
        let shown = text(client, "#code-error").await;
        assert!(
            shown.contains(message) && shown.contains(detail),
            "{code}: {shown}"
        );
        assert_eq!(
            text(client, "h1").await,
            "Check a product",
            "same page for {code}"
        );
        let kept = client.find(Locator::Css("#code")).await.unwrap();
        assert_eq!(kept.prop("value").await.unwrap().as_deref(), Some(code));
    }
    screenshot(client, "wrong-code-phone", PHONE).await;
}

async fn language_switch(client: &Client, base: &str) {
    client.goto(&format!("{base}{SOLD_PATH}")).await.unwrap();
    click_then(client, "a.lang", "html[lang=zh-CN]").await;
    assert_eq!(path(client).await, format!("{SOLD_PATH}?lang=zh-CN"));
    assert!(
        text(client, "section[aria-labelledby=origin] h2")
            .await
            .contains("来源")
    );
    assert_eq!(texts(client, "ol.journey li .step").await[0], "赋码投产");
    screenshot(client, "unit-zh-phone", PHONE).await;
    // The cookie keeps the choice on the next page.
    client.goto(&format!("{base}/")).await.unwrap();
    assert_eq!(text(client, "h1").await, "查询产品");
    click_then(client, "a.lang", "html[lang=en]").await;
    assert_eq!(text(client, "h1").await, "Check a product");
}

async fn recall_desk(client: &Client, base: &str, downloads: &std::path::Path) {
    client.goto(&format!("{base}/desk/recalls")).await.unwrap();
    assert_eq!(
        path(client).await,
        "/desk/login?next=%2Fdesk%2Frecalls",
        "signed out: to the sign-in form"
    );
    fill(client, "#token", "not-a-token").await;
    click_then(client, "form button[type=submit]", "#login-error").await;
    fill(client, "#token", SUPERVISOR).await;
    click_then(client, "form button[type=submit]", "#codes").await;
    assert_eq!(
        path(client).await,
        "/desk/recalls",
        "back where the desk was asked for"
    );
    assert!(text(client, "main").await.contains("No recalls yet."));
    fill(client, "#codes", "(01)80614141123458(10)LOT42").await;
    fill(client, "#reason", "Listeria found in retained samples").await;
    click_then(client, "form button.danger", "#units").await;
    let recall_path = path(client).await;
    assert!(recall_path.starts_with("/desk/recalls/R-"), "{recall_path}");
    let rows = texts(client, "#units tbody tr").await;
    assert_eq!(rows.len(), 6, "{rows:?}");
    let by_custodian = texts(client, "#by-custodian-table tbody tr").await;
    assert_eq!(
        by_custodian,
        ["PGLN 4012345.00000 5", "PGLN 5012345.00000 1"]
    );
    let by_location = texts(client, "#by-location-table tbody tr").await;
    assert!(
        by_location.contains(&"SGLN 5012345.00001.0 1".to_owned()),
        "{by_location:?}"
    );
    // Sorting by the location column puts the shop's unit last.
    click_then(
        client,
        "#units th:nth-child(2) button",
        "#units th[aria-sort=ascending]",
    )
    .await;
    let first = text(client, "#units tbody tr:first-child td:nth-child(2)").await;
    assert!(first.contains("4012345"), "{first}");
    click_then(
        client,
        "#units th:nth-child(2) button",
        "#units th[aria-sort=descending]",
    )
    .await;
    let first = text(client, "#units tbody tr:first-child").await;
    assert!(
        first.contains("urn:epc:id:sgtin:0614141.812345.101"),
        "{first}"
    );
    screenshot(client, "recall-desktop", DESKTOP).await;
    screenshot(client, "recall-phone", PHONE).await;

    client
        .find(Locator::Css("#csv"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let csv = browser::downloaded(downloads, "-units.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "unit,location,custodian,disposition,container,last_seen,recalls"
    );
    assert_eq!(lines.len(), 7, "{csv}");
    let sold = lines
        .iter()
        .find(|l| l.starts_with("urn:epc:id:sgtin:0614141.812345.101,"))
        .unwrap();
    assert!(
        sold.contains(&format!(",{SHOP},{SHOP_PARTY},retail_sold,")),
        "{sold}"
    );
    let id = recall_path.trim_start_matches("/desk/recalls/");
    assert!(sold.ends_with(id), "{sold}");
    let pallet_unit = lines
        .iter()
        .find(|l| l.starts_with("urn:epc:id:sgtin:0614141.812345.105,"))
        .unwrap();
    assert!(
        pallet_unit.contains(&format!(",{DC_STORAGE},{DC_PARTY},")),
        "{pallet_unit}"
    );

    // The consumer now sees the recall.
    client.goto(&format!("{base}{SOLD_PATH}")).await.unwrap();
    let banner = text(client, "section.recall").await;
    assert!(
        banner.contains("Recalled") && banner.contains("Listeria"),
        "{banner}"
    );
    assert!(
        banner.contains("Stop selling"),
        "instructions shown: {banner}"
    );
    screenshot(client, "unit-recalled-phone", PHONE).await;
}

async fn trace_and_gateways(client: &Client, base: &str) {
    client.goto(&format!("{base}/desk/")).await.unwrap();
    fill(client, "#code", "(01)80614141123458(10)LOT42").await;
    client
        .find(Locator::Css("#direction"))
        .await
        .unwrap()
        .select_by_value("forward")
        .await
        .unwrap();
    click_then(client, "form[role=search] button", ".graph svg").await;
    let nodes = client
        .find_all(Locator::Css(".graph g.node"))
        .await
        .unwrap();
    assert!(nodes.len() >= 10, "units, containers, lot: {}", nodes.len());
    let recalled = client
        .find_all(Locator::Css(".graph g.recalled"))
        .await
        .unwrap();
    assert_eq!(recalled.len(), 6);
    screenshot(client, "trace-desktop", DESKTOP).await;

    client.goto(&format!("{base}/desk/gateways")).await.unwrap();
    let rows = texts(client, "#gateways tbody tr").await;
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows.iter().any(|r| r.starts_with("gw-factory")), "{rows:?}");
    assert!(text(client, "main").await.contains("needs an admin token"));
    screenshot(client, "gateways-desktop", DESKTOP).await;

    // Sign out, then in as admin: enrol a gateway, revoke the pharmacy's.
    click_then(client, "header form button", "#token").await;
    fill(client, "#token", ADMIN).await;
    click_then(client, "form button[type=submit]", "form[role=search]").await;
    client.goto(&format!("{base}/desk/gateways")).await.unwrap();
    let key = Gateway::new("gw-desk", 11, FACTORY_PARTY).record().keys[0].public_key;
    fill(client, "#gw-id", "gw-desk").await;
    fill(client, "#gw-key", &hex::encode(key)).await;
    fill(client, "#gw-party", DC_PARTY).await;
    click_then(client, "section[aria-labelledby=enroll] button", "p.notice").await;
    let rows = texts(client, "#gateways tbody tr").await;
    assert!(rows.iter().any(|r| r.starts_with("gw-desk")), "{rows:?}");
    fill(client, "#gw-id", "gw-bad").await;
    fill(client, "#gw-key", "1234").await;
    click_then(client, "section[aria-labelledby=enroll] button", "p.error").await;
    assert!(text(client, "p.error").await.contains("64 hex digits"));
    client
        .find(Locator::Css("button[aria-label='Revoke gw-pharma']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let revoked = "//tr[th='gw-pharma']/td[contains(., 'Revoked')]";
    client
        .wait()
        .at_most(std::time::Duration::from_secs(20))
        .for_element(Locator::XPath(revoked))
        .await
        .unwrap();
}
