//! Request/response exchanges and reports, in process, byte for byte.

use super::*;

#[test]
fn connect_notification_bytes() {
    let mut reader = reader();
    reader.host_connected();
    let mut expected = hex("04 3F 00 00 00 20 00 00 00 01  00 F6 00 16  00 80 00 0C");
    expected.extend(START_US.to_be_bytes());
    expected.extend(hex("01 00 00 06 00 00"));
    assert_eq!(raw(&mut reader), expected);
}

#[test]
fn add_enable_start_and_the_first_report_byte_for_byte() {
    let mut reader = reader();
    reader.field().enter(tag(EPC_A), 1, -55);
    reader.host_connected();
    raw(&mut reader);
    reader.feed(&hex(ADD_ROSPEC));
    assert_eq!(raw(&mut reader), success(msg::ADD_ROSPEC + 10, 0x65));
    reader.feed(&hex("04 18 00 00 00 0E 00 00 00 66 00 00 00 01"));
    assert_eq!(raw(&mut reader), success(msg::ENABLE_ROSPEC + 10, 0x66));
    reader.advance(Duration::from_millis(250));
    reader.feed(&hex("04 16 00 00 00 0E 00 00 00 67 00 00 00 01"));
    let mut expected = success(msg::START_ROSPEC + 10, 0x67);
    expected.extend(hex("04 3D 00 00 00 29 00 00 00 02  00 F0 00 1F  8D"));
    expected.extend(hex(EPC_A));
    expected.extend(hex("81 00 01  86 C9  82"));
    expected.extend((START_US + 250_000).to_be_bytes());
    assert_eq!(raw(&mut reader), expected);
}

#[test]
fn reports_follow_the_field_per_antenna() {
    let mut reader = reader();
    reader.field().enter(tag(EPC_A), 1, -55);
    reader.field().enter(tag(EPC_B), 3, -61);
    reader.feed(&hex(ADD_ROSPEC));
    reader.feed(&request(msg::ENABLE_ROSPEC, 2, vec![0, 0, 0, 1]));
    reader.feed(&request(msg::START_ROSPEC, 3, vec![0, 0, 0, 1]));
    let first: Vec<TagRead> = messages(&mut reader)
        .iter()
        .filter(|m| m.kind == msg::RO_ACCESS_REPORT)
        .flat_map(tag_reports)
        .collect();
    assert_eq!(
        first
            .iter()
            .map(|r| (r.antenna, r.rssi))
            .collect::<Vec<_>>(),
        [(Some(1), Some(-55)), (Some(3), Some(-61))]
    );
    assert_eq!(first[1].epc, hex(EPC_B));
    reader.field().leave(&tag(EPC_A), None);
    reader.advance(Duration::from_millis(100));
    let second: Vec<TagRead> = messages(&mut reader).iter().flat_map(tag_reports).collect();
    assert_eq!(second.len(), 1);
    assert_eq!(
        (second[0].epc.clone(), second[0].first_seen),
        (hex(EPC_B), Some(START_US + 100_000))
    );
}

#[test]
fn antenna_list_duration_stop_and_end_of_rospec_report() {
    let mut reader = reader();
    reader.field().enter(tag(EPC_A), 1, -55);
    reader.field().enter(tag(EPC_B), 2, -48);
    let flags = 1 << select::ANTENNA_ID | 1 << select::SEEN_COUNT | 1 << select::FIRST_SEEN;
    reader.feed(&add_rospec(7, &[2], 2, 0, flags, Some(350)));
    reader.feed(&request(msg::ENABLE_ROSPEC, 2, vec![0, 0, 0, 7]));
    reader.feed(&request(msg::START_ROSPEC, 3, vec![0, 0, 0, 7]));
    reader.advance(Duration::from_millis(300));
    assert!(
        messages(&mut reader)
            .iter()
            .all(|m| m.kind != msg::RO_ACCESS_REPORT),
        "N = 0: nothing before the end"
    );
    reader.advance(Duration::from_millis(400));
    let reads: Vec<TagRead> = messages(&mut reader).iter().flat_map(tag_reports).collect();
    assert_eq!(
        reads,
        [TagRead {
            epc: hex(EPC_B),
            antenna: Some(2),
            rssi: None,
            first_seen: Some(START_US),
            count: Some(4)
        }],
        "rounds at 0, 100, 200, 300 ms on antenna 2 only"
    );
    assert_eq!(reader.rospecs()[0].state, RoState::Inactive);
}

#[test]
fn longer_epcs_use_epc_data_and_get_report_flushes_a_none_trigger() {
    let mut reader = reader();
    let long = "E2801160600002054CC2B0A1A2A3A4A5";
    reader.field().enter(tag(long), 4, -70);
    reader.feed(&add_rospec(3, &[0], 0, 0, 1 << select::ANTENNA_ID, None));
    reader.feed(&request(msg::ENABLE_ROSPEC, 2, vec![0, 0, 0, 3]));
    reader.feed(&request(msg::START_ROSPEC, 3, vec![0, 0, 0, 3]));
    reader.advance(Duration::from_secs(2));
    assert!(
        messages(&mut reader)
            .iter()
            .all(|m| m.kind != msg::RO_ACCESS_REPORT)
    );
    reader.feed(&request(msg::GET_REPORT, 9, Vec::new()));
    let reports = messages(&mut reader);
    assert_eq!(reports.len(), 1);
    let body = &reports[0].body;
    assert_eq!(&body[4..8], hex("00 F1 00 16"), "EPCData, 4 + 2 + 16 bytes");
    assert_eq!(&body[8..10], [0x00, 0x80], "128 bits");
    assert_eq!(
        tag_reports(&reports[0])[0],
        TagRead {
            epc: hex(long),
            antenna: Some(4),
            rssi: None,
            first_seen: None,
            count: None
        }
    );
}

#[test]
fn refusals_carry_llrp_status() {
    let mut reader = reader();
    reader.feed(&hex(ADD_ROSPEC));
    messages(&mut reader);
    reader.feed(&hex(ADD_ROSPEC));
    let (code, text) = status_of(&messages(&mut reader)[0]);
    assert_eq!(
        (code, text.as_str()),
        (status::FIELD_ERROR, "a ROSpec with ID 1 already exists")
    );
    reader.feed(&request(msg::START_ROSPEC, 5, vec![0, 0, 0, 1]));
    assert_eq!(
        status_of(&messages(&mut reader)[0]).0,
        status::FIELD_ERROR,
        "not enabled"
    );
    reader.feed(&request(msg::ENABLE_ROSPEC, 6, vec![0, 0, 0, 9]));
    assert_eq!(
        status_of(&messages(&mut reader)[0]).1,
        "no ROSpec with ID 9"
    );
    reader.feed(&add_rospec(2, &[5], 2, 1, 0, None));
    assert_eq!(
        status_of(&messages(&mut reader)[0]).1,
        "antenna 5 does not exist (the reader has 4)"
    );
    reader.feed(&request(msg::START_ROSPEC, 10, vec![0, 1]));
    assert_eq!(
        status_of(&messages(&mut reader)[0]),
        (
            status::PARAMETER_ERROR,
            "the ROSpecID field is truncated".to_owned()
        )
    );
    reader.feed(&request(40, 7, Vec::new()));
    let error = &messages(&mut reader)[0];
    assert_eq!(
        (error.kind, error.id, status_of(error).0),
        (msg::ERROR_MESSAGE, 7, status::UNSUPPORTED_MESSAGE)
    );
    let mut v2 = request(msg::GET_ROSPECS, 8, Vec::new());
    v2[0] = 0x08;
    reader.feed(&v2);
    assert_eq!(
        status_of(&messages(&mut reader)[0]).0,
        status::UNSUPPORTED_VERSION
    );
    reader.feed(&request(msg::DELETE_ROSPEC, 9, vec![0, 0, 0, 0]));
    assert_eq!(status_of(&messages(&mut reader)[0]).0, status::SUCCESS);
    assert!(reader.rospecs().is_empty());
}

#[test]
fn capabilities_and_get_rospecs() {
    let mut reader = reader();
    reader.feed(&request(msg::GET_READER_CAPABILITIES, 1, vec![0]));
    let response = &messages(&mut reader)[0];
    assert_eq!(
        (response.kind, status_of(response).0),
        (msg::GET_READER_CAPABILITIES_RESPONSE, status::SUCCESS)
    );
    let mut params = Reader::new(&response.body);
    params.tlv();
    let (kind, general) = params.tlv().unwrap();
    assert_eq!(
        (kind, &general[..4]),
        (param::GENERAL_DEVICE_CAPABILITIES, &[0, 4, 0x40, 0][..])
    );
    let kinds: Vec<u16> = std::iter::from_fn(|| params.tlv().map(|(k, _)| k)).collect();
    assert_eq!(
        kinds,
        [
            param::LLRP_CAPABILITIES,
            param::REGULATORY_CAPABILITIES,
            param::C1G2_LLRP_CAPABILITIES
        ]
    );

    reader.feed(&hex(ADD_ROSPEC));
    reader.feed(&request(msg::ENABLE_ROSPEC, 2, vec![0, 0, 0, 1]));
    reader.feed(&request(msg::START_ROSPEC, 3, vec![0, 0, 0, 1]));
    messages(&mut reader);
    reader.feed(&request(msg::GET_ROSPECS, 4, Vec::new()));
    let response = &messages(&mut reader)[0];
    let mut expected = hex(ADD_ROSPEC)[10..].to_vec();
    expected[9] = RoState::Active as u8;
    assert_eq!(
        response.body[8..],
        expected[..],
        "the ROSpec as added, now Active"
    );
}

#[test]
fn keepalives_are_sent_and_acks_counted() {
    let mut reader = reader();
    reader.host_connected();
    let config = Writer::new()
        .u8(0)
        .tlv(param::KEEPALIVE_SPEC, |w| {
            w.u8(1).u32(1000);
        })
        .finish();
    reader.feed(&request(msg::SET_READER_CONFIG, 1, config));
    reader.advance(Duration::from_millis(3500));
    let sent = messages(&mut reader);
    let keepalives: Vec<&Message> = sent.iter().filter(|m| m.kind == msg::KEEPALIVE).collect();
    assert_eq!(keepalives.len(), 3);
    assert_eq!(keepalives[0].encode(), hex("04 3E 00 00 00 0A 00 00 00 02"));
    for keepalive in &keepalives {
        reader.feed(&request(msg::KEEPALIVE_ACK, keepalive.id, Vec::new()));
    }
    assert_eq!((reader.keepalives_sent(), reader.keepalive_acks()), (3, 3));
}

#[test]
fn corruption_noise_and_silence() {
    let mut reader = reader();
    reader.faults().corrupt_next(1);
    reader.faults().inject_noise(&[0xDE, 0xAD]);
    reader.feed(&request(msg::GET_ROSPECS, 1, Vec::new()));
    reader.feed(&request(msg::GET_ROSPECS, 2, Vec::new()));
    let bytes = raw(&mut reader);
    assert_eq!(&bytes[..2], [0xDE, 0xAD]);
    assert_eq!(
        &bytes[2..4],
        [0x00, 0x24],
        "version 0 in the first response"
    );
    assert_eq!(&bytes[20..22], [0x04, 0x24], "the next one is sound");

    reader.faults().set_silent(true);
    reader.feed(&request(msg::GET_ROSPECS, 3, Vec::new()));
    reader.host_connected();
    assert!(raw(&mut reader).is_empty());
    reader.faults().set_silent(false);
    reader.feed(&request(msg::GET_ROSPECS, 4, Vec::new()));
    assert_eq!(messages(&mut reader)[0].id, 4);
}
