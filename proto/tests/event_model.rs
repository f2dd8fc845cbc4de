//! Event model: CBV vocabularies, time and decimal forms, postcard round trips, golden bytes.
#![cfg(feature = "alloc")]
// Test helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use trace_proto::event::*;

fn time(s: &str) -> EventTime {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks every standard term of a vocabulary in its three spellings (and the CURIE).
fn check_vocabulary<T>(terms: &[T], expected_count: usize, web: &str, urn: &str, curie: &str)
where
    T: Clone + PartialEq + std::fmt::Debug + std::fmt::Display + std::str::FromStr,
    T::Err: std::fmt::Debug,
{
    assert_eq!(terms.len(), expected_count);
    for term in terms {
        let uri = term.to_string();
        let word = uri.strip_prefix(web).unwrap();
        assert!(!word.is_empty() && !word.contains(':'));
        for spelling in [
            word.to_string(),
            uri.clone(),
            format!("{urn}{word}"),
            format!("{curie}{word}"),
        ] {
            assert_eq!(&spelling.parse::<T>().unwrap(), term, "{spelling}");
        }
    }
}

#[test]
fn cbv_vocabularies_parse_and_print_all_spellings() {
    let cbv = "https://ref.gs1.org/cbv/";
    check_vocabulary(
        BizStep::STANDARD,
        41,
        &format!("{cbv}BizStep-"),
        "urn:epcglobal:cbv:bizstep:",
        "cbv:BizStep-",
    );
    check_vocabulary(
        Disposition::STANDARD,
        33,
        &format!("{cbv}Disp-"),
        "urn:epcglobal:cbv:disp:",
        "cbv:Disp-",
    );
    check_vocabulary(
        BizTransactionType::STANDARD,
        13,
        &format!("{cbv}BTT-"),
        "urn:epcglobal:cbv:btt:",
        "cbv:BTT-",
    );
    check_vocabulary(
        SourceDestType::STANDARD,
        3,
        &format!("{cbv}SDT-"),
        "urn:epcglobal:cbv:sdt:",
        "cbv:SDT-",
    );
    check_vocabulary(
        ErrorReason::STANDARD,
        2,
        &format!("{cbv}ER-"),
        "urn:epcglobal:cbv:er:",
        "cbv:ER-",
    );

    let shipping = BizStep::parse("shipping").unwrap();
    assert_eq!(shipping, BizStep::Shipping);
    assert_eq!(shipping.word(), Some("shipping"));
    assert_eq!(
        shipping.to_string(),
        "https://ref.gs1.org/cbv/BizStep-shipping"
    );
    assert_eq!(shipping.to_urn(), "urn:epcglobal:cbv:bizstep:shipping");
    assert_eq!(
        Disposition::parse("in_transit").unwrap().to_urn(),
        "urn:epcglobal:cbv:disp:in_transit"
    );
    assert_eq!(
        BizTransactionType::Po.to_string(),
        "https://ref.gs1.org/cbv/BTT-po"
    );
    assert_eq!(
        SourceDestType::PossessingParty.to_urn(),
        "urn:epcglobal:cbv:sdt:possessing_party"
    );
    assert_eq!(
        ErrorReason::parse("urn:epcglobal:cbv:er:did_not_occur").unwrap(),
        ErrorReason::DidNotOccur
    );
}

#[test]
fn custom_vocabulary_uris_and_errors() {
    let custom = BizStep::parse("https://example.com/steps/sterilising").unwrap();
    assert_eq!(
        custom,
        BizStep::Custom("https://example.com/steps/sterilising".into())
    );
    assert_eq!(custom.to_string(), "https://example.com/steps/sterilising");
    assert_eq!(custom.to_urn(), "https://example.com/steps/sterilising");
    assert_eq!(custom.word(), None);
    assert_eq!(
        Disposition::parse("urn:example:disp:quarantined").unwrap(),
        Disposition::Custom("urn:example:disp:quarantined".into())
    );

    assert_eq!(
        BizStep::parse(""),
        Err(CbvError::Empty {
            vocabulary: "business step"
        })
    );
    assert_eq!(
        BizStep::parse("shiping"),
        Err(CbvError::UnknownWord {
            vocabulary: "business step",
            word: "shiping".into()
        })
    );
    for wrong in [
        "https://ref.gs1.org/cbv/BizStep-shiping",
        "urn:epcglobal:cbv:bizstep:in_transit",
        "urn:epcglobal:cbv:disp:active",
        "https://ref.gs1.org/cbv/Disp-active",
    ] {
        assert_eq!(
            BizStep::parse(wrong),
            Err(CbvError::UnknownCbvUri {
                vocabulary: "business step",
                uri: wrong.into()
            })
        );
    }
    assert!(matches!(
        BizStep::parse("urn:x:a b"),
        Err(CbvError::NotAUri { .. })
    ));
}

#[test]
fn event_time_rfc3339() {
    // EVENT-HASH.md examples: half-up rounding and offsets to UTC.
    assert_eq!(
        time("2024-03-01T10:15:30.1235+01:00").to_string(),
        "2024-03-01T09:15:30.124Z"
    );
    assert_eq!(
        time("2024-03-01T08:00:00Z").to_string(),
        "2024-03-01T08:00:00.000Z"
    );
    assert_eq!(
        time("2024-03-02T23:30:00-02:00").to_string(),
        "2024-03-03T01:30:00.000Z"
    );
    assert_eq!(
        time("2024-03-01T09:15:30.124Z").unix_millis(),
        1_709_284_530_124
    );
    assert_eq!(time("1970-01-01T00:00:00Z").unix_millis(), 0);
    assert_eq!(
        time("2024-12-31T23:59:59.9995Z").to_string(),
        "2025-01-01T00:00:00.000Z"
    );
    assert_eq!(
        time("2024-02-29T12:00:00.5z").to_string(),
        "2024-02-29T12:00:00.500Z"
    );
    assert_eq!(time("1969-12-31T23:59:59.999Z").unix_millis(), -1);
    assert_eq!(
        time("0000-01-01T00:00:00Z").to_string(),
        "0000-01-01T00:00:00.000Z"
    );
    assert_eq!(
        time("9999-12-31T23:59:59.999Z").to_string(),
        "9999-12-31T23:59:59.999Z"
    );
    let t = time("2024-03-01T09:15:30.124Z");
    assert_eq!(
        t.display_at("+01:00".parse().unwrap()).to_string(),
        "2024-03-01T10:15:30.124+01:00"
    );
    assert_eq!(
        t.display_at("-09:30".parse().unwrap()).to_string(),
        "2024-02-29T23:45:30.124-09:30"
    );
    assert_eq!(EventTime::from_unix_millis(t.unix_millis()), Ok(t));

    let err = |s: &str| s.parse::<EventTime>().unwrap_err();
    assert!(matches!(
        err("9999-12-31T23:59:59.999-00:01"),
        TimeError::OutOfRange { .. }
    ));
    assert_eq!(
        err("2024-13-01T00:00:00Z"),
        TimeError::Field {
            field: "month",
            value: 13
        }
    );
    assert_eq!(
        err("2023-02-29T00:00:00Z"),
        TimeError::Field {
            field: "day",
            value: 29
        }
    );
    assert_eq!(
        err("2024-01-01T24:00:00Z"),
        TimeError::Field {
            field: "hour",
            value: 24
        }
    );
    assert_eq!(
        err("2024-01-01 00:00:00Z"),
        TimeError::Syntax {
            position: 10,
            expected: "'T'"
        }
    );
    assert_eq!(
        err("2024-01-01T00:00:00"),
        TimeError::Syntax {
            position: 19,
            expected: "'+' or '-'"
        }
    );
    assert_eq!(
        err("2024-01-01T00:00:00.Z"),
        TimeError::Syntax {
            position: 20,
            expected: "a digit"
        }
    );
    assert_eq!(
        err("2024-01-01T00:00:00.1234567891Z"),
        TimeError::Fraction { digits: 10 }
    );
    assert_eq!(
        err("2024-01-01T00:00:00Zx"),
        TimeError::Syntax {
            position: 20,
            expected: "end of time"
        }
    );
    assert_eq!(
        err("2024-01-01T00:00:00+15:00"),
        TimeError::Field {
            field: "offset hour",
            value: 15
        }
    );
    assert_eq!(
        err("2024-01-01T00:00:00+14:30"),
        TimeError::Offset { minutes: 870 }
    );
}

#[test]
fn offsets_and_dates() {
    for (text, minutes) in [
        ("+01:00", 60),
        ("-02:00", -120),
        ("+00:00", 0),
        ("-00:30", -30),
        ("+14:00", 840),
    ] {
        let offset: TimeZoneOffset = text.parse().unwrap();
        assert_eq!(offset.minutes(), minutes);
        assert_eq!(offset.to_string(), text);
    }
    assert_eq!(
        TimeZoneOffset::from_minutes(-841),
        Err(TimeError::Offset { minutes: -841 })
    );
    assert!("Z".parse::<TimeZoneOffset>().is_err());
    assert!("+0100".parse::<TimeZoneOffset>().is_err());

    let date: Date = "2024-04-01".parse().unwrap();
    assert_eq!((date.year(), date.month(), date.day()), (2024, 4, 1));
    assert_eq!(date.to_string(), "2024-04-01");
    assert_eq!(
        Date::new(2100, 2, 29),
        Err(TimeError::Field {
            field: "day",
            value: 29
        })
    );
    assert!(Date::new(2000, 2, 29).is_ok());
    assert!("2024-04-01T00:00:00Z".parse::<Date>().is_err());
}

#[test]
fn decimals_are_exact_and_normalised() {
    for (text, canonical) in [
        ("0010.50", "10.5"),
        ("10.0", "10"),
        ("-4.20", "-4.2"),
        (".5", "0.5"),
        ("1.", "1"),
        ("+7", "7"),
        ("-0.000", "0"),
        ("0.000000000000000001", "0.000000000000000001"),
        ("9223372036854775807", "9223372036854775807"),
        ("-922337203.6854775808", "-922337203.6854775808"),
    ] {
        assert_eq!(dec(text).to_string(), canonical, "{text}");
    }
    assert_eq!(dec("2.50"), dec("2.5"));
    assert_eq!((dec("2.50").mantissa(), dec("2.50").scale()), (25, 1));
    let err = |s: &str| s.parse::<Decimal>().unwrap_err();
    assert_eq!(err(""), DecimalError::NoDigits);
    assert_eq!(err("-."), DecimalError::NoDigits);
    assert_eq!(
        err("1e3"),
        DecimalError::BadChar {
            position: 1,
            found: 'e'
        }
    );
    assert_eq!(
        err("-1.2.3"),
        DecimalError::BadChar {
            position: 4,
            found: '.'
        }
    );
    assert_eq!(
        err(" 1"),
        DecimalError::BadChar {
            position: 0,
            found: ' '
        }
    );
    assert_eq!(err("9223372036854775808"), DecimalError::Overflow);
    assert_eq!(
        err("0.0000000000000000001"),
        DecimalError::Scale { scale: 19 }
    );
    assert_eq!(Decimal::new(1, 19), Err(DecimalError::Scale { scale: 19 }));
    // Only the normalised form decodes: one number, one encoding.
    assert!(postcard::from_bytes::<Decimal>(&[20, 1]).is_err());
    assert_eq!(
        postcard::from_bytes::<Decimal>(&[2, 0]).unwrap(),
        Decimal::from(1)
    );
}

fn ext(name: &str, value: ExtensionValue) -> Extension {
    Extension {
        namespace: "https://ns.example.com/epcis/".into(),
        name: name.into(),
        value,
    }
}

fn extensions() -> Vec<Extension> {
    vec![
        Extension::text("https://ns.example.com/epcis/", "batch", "B-17"),
        ext("count", ExtensionValue::Number(dec("10.5"))),
        ext("checked", ExtensionValue::Bool(true)),
        ext(
            "carrier",
            ExtensionValue::Object(vec![
                Extension::text("https://ns.example.com/epcis/", "name", "ACME"),
                ext(
                    "plates",
                    ExtensionValue::List(vec![
                        ExtensionValue::Text("B-XY-1".into()),
                        ExtensionValue::Object(vec![]),
                        ExtensionValue::List(vec![ExtensionValue::Bool(false)]),
                    ]),
                ),
            ]),
        ),
    ]
}

fn location(id: &str) -> Location {
    Location {
        id: id.into(),
        extensions: extensions(),
    }
}

fn quantities(class: &str) -> Vec<QuantityElement> {
    vec![
        QuantityElement {
            epc_class: class.into(),
            quantity: Some(dec("2.5")),
            uom: Some("KGM".into()),
        },
        QuantityElement {
            epc_class: class.into(),
            quantity: None,
            uom: None,
        },
    ]
}

fn full_ilmd() -> Ilmd {
    Ilmd {
        lot_number: Some("LOT42".into()),
        item_expiration_date: Some("2025-06-30".parse().unwrap()),
        production_date: Some("2024-03-01".parse().unwrap()),
        best_before_date: Some("2025-05-31".parse().unwrap()),
        sell_by_date: Some("2025-05-15".parse().unwrap()),
        country_of_origin: Some("DE".into()),
        extensions: vec![Extension::text(CBVMDA_NAMESPACE, "drainedWeight", "0.5")],
    }
}

/// An event of `kind` with every common field populated.
fn full_event(kind: EventKind) -> Event {
    let mut event = Event::new(
        kind,
        time("2024-03-01T10:15:30.123+01:00"),
        "+01:00".parse().unwrap(),
    );
    event.event_id = Some("urn:uuid:5c8f8a5e-3c1b-4c59-9e0f-0d7b3c0f1a2b".into());
    event.error_declaration = Some(ErrorDeclaration {
        declaration_time: time("2024-03-02T08:00:00Z"),
        reason: Some(ErrorReason::IncorrectData),
        corrective_event_ids: vec!["urn:uuid:1".into()],
        extensions: extensions(),
    });
    event.certification_info = vec!["https://cert.example.org/ABC12345".into()];
    event.biz_step = Some(BizStep::Commissioning);
    event.disposition = Some(Disposition::Custom("urn:example:disp:quarantined".into()));
    event.persistent_disposition = Some(PersistentDisposition {
        set: vec![Disposition::CompletenessVerified],
        unset: vec![Disposition::CompletenessInferred, Disposition::Recalled],
    });
    event.read_point = Some(location("urn:epc:id:sgln:4012345.00001.0"));
    event.biz_location = Some(location("urn:epc:id:sgln:4012345.00001.12"));
    event.biz_transactions = vec![
        BizTransaction {
            kind: Some(BizTransactionType::Po),
            id: "urn:epcglobal:cbv:bt:4012345000009:PO-77".into(),
        },
        BizTransaction {
            kind: None,
            id: "https://erp.example.com/tx/9".into(),
        },
    ];
    event.sources = vec![SourceDest {
        kind: SourceDestType::OwningParty,
        id: "urn:epc:id:pgln:4012345.00000".into(),
    }];
    event.destinations = vec![SourceDest {
        kind: SourceDestType::Custom("https://example.com/sdt/carrier".into()),
        id: "urn:epc:id:sgln:0614141.00888.0".into(),
    }];
    let full_report = SensorReport {
        measurement_type: Some("Temperature".into()),
        exception: Some("ALARM_CONDITION".into()),
        device_id: Some("urn:epc:id:giai:4012345.SENSOR1".into()),
        device_metadata: Some("https://example.com/dev/1".into()),
        raw_data: Some("https://example.com/raw/1".into()),
        data_processing_method: Some("https://example.com/method".into()),
        time: Some(time("2024-03-01T09:00:00Z")),
        microorganism: Some("https://www.ncbi.nlm.nih.gov/taxonomy/1639".into()),
        chemical_substance: Some(
            "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N".into(),
        ),
        value: Some(dec("-18.25")),
        component: Some("x".into()),
        string_value: Some("SomeString".into()),
        boolean_value: Some(true),
        hex_binary_value: Some(vec![0xDE, 0xAD, 0xBE, 0xEF]),
        uri_value: Some("https://example.com/value".into()),
        min_value: Some(dec("-19")),
        max_value: Some(dec("-17.5")),
        mean_value: Some(dec("-18.1")),
        s_dev: Some(dec("0.35")),
        perc_rank: Some(dec("50")),
        perc_value: Some(dec("-18.2")),
        uom: Some("CEL".into()),
        coordinate_reference_system: Some("http://www.opengis.net/def/crs/EPSG/0/4979".into()),
        extensions: extensions(),
    };
    event.sensor_elements = vec![
        SensorElement {
            metadata: Some(SensorMetadata {
                time: Some(time("2024-03-01T09:00:00Z")),
                start_time: Some(time("2024-03-01T08:00:00Z")),
                end_time: Some(time("2024-03-01T09:00:00Z")),
                device_id: Some("urn:epc:id:giai:4012345.SENSOR1".into()),
                device_metadata: Some("https://example.com/dev/1".into()),
                raw_data: Some("https://example.com/raw/1".into()),
                data_processing_method: Some("https://example.com/method".into()),
                biz_rules: Some("https://example.com/rules".into()),
                extensions: extensions(),
            }),
            reports: vec![full_report, SensorReport::default()],
            extensions: extensions(),
        },
        SensorElement::default(),
    ];
    event.extensions = extensions();
    event
}

fn all_kinds() -> Vec<EventKind> {
    let epcs = || {
        vec![
            "urn:epc:id:sgtin:4012345.011111.1002".to_string(),
            "urn:rfid-trace:uid:em4100:100086f444".into(),
        ]
    };
    let class = "urn:epc:class:lgtin:4012345.011111.LOT42";
    vec![
        EventKind::Object(ObjectEvent {
            action: Action::Add,
            epc_list: epcs(),
            quantity_list: quantities(class),
            ilmd: Some(full_ilmd()),
        }),
        EventKind::Aggregation(AggregationEvent {
            action: Action::Delete,
            parent_id: Some("urn:epc:id:sscc:4012345.0000000111".into()),
            child_epcs: epcs(),
            child_quantity_list: quantities(class),
        }),
        EventKind::Transaction(TransactionEvent {
            action: Action::Observe,
            parent_id: Some("urn:epc:id:sscc:4012345.0000000111".into()),
            epc_list: epcs(),
            quantity_list: quantities(class),
        }),
        EventKind::Transformation(TransformationEvent {
            transformation_id: Some("urn:uuid:transform-1".into()),
            input_epc_list: epcs(),
            input_quantity_list: quantities(class),
            output_epc_list: epcs(),
            output_quantity_list: quantities(class),
            ilmd: Some(full_ilmd()),
        }),
        EventKind::Association(AssociationEvent {
            action: Action::Add,
            parent_id: "urn:epc:id:grai:4012345.55555.987".into(),
            child_epcs: epcs(),
            child_quantity_list: quantities(class),
        }),
    ]
}

#[test]
fn every_field_survives_postcard() {
    for kind in all_kinds() {
        let event = full_event(kind);
        assert_eq!(event.validate(), Ok(()));
        let bytes = postcard::to_allocvec(&event).unwrap();
        assert_eq!(
            postcard::from_bytes::<Event>(&bytes).unwrap(),
            event,
            "{}",
            event.kind.type_name()
        );
        assert_eq!(
            postcard::to_allocvec(&postcard::from_bytes::<Event>(&bytes).unwrap()).unwrap(),
            bytes
        );
    }
}

#[test]
fn type_names_and_actions() {
    let names: Vec<_> = all_kinds().iter().map(|k| k.type_name()).collect();
    assert_eq!(
        names,
        [
            "ObjectEvent",
            "AggregationEvent",
            "TransactionEvent",
            "TransformationEvent",
            "AssociationEvent"
        ]
    );
    for action in [Action::Add, Action::Observe, Action::Delete] {
        assert_eq!(action.to_string().parse::<Action>(), Ok(action));
    }
    assert_eq!("add".parse::<Action>(), Err(ActionError("add".into())));
}

#[test]
fn validation_rules() {
    let t = time("2024-03-01T08:00:00Z");
    let aggregation = |action| {
        EventKind::Aggregation(AggregationEvent {
            action,
            parent_id: None,
            child_epcs: vec![],
            child_quantity_list: vec![],
        })
    };
    let add = Event::new(aggregation(Action::Add), t, TimeZoneOffset::UTC);
    assert_eq!(
        add.validate(),
        Err(EventError::MissingParent {
            action: Action::Add
        })
    );
    assert_eq!(
        Event::new(aggregation(Action::Observe), t, TimeZoneOffset::UTC).validate(),
        Ok(())
    );
    let tx = EventKind::Transaction(TransactionEvent {
        action: Action::Add,
        parent_id: None,
        epc_list: vec![],
        quantity_list: vec![],
    });
    assert_eq!(
        Event::new(tx, t, TimeZoneOffset::UTC).validate(),
        Err(EventError::NoBizTransaction)
    );
    let object = EventKind::Object(ObjectEvent {
        action: Action::Observe,
        epc_list: vec![],
        quantity_list: vec![],
        ilmd: Some(Ilmd::default()),
    });
    assert_eq!(
        Event::new(object, t, TimeZoneOffset::UTC).validate(),
        Err(EventError::IlmdWithoutAdd {
            action: Action::Observe
        })
    );
}

#[test]
fn extension_depth_is_bounded_both_ways() {
    let mut deep = ExtensionValue::Text("leaf".into());
    for _ in 0..MAX_EXTENSION_DEPTH {
        deep = ExtensionValue::List(vec![deep]);
    }
    let mut event = full_event(all_kinds().remove(0));
    event.extensions = vec![ext("deep", deep.clone())];
    let bytes = postcard::to_allocvec(&event).unwrap();
    assert_eq!(postcard::from_bytes::<Event>(&bytes).unwrap(), event);
    event.extensions = vec![ext("deeper", ExtensionValue::List(vec![deep]))];
    assert!(postcard::to_allocvec(&event).is_err());

    // Hand-made wire forms: 10 000 nested lists, a skipped level, an unnamed top element.
    let node = |depth: u8, key: Option<(&str, &str)>, leaf: u8| {
        let mut b = vec![depth];
        match key {
            Some((ns, name)) => {
                b.extend([1, ns.len() as u8]);
                b.extend(ns.bytes());
                b.push(name.len() as u8);
                b.extend(name.bytes());
            }
            None => b.push(0),
        }
        b.push(leaf);
        b
    };
    let with_extensions = |nodes: Vec<Vec<u8>>, count: usize| {
        let mut e = Event::new(
            all_kinds().remove(1),
            time("2024-03-01T08:00:00Z"),
            TimeZoneOffset::UTC,
        );
        e.extensions.clear();
        let mut bytes = postcard::to_allocvec(&e).unwrap();
        bytes.pop(); // the empty extension list
        bytes.extend(postcard::to_allocvec(&(count as u32)).unwrap());
        bytes.extend(nodes.concat());
        bytes
    };
    let nested: Vec<Vec<u8>> = std::iter::once(node(0, Some(("n", "x")), 4))
        .chain((1..10_000usize).map(|d| node((d % 256) as u8, None, 4)))
        .collect();
    assert!(postcard::from_bytes::<Event>(&with_extensions(nested, 10_000)).is_err());
    let skipped = vec![node(0, Some(("n", "x")), 3), node(2, Some(("n", "y")), 2)];
    assert!(postcard::from_bytes::<Event>(&with_extensions(skipped, 2)).is_err());
    let unnamed = vec![node(0, None, 3)];
    assert!(postcard::from_bytes::<Event>(&with_extensions(unnamed, 1)).is_err());
    let fine = vec![node(0, Some(("n", "x")), 3), node(1, Some(("n", "y")), 3)];
    let decoded = postcard::from_bytes::<Event>(&with_extensions(fine, 2)).unwrap();
    assert_eq!(
        decoded.extensions[0].value,
        ExtensionValue::Object(vec![Extension {
            namespace: "n".into(),
            name: "y".into(),
            value: ExtensionValue::Object(vec![]),
        }])
    );
}

/// EVENT-HASH.md example A as a model event; its pinned encoding catches format changes.
#[test]
fn golden_event_bytes() {
    let mut event = Event::new(
        EventKind::Object(ObjectEvent {
            action: Action::Observe,
            epc_list: vec!["urn:epc:id:sgtin:4012345.011111.1002".into()],
            quantity_list: vec![],
            ilmd: None,
        }),
        time("2024-03-01T10:15:30.1235+01:00"),
        "+01:00".parse().unwrap(),
    );
    event.event_id = Some("urn:uuid:1".into());
    event.biz_step = Some(BizStep::Shipping);
    event.disposition = Some(Disposition::InTransit);
    event.read_point = Some(Location {
        id: "urn:epc:id:sgln:4012345.00001.0".into(),
        extensions: vec![],
    });
    event.biz_transactions = vec![BizTransaction {
        kind: Some(BizTransactionType::Po),
        id: "urn:epcglobal:cbv:bt:4012345000009:PO-77".into(),
    }];
    event.extensions = vec![
        ext("count", ExtensionValue::Number(dec("0010.50"))),
        Extension::text("https://ns.example.com/epcis/", "batch", "B-17"),
    ];
    let bytes = postcard::to_allocvec(&event).unwrap();
    assert_eq!(hex(&bytes), GOLDEN_EVENT);
    assert_eq!(postcard::from_bytes::<Event>(&bytes).unwrap(), event);
}

const GOLDEN_EVENT: &str = concat!(
    "98dfe094bf6378010a75726e3a757569643a3100000001012475726e3a6570633a69643a73677469",
    "6e3a343031323334352e3031313131312e3130303200000121010f00011f75726e3a6570633a6964",
    "3a73676c6e3a343031323334352e30303030312e3000000101062875726e3a657063676c6f62616c",
    "3a6362763a62743a343031323334353030303030393a504f2d37370000000200011d68747470733a",
    "2f2f6e732e6578616d706c652e636f6d2f65706369732f05636f756e7401d2010100011d68747470",
    "733a2f2f6e732e6578616d706c652e636f6d2f65706369732f0562617463680004422d3137",
);

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn event_time_text_round_trips(
            millis in -62_167_219_200_000i64..=253_402_300_799_999,
            offset in -840i16..=840,
        ) {
            let t = EventTime::from_unix_millis(millis).unwrap();
            prop_assert_eq!(t.to_string().parse::<EventTime>(), Ok(t));
            let offset = TimeZoneOffset::from_minutes(offset).unwrap();
            let local = t.display_at(offset).to_string();
            // Local forms past the year range are not valid RFC 3339 years; the rest parse back.
            if local.len() == 29 {
                prop_assert_eq!(local.parse::<EventTime>(), Ok(t));
            }
        }

        #[test]
        fn decimal_text_round_trips(mantissa in any::<i64>(), scale in 0u8..=18) {
            let d = Decimal::new(mantissa, scale).unwrap();
            prop_assert_eq!(d.to_string().parse::<Decimal>(), Ok(d));
            let bytes = postcard::to_allocvec(&d).unwrap();
            prop_assert_eq!(postcard::from_bytes::<Decimal>(&bytes), Ok(d));
        }

        #[test]
        fn arbitrary_bytes_never_panic_the_event_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = postcard::from_bytes::<Event>(&bytes);
        }
    }
}
