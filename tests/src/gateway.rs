//! `trace-gateway` as a process: its key (made by `trace-gateway keygen`), its TOML
//! configuration and outbox in the test's folder, `trace-gateway run`, and the status
//! file it rewrites every second (`<outbox>.status.json`), which the tests read to know
//! what it has signed, what the server has acknowledged and whether its readers are up.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use trace_proto::mqtt::Payload;

use crate::bins::{self, Bin};
use crate::error::{E2eError, Result};
use crate::process::Process;
use crate::wait::wait_for;

/// A gateway's files: configuration, key, outbox.
#[derive(Debug)]
pub struct GatewaySite {
    id: String,
    dir: PathBuf,
    config: PathBuf,
    outbox: PathBuf,
    key: PathBuf,
    broker: SocketAddr,
    public_key: String,
}

impl GatewaySite {
    /// Makes a key and writes a configuration for gateway `id` in `dir/<id>/`,
    /// publishing to `broker`; `body` holds its `[smoothing]`, `[[reader]]` and
    /// `[[station]]` tables.
    pub fn create(dir: &Path, id: &str, broker: SocketAddr, body: &str) -> Result<Self> {
        Self::create_with(dir, id, broker, "", body)
    }

    /// [`create`](Self::create) with more `[gateway]` keys (`gateway_keys`, TOML lines
    /// such as `outbox_budget_bytes = 65536`).
    pub fn create_with(
        dir: &Path,
        id: &str,
        broker: SocketAddr,
        gateway_keys: &str,
        body: &str,
    ) -> Result<Self> {
        let dir = dir.join(id);
        std::fs::create_dir_all(&dir)
            .map_err(E2eError::io(format!("creating {}", dir.display())))?;
        let key = dir.join("gateway.key");
        let output = Command::new(bins::path(Bin::Gateway)?)
            .arg("keygen")
            .arg("--out")
            .arg(&key)
            .output()
            .map_err(E2eError::io("running trace-gateway keygen"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let public_key = stdout
            .lines()
            .find_map(|line| line.strip_prefix("public key: "))
            .filter(|_| output.status.success())
            .ok_or_else(|| {
                E2eError::Setup(format!(
                    "trace-gateway keygen ({}) printed no public key: {stdout}{}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                ))
            })?
            .trim()
            .to_owned();
        let site = Self {
            id: id.to_owned(),
            config: dir.join("gateway.toml"),
            outbox: dir.join("outbox"),
            dir,
            key,
            broker,
            public_key,
        };
        site.write_config(gateway_keys, body)?;
        Ok(site)
    }

    /// Rewrites the configuration with new `[gateway]` keys and body (the next
    /// [`run`](Self::run) uses it): the same identity, key, outbox and broker.
    pub fn write_config(&self, gateway_keys: &str, body: &str) -> Result<()> {
        let text = format!(
            "[gateway]\nid = \"{}\"\nkey_file = \"{}\"\noutbox = \"{}\"\n\
             timezone_offset_minutes = 60\n{gateway_keys}\n\n[broker]\nhost = \"{}\"\n\
             port = {}\n\n{body}",
            self.id,
            self.key.display(),
            self.outbox.display(),
            self.broker.ip(),
            self.broker.port(),
        );
        std::fs::write(&self.config, text)
            .map_err(E2eError::io(format!("writing {}", self.config.display())))
    }

    /// The gateway's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The folder holding its configuration, key, outbox and log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The public key, 64 hex digits, for enrolment.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// Starts `trace-gateway run` on this site; stderr goes to `gateway.log` beside the
    /// configuration (appended across restarts).
    pub fn run(&self) -> Result<Process> {
        self.run_with_env(&[])
    }

    /// [`run`](Self::run) with extra environment variables.
    pub fn run_with_env(&self, env: &[(&str, &str)]) -> Result<Process> {
        // A killed gateway's last status must not pass for the new one's.
        let status = self.status_path();
        if status.exists() {
            std::fs::remove_file(&status)
                .map_err(E2eError::io(format!("removing {}", status.display())))?;
        }
        let mut command = Command::new(bins::path(Bin::Gateway)?);
        command
            .arg("run")
            .arg("--config")
            .arg(&self.config)
            .env("RUST_LOG", "info,rumqttc=warn")
            .envs(env.iter().copied());
        Process::spawn(
            &format!("trace-gateway {}", self.id),
            command,
            &self.dir.join("gateway.log"),
        )
    }

    /// The outbox's chain head seq while the gateway is stopped (`trace-gateway status`
    /// reads the outbox itself then): every event it ever accepted.
    pub fn stopped_head(&self) -> Result<u64> {
        let output = Command::new(bins::path(Bin::Gateway)?)
            .arg("status")
            .arg("--config")
            .arg(&self.config)
            .output()
            .map_err(E2eError::io("running trace-gateway status"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let head = stdout
            .lines()
            .find_map(|line| line.strip_prefix("chain head"))
            .map(str::trim);
        match head {
            Some(text) if text.starts_with("none") => Ok(0),
            Some(text) => text
                .strip_prefix("seq ")
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|seq| seq.parse().ok())
                .ok_or_else(|| E2eError::Setup(format!("trace-gateway status: {stdout}"))),
            None => Err(E2eError::Setup(format!(
                "trace-gateway status ({}) printed no chain head: {stdout}",
                output.status
            ))),
        }
    }

    /// The status file the running gateway last wrote, if any.
    pub fn status(&self) -> Option<Value> {
        let text = std::fs::read_to_string(self.status_path()).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The identifiers on the recall list the gateway last received and kept
    /// (`<outbox>.recalls`, the server's retained MQTT payload); empty when none is kept.
    pub fn kept_recalls(&self) -> Vec<String> {
        let mut name = self.outbox.as_os_str().to_owned();
        name.push(".recalls");
        match std::fs::read(PathBuf::from(name)).map(|bytes| Payload::decode(&bytes)) {
            Ok(Ok(Payload::RecallList(list))) => list
                .recalls
                .into_iter()
                .flat_map(|recall| recall.affected)
                .collect(),
            _ => Vec::new(),
        }
    }

    fn status_path(&self) -> PathBuf {
        let mut name = self.outbox.as_os_str().to_owned();
        name.push(".status.json");
        PathBuf::from(name)
    }

    /// Waits until the running `gateway`'s status file satisfies `done`, which names
    /// what is still missing otherwise; fails early if the process dies.
    pub fn wait_status(
        &self,
        gateway: &mut Process,
        what: &str,
        timeout: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Result<Value> {
        wait_for(what, timeout, || {
            gateway.check_running(what)?;
            Ok(match self.status() {
                Some(status) if done(&status) => Ok(status),
                Some(status) => Err(status.to_string()),
                None => Err("no status file yet".to_owned()),
            })
        })
    }

    /// Waits until the reader named `reader` is open (any state but `Absent`).
    pub fn wait_reader_open(
        &self,
        gateway: &mut Process,
        reader: &str,
        timeout: Duration,
    ) -> Result<()> {
        self.wait_status(
            gateway,
            &format!("reader {reader} of {} to open", self.id),
            timeout,
            |status| reader_state(status, reader).is_some_and(|state| state != "Absent"),
        )
        .map(drop)
    }

    /// Waits until the reader named `reader` reports `Ready`.
    pub fn wait_reader_ready(
        &self,
        gateway: &mut Process,
        reader: &str,
        timeout: Duration,
    ) -> Result<()> {
        self.wait_status(
            gateway,
            &format!("reader {reader} of {} to be ready", self.id),
            timeout,
            |status| reader_state(status, reader) == Some("Ready"),
        )
        .map(drop)
    }
}

fn reader_state<'a>(status: &'a Value, reader: &str) -> Option<&'a str> {
    status["readers"]
        .as_array()?
        .iter()
        .find(|r| r["name"] == reader)?["state"]
        .as_str()
}

/// The chain head seq in a status (events signed so far).
pub fn signed(status: &Value) -> u64 {
    status["chain_head_seq"].as_u64().unwrap_or(0)
}

/// The last seq the server acknowledged, in a status.
pub fn acked(status: &Value) -> u64 {
    status["last_ack_seq"].as_u64().unwrap_or(0)
}
