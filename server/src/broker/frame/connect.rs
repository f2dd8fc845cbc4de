//! CONNECT, the one packet the front reads whole: its credentials decide the login, its
//! will's topic is checked like a PUBLISH, and the front writes its own CONNECT to the
//! broker behind it.

use super::{FrameError, Reader};

/// A CONNECT's fields. The password is kept out of `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Connect {
    /// The client identifier.
    pub client_id: String,
    /// Clean session flag.
    pub clean_session: bool,
    /// Keep-alive, seconds.
    pub keep_alive: u16,
    /// The last will, if any.
    pub will: Option<Will>,
    /// The user name, if any.
    pub username: Option<String>,
    /// The password, if any.
    pub password: Option<Vec<u8>>,
}

impl std::fmt::Debug for Connect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connect")
            .field("client_id", &self.client_id)
            .field("clean_session", &self.clean_session)
            .field("keep_alive", &self.keep_alive)
            .field("will", &self.will)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A CONNECT's last will.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Will {
    /// Where it is published.
    pub topic: String,
    /// What is published.
    pub message: Vec<u8>,
    /// Its QoS.
    pub qos: u8,
    /// Whether it is retained.
    pub retain: bool,
}

pub(super) fn connect(body: &mut Reader<'_>) -> Result<Connect, FrameError> {
    let name = body.string()?.to_owned();
    let level = body.u8()?;
    if name != "MQTT" || level != 4 {
        return Err(FrameError::Protocol { name, level });
    }
    let flags = body.u8()?;
    let (has_user, has_password, has_will) = (flags & 0x80 != 0, flags & 0x40 != 0, flags & 4 != 0);
    let will_qos = (flags >> 3) & 0b11;
    let will_retain = flags & 0x20 != 0;
    let invalid = flags & 1 != 0
        || will_qos == 3
        || (!has_will && (will_qos != 0 || will_retain))
        || (has_password && !has_user);
    if invalid {
        return Err(FrameError::ConnectFlags(flags));
    }
    let keep_alive = body.u16()?;
    let client_id = body.string()?.to_owned();
    let will = if has_will {
        Some(Will {
            topic: body.string()?.to_owned(),
            message: body.binary()?.to_vec(),
            qos: will_qos,
            retain: will_retain,
        })
    } else {
        None
    };
    let username = if has_user {
        Some(body.string()?.to_owned())
    } else {
        None
    };
    let password = if has_password {
        Some(body.binary()?.to_vec())
    } else {
        None
    };
    Ok(Connect {
        client_id,
        clean_session: flags & 2 != 0,
        keep_alive,
        will,
        username,
        password,
    })
}

impl Connect {
    /// The CONNECT packet for these fields.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::new();
        put_binary(&mut body, b"MQTT");
        body.push(4);
        let mut flags = 0u8;
        if self.username.is_some() {
            flags |= 0x80;
        }
        if self.password.is_some() {
            flags |= 0x40;
        }
        if let Some(will) = &self.will {
            flags |= 4 | (will.qos << 3) | if will.retain { 0x20 } else { 0 };
        }
        if self.clean_session {
            flags |= 2;
        }
        body.push(flags);
        body.extend_from_slice(&self.keep_alive.to_be_bytes());
        put_binary(&mut body, self.client_id.as_bytes());
        if let Some(will) = &self.will {
            put_binary(&mut body, will.topic.as_bytes());
            put_binary(&mut body, &will.message);
        }
        if let Some(user) = &self.username {
            put_binary(&mut body, user.as_bytes());
        }
        if let Some(password) = &self.password {
            put_binary(&mut body, password);
        }
        let mut packet = vec![0x10];
        let mut len = body.len();
        loop {
            let byte = (len & 0x7f) as u8;
            len >>= 7;
            packet.push(if len > 0 { byte | 0x80 } else { byte });
            if len == 0 {
                break;
            }
        }
        packet.extend_from_slice(&body);
        packet
    }
}

// Every field put here came out of a parsed packet of at most the framer's limit, or is
// the front's own short credential, so each fits a u16 length prefix.
pub(super) fn put_binary(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&bytes[..usize::from(len)]);
}
