use super::*;

const EXAMPLE: &str = include_str!("../../examples/dock-door.toml");

fn invalid(text: &str) -> (usize, String, String) {
    match Config::parse(text) {
        Err(ConfigError::Invalid { line, key, message }) => (line, key, message),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn example_file_parses() {
    let config = Config::parse(EXAMPLE).unwrap();
    assert_eq!(config.gateway.id.as_str(), "dc-berlin-dock-1");
    assert_eq!(config.gateway.timezone.minutes(), 60);
    assert_eq!(config.readers.len(), 2);
    assert_eq!(config.readers[0].station, 0);
    assert_eq!(config.readers[1].station, 1);
    assert!(matches!(
        config.readers[0].source,
        ReaderSource::Module {
            kind: ModuleKind::UhfM100,
            baud: 115_200,
            ..
        }
    ));
    let dock = &config.stations[0];
    assert_eq!(dock.biz_step, BizStep::Shipping);
    assert_eq!(dock.disposition, Some(Disposition::InTransit));
    assert_eq!(
        dock.biz_transaction.as_ref().unwrap().0,
        Some(BizTransactionType::Po)
    );
    assert_eq!(
        config.stations[1].profile,
        Profile::Pack { window_ms: 2000 }
    );
}

#[test]
fn unknown_biz_step_names_line_and_key() {
    let text = EXAMPLE.replace("biz_step = \"packing\"", "biz_step = \"shiping\"");
    let line = text.lines().position(|l| l.contains("shiping")).unwrap() + 1;
    let (found_line, key, message) = invalid(&text);
    assert_eq!(found_line, line);
    assert_eq!(key, "station[1].biz_step");
    assert!(message.contains("shiping"), "{message}");
}

#[test]
fn bad_gln_names_line_and_key() {
    // An SGLN URI carries no check digit, so a bad location is another kind of
    // identity or a company prefix that is not digits.
    let text = EXAMPLE.replace(
        "read_point = \"urn:epc:id:sgln:0614141.00777.1\"",
        "read_point = \"urn:epc:id:sgtin:0614141.812345.1\"",
    );
    let (_, key, message) = invalid(&text);
    assert_eq!(key, "station[1].read_point");
    assert!(message.contains("SGLN"), "{message}");

    let text = EXAMPLE.replace(
        "urn:epc:id:sgln:0614141.00777.0\"\nbiz_location",
        "urn:epc:id:sgln:06141X1.00777.0\"\nbiz_location",
    );
    let line = text.lines().position(|l| l.contains("06141X1")).unwrap() + 1;
    let (found_line, key, _) = invalid(&text);
    assert_eq!((found_line, key.as_str()), (line, "station[0].read_point"));
}

#[test]
fn reader_pointing_at_a_missing_station() {
    let text = EXAMPLE.replace("station = \"pack-1\"", "station = \"pack-9\"");
    let (_, key, message) = invalid(&text);
    assert_eq!(key, "reader[1].station");
    assert!(message.contains("no [[station]]"));
}

#[test]
fn unknown_key_and_bad_gateway_id_are_refused() {
    let text = EXAMPLE.replace("exit_ms = 3000", "exit_ms = 3000\nexitms = 1");
    let err = Config::parse(&text).unwrap_err().to_string();
    assert!(err.contains("exitms"), "{err}");
    let text = EXAMPLE.replace("dc-berlin-dock-1", "dc/berlin");
    let (line, key, _) = invalid(&text);
    assert_eq!((line, key.as_str()), (6, "gateway.id"));
}

#[test]
fn commission_station_reads_lot_data() {
    let text = EXAMPLE.replace(
        "profile = \"observe\"",
        "profile = \"commission\"\nlot = \"LOT42\"\nproduction_date = \"2026-11-01\"\nexpiry_date = \"2027-05-01\"\ncountry_of_origin = \"DE\"",
    );
    let config = Config::parse(&text).unwrap();
    let Profile::Commission(lot) = &config.stations[0].profile else {
        panic!("not commission");
    };
    assert_eq!(lot.lot.as_deref(), Some("LOT42"));
    assert_eq!(lot.expiry_date.unwrap().to_string(), "2027-05-01");
    let text = text.replace("2027-05-01", "2027-02-30");
    let (_, key, _) = invalid(&text);
    assert_eq!(key, "station[0].expiry_date");
}

#[test]
fn direction_is_checked() {
    let with = |direction: &str| {
        EXAMPLE.replace(
            "owning_party = \"urn:epc:id:pgln:0614141.00001\"",
            &format!(
                "owning_party = \"urn:epc:id:pgln:0614141.00001\"\ndirection = {{ {direction} }}"
            ),
        )
    };
    let ok = with(
        "outside_antenna = 1, inside_antenna = 2, inbound_biz_step = \"receiving\", outbound_biz_step = \"shipping\"",
    );
    let direction = Config::parse(&ok).unwrap().stations[0]
        .direction
        .clone()
        .unwrap();
    assert_eq!(direction.inbound, (BizStep::Receiving, None));
    let same = with(
        "outside_antenna = 1, inside_antenna = 1, inbound_biz_step = \"receiving\", outbound_biz_step = \"shipping\"",
    );
    assert_eq!(invalid(&same).1, "station[0].direction");
    let typo = with(
        "outside_antenna = 1, inside_antenna = 2, inbound_biz_step = \"receiving\", outbound_biz_step = \"shiping\"",
    );
    assert_eq!(invalid(&typo).1, "station[0].direction.outbound_biz_step");
}

#[test]
fn duplicate_station_names_are_refused() {
    let text = EXAMPLE.replace(
        "name = \"pack-1\"\nprofile",
        "name = \"dock-1-out\"\nprofile",
    );
    let (_, key, message) = invalid(&text);
    assert_eq!(
        (key.as_str(), message.as_str()),
        ("station[1].name", "duplicate station name")
    );
}

const PRODUCTION: &str = include_str!("../../examples/production-line.toml");

#[test]
fn production_line_example_has_a_transform_station_and_a_board_configuration() {
    let config = Config::parse(PRODUCTION).unwrap();
    let Profile::Transform(t) = &config.stations[0].profile else {
        panic!("not transform");
    };
    assert_eq!(t.output_product, "0614141.812345");
    assert_eq!(t.window_ms, 600_000);
    assert_eq!(t.lot.lot.as_deref(), Some("B2612-06"));
    let ReaderSource::Link {
        configure: Some(configure),
        ..
    } = &config.readers[0].source
    else {
        panic!("no board configuration");
    };
    assert_eq!(configure.debounce_ms, 500);
    assert_eq!(configure.uhf_tx_power_cdbm, 2250);
    let ports: Vec<_> = configure.ports.iter().map(|p| (p.port, p.kind)).collect();
    use trace_proto::link::ReaderKind;
    assert_eq!(
        ports,
        [
            (0, Some(ReaderKind::UhfM100)),
            (2, Some(ReaderKind::Mfrc522))
        ]
    );
}

#[test]
fn transform_and_firmware_mistakes_name_their_key() {
    let text = PRODUCTION.replace("output_product = \"0614141.812345\"\n", "");
    assert_eq!(invalid(&text).1, "station[0].output_product");
    let text = PRODUCTION.replace(
        "output_product = \"0614141.812345\"",
        "output_product = \"0614141\"",
    );
    assert_eq!(invalid(&text).1, "station[0].output_product");
    let text = PRODUCTION.replace("lot = \"B2612-06\"", "lot = \"B2612 06\"");
    assert_eq!(invalid(&text).1, "station[0].lot");
    let text = PRODUCTION.replace("kind = \"mfrc522\"", "kind = \"rc522\"");
    let (line, key, message) = invalid(&text);
    assert_eq!(key, "reader[0].firmware.ports[1].kind");
    assert!(message.contains("rc522"), "{message}");
    assert_eq!(
        line,
        text.lines().position(|l| l.contains("rc522")).unwrap() + 1
    );
    let text = PRODUCTION.replace("port = 2, kind", "port = 0, kind");
    assert_eq!(invalid(&text).1, "reader[0].firmware.ports[1]");
    let text = PRODUCTION.replace("kind = \"link\"", "kind = \"pn532\"");
    assert_eq!(invalid(&text).1, "reader[0].firmware");
    let text = PRODUCTION.replace("22.5", "1e9");
    assert_eq!(invalid(&text).1, "reader[0].firmware.uhf_tx_power_dbm");
}

#[test]
fn debug_output_leaves_the_broker_password_out() {
    let text = EXAMPLE.replace("# password = \"secret\"", "password = \"s3cr3t-pw\"");
    let config = Config::parse(&text).unwrap();
    assert_eq!(config.broker.password.as_deref(), Some("s3cr3t-pw"));
    let shown = format!("{config:?}");
    assert!(!shown.contains("s3cr3t-pw"), "{shown}");
    assert!(shown.contains("password: Some(\"***\")"), "{shown}");
}
