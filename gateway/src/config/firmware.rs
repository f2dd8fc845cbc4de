//! `[reader.firmware]`: the configuration a `link` reader sends its trace-firmware
//! board, checked into the link's own [`Configure`] message. The gateway checks what it
//! can know (port kinds, duplicates, the power's range as a number); the board checks
//! the rest against its hardware and answers with a `ConfigAck`.

use toml::Spanned;
use trace_proto::link::{Configure, MAX_READERS, PortAssignment, ReaderKind};

use super::raw;
use super::{Checker, ConfigError};

impl Checker<'_> {
    pub(super) fn firmware(
        &self,
        index: usize,
        f: &Spanned<raw::Firmware>,
    ) -> Result<Configure, ConfigError> {
        let key = |field: &str| format!("reader[{index}].firmware.{field}");
        let raw = f.get_ref();
        let power = raw.uhf_tx_power_dbm.get_ref() * 100.0;
        if !power.is_finite() || power < f64::from(i16::MIN) || power > f64::from(i16::MAX) {
            return Err(self.invalid(
                &raw.uhf_tx_power_dbm,
                &key("uhf_tx_power_dbm"),
                "not a transmit power in dBm",
            ));
        }
        let mut configure = Configure {
            debounce_ms: raw.debounce_ms,
            // In range: checked above.
            uhf_tx_power_cdbm: power.round() as i16,
            ports: Default::default(),
        };
        for (i, p) in raw.ports.iter().enumerate() {
            let kind = match p.get_ref().kind.get_ref().as_str() {
                "em4100" => Some(ReaderKind::Em4100),
                "pn532" => Some(ReaderKind::Pn532),
                "mfrc522" => Some(ReaderKind::Mfrc522),
                "uhf-m100" => Some(ReaderKind::UhfM100),
                "none" => None,
                other => {
                    return Err(self.invalid(
                        &p.get_ref().kind,
                        &key(&format!("ports[{i}].kind")),
                        &format!(
                            "unknown reader kind {other:?}: em4100, pn532, mfrc522, uhf-m100 or none"
                        ),
                    ));
                }
            };
            let port = p.get_ref().port;
            if configure.ports.iter().any(|a| a.port == port) {
                return Err(self.invalid(
                    p,
                    &key(&format!("ports[{i}]")),
                    &format!("port {port} is listed twice"),
                ));
            }
            configure
                .ports
                .push(PortAssignment { port, kind })
                .map_err(|_| {
                    self.invalid(
                        p,
                        &key("ports"),
                        &format!("a board takes at most {MAX_READERS} ports"),
                    )
                })?;
        }
        Ok(configure)
    }
}
