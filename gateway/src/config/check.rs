//! The business checks of [`Config::parse`](super::Config::parse), one per section.

use std::collections::HashMap;

use toml::Spanned;
use trace_proto::epc::EpcId;
use trace_proto::event::{BizStep, BizTransactionType, Date, Disposition, TimeZoneOffset};
use trace_proto::signed::GatewayId;

use super::raw;
use super::{
    Checker, ConfigError, Direction, GatewayConfig, LotData, ModuleKind, Profile, ReaderConfig,
    ReaderSource, StationConfig, Transform,
};
use crate::lot::{COUNTRY_RULE, check_lot, is_country_code};

impl Checker<'_> {
    pub(super) fn gateway(&self, g: &raw::Gateway) -> Result<GatewayConfig, ConfigError> {
        let id = GatewayId::new(g.id.get_ref())
            .map_err(|e| self.invalid(&g.id, "gateway.id", &e.to_string()))?;
        let timezone = match &g.timezone_offset_minutes {
            None => TimeZoneOffset::UTC,
            Some(minutes) => TimeZoneOffset::from_minutes(*minutes.get_ref()).map_err(|e| {
                self.invalid(minutes, "gateway.timezone_offset_minutes", &e.to_string())
            })?,
        };
        Ok(GatewayConfig {
            id,
            key_file: g.key_file.clone(),
            outbox: g.outbox.clone(),
            outbox_budget_bytes: g.outbox_budget_bytes,
            timezone,
        })
    }

    pub(super) fn station(
        &self,
        index: usize,
        s: &raw::Station,
    ) -> Result<StationConfig, ConfigError> {
        let key = |field: &str| format!("station[{index}].{field}");
        let biz_step = BizStep::parse(s.biz_step.get_ref())
            .map_err(|e| self.invalid(&s.biz_step, &key("biz_step"), &e.to_string()))?;
        let disposition = s
            .disposition
            .as_ref()
            .map(|d| {
                Disposition::parse(d.get_ref())
                    .map_err(|e| self.invalid(d, &key("disposition"), &e.to_string()))
            })
            .transpose()?;
        let read_point = self.sgln(&s.read_point, &key("read_point"))?;
        let biz_location = s
            .biz_location
            .as_ref()
            .map(|l| self.sgln(l, &key("biz_location")))
            .transpose()?;
        let owning_party = s
            .owning_party
            .as_ref()
            .map(|p| self.uri(p, &key("owning_party")))
            .transpose()?;
        let biz_transaction = match (&s.biz_transaction, &s.biz_transaction_type) {
            (None, None) => None,
            (None, Some(t)) => {
                return Err(self.invalid(
                    t,
                    &key("biz_transaction_type"),
                    "a transaction type without `biz_transaction`",
                ));
            }
            (Some(id), kind) => {
                let kind = kind
                    .as_ref()
                    .map(|t| {
                        BizTransactionType::parse(t.get_ref()).map_err(|e| {
                            self.invalid(t, &key("biz_transaction_type"), &e.to_string())
                        })
                    })
                    .transpose()?;
                Some((kind, self.uri(id, &key("biz_transaction"))?))
            }
        };
        let profile = match s.profile.get_ref().as_str() {
            "observe" => Profile::Observe,
            "commission" => Profile::Commission(self.lot_data(index, s)?),
            "pack" => Profile::Pack {
                window_ms: s.window_ms,
            },
            "unpack" => Profile::Unpack {
                window_ms: s.window_ms,
            },
            "transform" => Profile::Transform(Transform {
                window_ms: s.window_ms,
                output_product: self.output_product(index, s)?,
                lot: self.lot_data(index, s)?,
            }),
            other => {
                return Err(self.invalid(
                    &s.profile,
                    &key("profile"),
                    &format!(
                        "unknown profile {other:?}: observe, commission, pack, unpack or transform"
                    ),
                ));
            }
        };
        let direction = s
            .direction
            .as_ref()
            .map(|d| self.direction(index, d, &profile))
            .transpose()?;
        Ok(StationConfig {
            direction,
            name: s.name.get_ref().clone(),
            profile,
            read_point,
            biz_location,
            biz_step,
            disposition,
            biz_transaction,
            owning_party,
        })
    }

    fn step_and_disposition(
        &self,
        step: &Spanned<String>,
        disposition: Option<&Spanned<String>>,
        key: &str,
    ) -> Result<(BizStep, Option<Disposition>), ConfigError> {
        let biz_step = BizStep::parse(step.get_ref())
            .map_err(|e| self.invalid(step, &format!("{key}_biz_step"), &e.to_string()))?;
        let disposition = disposition
            .map(|d| {
                Disposition::parse(d.get_ref())
                    .map_err(|e| self.invalid(d, &format!("{key}_disposition"), &e.to_string()))
            })
            .transpose()?;
        Ok((biz_step, disposition))
    }

    fn direction(
        &self,
        index: usize,
        d: &Spanned<raw::Direction>,
        profile: &Profile,
    ) -> Result<Direction, ConfigError> {
        let key = format!("station[{index}].direction");
        if *profile != Profile::Observe {
            return Err(self.invalid(d, &key, "direction needs profile = \"observe\""));
        }
        let raw = d.get_ref();
        if raw.outside_antenna == raw.inside_antenna {
            return Err(self.invalid(d, &key, "outside_antenna and inside_antenna must differ"));
        }
        Ok(Direction {
            outside_antenna: raw.outside_antenna,
            inside_antenna: raw.inside_antenna,
            inbound: self.step_and_disposition(
                &raw.inbound_biz_step,
                raw.inbound_disposition.as_ref(),
                &format!("{key}.inbound"),
            )?,
            outbound: self.step_and_disposition(
                &raw.outbound_biz_step,
                raw.outbound_disposition.as_ref(),
                &format!("{key}.outbound"),
            )?,
        })
    }

    fn lot_data(&self, index: usize, s: &raw::Station) -> Result<LotData, ConfigError> {
        let date = |d: &Option<Spanned<String>>, field: &str| {
            d.as_ref()
                .map(|d| {
                    d.get_ref().parse::<Date>().map_err(|e| {
                        self.invalid(d, &format!("station[{index}].{field}"), &e.to_string())
                    })
                })
                .transpose()
        };
        let country_of_origin = match &s.country_of_origin {
            Some(c) if !is_country_code(c.get_ref()) => {
                return Err(self.invalid(
                    c,
                    &format!("station[{index}].country_of_origin"),
                    COUNTRY_RULE,
                ));
            }
            other => other.as_ref().map(|c| c.get_ref().clone()),
        };
        if let Some(lot) = &s.lot {
            check_lot(lot.get_ref())
                .map_err(|e| self.invalid(lot, &format!("station[{index}].lot"), &e))?;
        }
        Ok(LotData {
            lot: s.lot.as_ref().map(|l| l.get_ref().clone()),
            production_date: date(&s.production_date, "production_date")?,
            expiry_date: date(&s.expiry_date, "expiry_date")?,
            country_of_origin,
        })
    }

    fn output_product(&self, index: usize, s: &raw::Station) -> Result<String, ConfigError> {
        let key = format!("station[{index}].output_product");
        let Some(product) = &s.output_product else {
            return Err(self.invalid(
                &s.profile,
                &key,
                "a transform station needs `output_product = \"CompanyPrefix.ItemRef\"`",
            ));
        };
        self.product(product, &key)
    }

    /// `CompanyPrefix.ItemRef` of an SGTIN, checked by making one.
    fn product(&self, product: &Spanned<String>, key: &str) -> Result<String, ConfigError> {
        let probe = format!("urn:epc:id:sgtin:{}.1", product.get_ref());
        EpcId::parse(&probe)
            .map_err(|e| self.invalid(product, key, &format!("not CP.ItemRef: {e}")))?;
        Ok(product.get_ref().clone())
    }

    pub(super) fn reader(
        &self,
        index: usize,
        r: &raw::Reader,
        stations: &HashMap<&str, usize>,
    ) -> Result<ReaderConfig, ConfigError> {
        let key = |field: &str| format!("reader[{index}].{field}");
        let station = *stations.get(r.station.get_ref().as_str()).ok_or_else(|| {
            self.invalid(&r.station, &key("station"), "no [[station]] has this name")
        })?;
        let port = || {
            r.port
                .clone()
                .ok_or_else(|| self.invalid(&r.kind, &key("port"), "this kind needs a `port`"))
        };
        let module = |kind: ModuleKind, baud: u32| -> Result<ReaderSource, ConfigError> {
            Ok(ReaderSource::Module {
                kind,
                port: port()?,
                baud: r.baud.unwrap_or(baud),
            })
        };
        if let Some(f) = &r.firmware
            && r.kind.get_ref() != "link"
        {
            return Err(self.invalid(
                f,
                &key("firmware"),
                "only a `link` reader (a trace-firmware board) takes a firmware configuration",
            ));
        }
        let source = match r.kind.get_ref().as_str() {
            "link" => ReaderSource::Link {
                port: port()?,
                baud: r.baud.unwrap_or(115_200),
                configure: r
                    .firmware
                    .as_ref()
                    .map(|f| self.firmware(index, f))
                    .transpose()?,
            },
            "em4100" => module(ModuleKind::Em4100, 9600)?,
            "pn532" => module(ModuleKind::Pn532, 115_200)?,
            "uhf-m100" => module(ModuleKind::UhfM100, 115_200)?,
            "llrp" => {
                let address = r.address.clone().ok_or_else(|| {
                    self.invalid(
                        &r.kind,
                        &key("address"),
                        "an LLRP reader needs `address = \"host:5084\"`",
                    )
                })?;
                let address = if address.contains(':') {
                    address
                } else {
                    format!("{address}:5084")
                };
                ReaderSource::Llrp {
                    address,
                    keepalive_ms: r.keepalive_ms,
                }
            }
            "simulate" => {
                let product = match &r.product {
                    None => "0614141.812345".to_owned(),
                    Some(p) => self.product(p, &key("product"))?,
                };
                ReaderSource::Simulate {
                    interval_ms: r.interval_ms,
                    count: r.count,
                    product,
                }
            }
            other => {
                return Err(self.invalid(
                    &r.kind,
                    &key("kind"),
                    &format!(
                        "unknown reader kind {other:?}: link, em4100, pn532, uhf-m100, llrp or simulate"
                    ),
                ));
            }
        };
        Ok(ReaderConfig {
            name: r.name.clone(),
            source,
            station,
        })
    }

    /// A location: an SGLN pure identity URI (its GLN check digit and partition checked).
    fn sgln(&self, value: &Spanned<String>, key: &str) -> Result<String, ConfigError> {
        match EpcId::parse(value.get_ref()) {
            Ok(id) if id.kind() == "sgln" => Ok(id.to_string()),
            Ok(id) => Err(self.invalid(
                value,
                key,
                &format!(
                    "a location must be an SGLN (urn:epc:id:sgln:…), not {}",
                    id.kind()
                ),
            )),
            Err(e) => Err(self.invalid(value, key, &format!("not an SGLN URI: {e}"))),
        }
    }

    /// Any absolute URI (a party, a transaction).
    fn uri(&self, value: &Spanned<String>, key: &str) -> Result<String, ConfigError> {
        let text = value.get_ref();
        let scheme_ok = text
            .split_once(':')
            .is_some_and(|(scheme, rest)| !scheme.is_empty() && !rest.is_empty());
        if !scheme_ok || text.chars().any(char::is_whitespace) {
            return Err(self.invalid(value, key, "not an absolute URI"));
        }
        Ok(text.clone())
    }
}
