use super::*;

fn entry(name: &str, role: MqttRole, password: &str) -> MqttUserEntry {
    MqttUserEntry {
        name: name.into(),
        role,
        sha256: hex::encode(secret_hash(password.as_bytes())),
    }
}

fn users() -> Users {
    Users::from_entries(&[
        entry("dock-1", MqttRole::Gateway, "pw-a"),
        entry("dock-2", MqttRole::Gateway, "pw-b"),
        entry("trace-server", MqttRole::Server, "pw-s"),
        entry("dash", MqttRole::Reader, "pw-r"),
    ])
    .unwrap()
}

fn gateway(id: &str) -> Principal {
    Principal::Gateway(GatewayId::new(id).unwrap())
}

#[test]
fn logins_need_the_right_password_for_a_known_name() {
    let users = users();
    assert_eq!(
        users.login(Some("dock-1"), Some(b"pw-a")),
        Some(gateway("dock-1"))
    );
    assert_eq!(users.login(Some("dock-1"), Some(b"pw-b")), None);
    assert_eq!(users.login(Some("dock-9"), Some(b"pw-a")), None);
    assert_eq!(users.login(Some("dock-1"), None), None);
    assert_eq!(users.login(None, None), None);
    assert_eq!(
        users.login(Some("dash"), Some(b"pw-r")),
        Some(Principal::Reader("dash".into()))
    );
    assert_eq!(
        Users::default().login(None, None),
        Some(Principal::Anyone),
        "no users configured: open"
    );
}

#[test]
fn bad_entries_are_refused_by_name() {
    let mut bad_hash = entry("dock-1", MqttRole::Gateway, "x");
    bad_hash.sha256 = "abc".into();
    assert!(matches!(
        Users::from_entries(&[bad_hash]),
        Err(UserConfigError::Hash(name)) if name == "dock-1"
    ));
    assert!(matches!(
        Users::from_entries(&[entry("a/b", MqttRole::Gateway, "x")]),
        Err(UserConfigError::GatewayName { .. })
    ));
    let twice = [
        entry("s", MqttRole::Server, "x"),
        entry("s", MqttRole::Reader, "y"),
    ];
    assert!(matches!(
        Users::from_entries(&twice),
        Err(UserConfigError::Duplicate(_))
    ));
}

#[test]
fn a_gateway_publishes_only_its_own_topics_and_reads_only_its_ack_and_recalls() {
    let a = gateway("dock-1");
    assert!(a.may_publish("rfid-trace/v1/gw/dock-1/events"));
    assert!(a.may_publish("rfid-trace/v1/gw/dock-1/status"));
    for topic in [
        "rfid-trace/v1/gw/dock-2/events",
        "rfid-trace/v1/gw/dock-1/ack",
        "rfid-trace/v1/recalls",
        "rfid-trace/v1/gw/dock-1/events/x",
        "rfid-trace/v1/gw/+/events",
        "other/topic",
    ] {
        assert!(!a.may_publish(topic), "{topic}");
    }
    assert!(a.may_subscribe("rfid-trace/v1/gw/dock-1/ack"));
    assert!(a.may_subscribe("rfid-trace/v1/recalls"));
    for filter in [
        "rfid-trace/v1/gw/dock-2/ack",
        "rfid-trace/v1/gw/+/ack",
        "rfid-trace/v1/gw/dock-1/#",
        "#",
        "rfid-trace/v1/gw/dock-1/events",
        "$share/g/rfid-trace/v1/gw/dock-1/ack",
    ] {
        assert!(!a.may_subscribe(filter), "{filter}");
    }
    assert!(a.may_use_client_id("dock-1"));
    assert!(!a.may_use_client_id("dock-2"));
}

#[test]
fn a_server_reads_events_and_status_and_writes_acks_and_recalls() {
    let s = Principal::Server("trace-server".into());
    assert!(s.may_subscribe("$share/trace-servers/rfid-trace/v1/gw/+/events"));
    assert!(s.may_subscribe("rfid-trace/v1/gw/+/events"));
    assert!(s.may_subscribe("rfid-trace/v1/gw/+/status"));
    assert!(!s.may_subscribe("rfid-trace/v1/gw/+/ack"));
    assert!(!s.may_subscribe("#"));
    assert!(s.may_publish("rfid-trace/v1/gw/dock-2/ack"));
    assert!(s.may_publish("rfid-trace/v1/recalls"));
    assert!(!s.may_publish("rfid-trace/v1/gw/dock-2/events"));
    assert!(s.may_use_client_id("trace-server-1"));
}

#[test]
fn a_reader_only_reads() {
    let r = Principal::Reader("dash".into());
    assert!(r.may_subscribe("rfid-trace/v1/recalls"));
    assert!(r.may_subscribe("rfid-trace/v1/gw/+/status"));
    assert!(!r.may_subscribe("rfid-trace/v1/gw/+/events"));
    assert!(!r.may_publish("rfid-trace/v1/recalls"));
    assert!(Principal::Anyone.may_publish("anything/at/all"));
    assert!(!Principal::Anyone.may_publish("wild/+"));
}
