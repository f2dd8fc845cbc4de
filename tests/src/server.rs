//! `trace-server serve` as a process: started on a data folder with the e2e tokens,
//! ready once it prints its addresses, restartable on the same folder after a kill.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::bins::{self, Bin};
use crate::error::{E2eError, Result};
use crate::http::{ADMIN_TOKEN, Api, SUPERVISOR_TOKEN, encode};
use crate::process::Process;
use crate::wait::{LIVENESS, wait_for};

/// Which broker the server uses.
#[derive(Debug, Clone)]
pub enum Broker {
    /// Its embedded broker, listening on this address.
    Embedded(SocketAddr),
    /// An external broker at this URL (`mqtt://127.0.0.1:1883`).
    External(String),
}

/// A running server.
#[derive(Debug)]
pub struct Server {
    process: Process,
    api: Api,
    mqtt: Option<SocketAddr>,
}

impl Server {
    /// Starts `trace-server serve` on `data` (created if missing) and waits until it
    /// prints its HTTP address (and its broker's, when embedded). `log` collects stderr.
    pub fn start(data: &Path, broker: &Broker, log: &Path) -> Result<Self> {
        let mut command = Command::new(bins::path(Bin::Server)?);
        command
            .arg("serve")
            .arg("--data")
            .arg(data)
            .args(["--http", "127.0.0.1:0", "--gap-timeout", "5"])
            .env("TRACE_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("TRACE_SUPERVISOR_TOKEN", SUPERVISOR_TOKEN)
            .env("RUST_LOG", "info,rumqttd=warn,rumqttc=warn");
        match broker {
            Broker::Embedded(addr) => command.arg("--mqtt-listen").arg(addr.to_string()),
            Broker::External(url) => command.arg("--mqtt").arg(url),
        };
        let mut process = Process::spawn("trace-server", command, log)?;
        let http = process.wait_line("http: ", LIVENESS)?;
        let mqtt = match broker {
            Broker::Embedded(_) => {
                let line = process.wait_line("mqtt: mqtt://", LIVENESS)?;
                Some(line.parse().map_err(|e| {
                    E2eError::Setup(format!(
                        "the server printed a bad broker address {line}: {e}"
                    ))
                })?)
            }
            Broker::External(_) => None,
        };
        Ok(Self {
            process,
            api: Api::new(&http),
            mqtt,
        })
    }

    /// The HTTP API.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// The embedded broker's address, if it runs one.
    pub fn mqtt(&self) -> Option<SocketAddr> {
        self.mqtt
    }

    /// SIGKILL.
    pub fn kill(&mut self) {
        self.process.kill();
    }

    /// Enrols a gateway with the admin token; fails unless the server answers 201.
    pub fn enrol(&self, id: &str, public_key: &str, party: &str) -> Result<()> {
        let body = json!({
            "id": id,
            "public_key": public_key,
            "party": party,
            "description": "end-to-end test gateway",
        });
        let answer = self
            .api
            .post("/api/v1/gateways", Some(ADMIN_TOKEN), &body)?;
        if answer.status == 201 {
            Ok(())
        } else {
            Err(E2eError::Setup(format!(
                "enrolling {id}: HTTP {} {}",
                answer.status, answer.body
            )))
        }
    }

    /// The stored chain head seq of gateway `id` (0 when none), from the registry.
    pub fn chain_head(&self, id: &str) -> Result<u64> {
        let answer = self.api.get("/api/v1/gateways", Some(SUPERVISOR_TOKEN))?;
        let rows = answer.body["gateways"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        Ok(rows
            .iter()
            .find(|row| row["id"] == id)
            .and_then(|row| row["chain_head_seq"].as_u64())
            .unwrap_or(0))
    }

    /// Waits until the server has stored gateway `id`'s chain up to at least `seq`;
    /// `alive` is asked on every poll and ends the wait with its error (a process the
    /// events depend on died).
    pub fn wait_chain_head(
        &self,
        id: &str,
        seq: u64,
        timeout: Duration,
        mut alive: impl FnMut() -> Result<()>,
    ) -> Result<u64> {
        wait_for(
            &format!("the server to store {id}'s events up to seq {seq}"),
            timeout,
            || {
                alive()?;
                let head = self.chain_head(id)?;
                Ok(if head >= seq {
                    Ok(head)
                } else {
                    Err(format!("chain head {head}"))
                })
            },
        )
    }

    /// The hops of `code`'s backward trace that gateway `gateway` signed; fails unless
    /// the server answers 200.
    pub fn hops_signed_by(&self, code: &str, gateway: &str) -> Result<Vec<Value>> {
        let path = format!("/api/v1/trace?code={}&direction=backward", encode(code));
        let answer = self.api.get(&path, None)?;
        if answer.status != 200 {
            return Err(E2eError::Setup(format!(
                "trace of {code}: HTTP {} {}",
                answer.status, answer.body
            )));
        }
        Ok(answer.body["events"]
            .as_array()
            .map(|hops| {
                hops.iter()
                    .filter(|hop| hop["signed_by"] == gateway)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The value of `name` in `/metrics`, if the server exports it.
    pub fn metric(&self, name: &str) -> Result<Option<u64>> {
        let body = self.api.get("/metrics", None)?.body;
        Ok(body.as_str().and_then(|text| {
            text.lines().find_map(|line| {
                let (key, value) = line.split_once(' ')?;
                (key == name).then(|| value.trim().parse().ok())?
            })
        }))
    }

    /// `/healthz`'s body.
    pub fn health(&self) -> Result<Value> {
        Ok(self.api.get("/healthz", None)?.body)
    }
}
