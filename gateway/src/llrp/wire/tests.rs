use super::*;

#[test]
fn framer_splits_messages_fed_byte_by_byte() {
    let a = Message::new(msg::KEEPALIVE, 7, Vec::new()).encode();
    let b = Message::new(msg::RO_ACCESS_REPORT, 8, vec![1, 2, 3]).encode();
    assert_eq!(&a, &[0x04, 0x3E, 0, 0, 0, 10, 0, 0, 0, 7]);
    let mut framer = Framer::default();
    let mut got = Vec::new();
    for byte in a.iter().chain(&b) {
        framer.push(&[*byte]);
        while let Some(m) = framer.next_message() {
            got.push(m.unwrap());
        }
    }
    assert_eq!(got.len(), 2);
    assert_eq!(
        (got[0].kind, got[0].id, got[0].version),
        (msg::KEEPALIVE, 7, 1)
    );
    assert_eq!(
        (got[1].kind, got[1].body.as_slice()),
        (msg::RO_ACCESS_REPORT, &[1, 2, 3][..])
    );
}

#[test]
fn an_impossible_length_fails_the_stream() {
    let mut framer = Framer::default();
    framer.push(&[0x04, 0x3E, 0, 0, 0, 3, 0, 0, 0, 1]);
    assert_eq!(framer.next_message(), Some(Err(FrameError::BadLength(3))));
    framer.push(&Message::new(msg::KEEPALIVE, 1, Vec::new()).encode());
    assert!(matches!(framer.next_message(), Some(Err(_))));
}

#[test]
fn tag_reports_with_epc96_and_epcdata() {
    // TagReportData { EPC-96, AntennaID 2, PeakRSSI -55 } and
    // TagReportData { EPCData 96 bits } (readers.md's example EPC).
    let epc = [
        0x30, 0x75, 0x1F, 0xEB, 0x70, 0x5C, 0x59, 0x04, 0xE3, 0xD5, 0x0D, 0x70,
    ];
    let mut w = Writer::default();
    w.tlv(param::TAG_REPORT_DATA, |w| {
        w.u8(0x80 | tv::EPC_96);
        for b in epc {
            w.u8(b);
        }
        w.u8(0x80 | tv::ANTENNA_ID)
            .u16(2)
            .u8(0x80 | tv::PEAK_RSSI)
            .u8(0xC9);
    });
    w.tlv(param::TAG_REPORT_DATA, |w| {
        w.tlv(param::EPC_DATA, |w| {
            w.u16(96);
            for b in epc {
                w.u8(b);
            }
        });
    });
    let reports = tag_reports(&w.finish());
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].epc, epc);
    assert_eq!((reports[0].antenna, reports[0].rssi), (Some(2), Some(-55)));
    assert_eq!(
        (reports[1].epc.as_slice(), reports[1].antenna),
        (&epc[..], None)
    );
}

#[test]
fn truncated_parameters_end_the_list_without_panicking() {
    let mut w = Writer::default();
    w.tlv(param::TAG_REPORT_DATA, |w| {
        w.u8(0x80 | tv::EPC_96).u8(1).u8(2);
    });
    assert!(tag_reports(&w.finish()).is_empty());
    assert!(tag_reports(&[0x00, 0xF0, 0xFF, 0xFF, 1]).is_empty());
    assert_eq!(llrp_status(&[0x01, 0x1F, 0, 8, 0, 0]), None);
}
