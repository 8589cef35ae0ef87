//! Parsing ids from text and bytes: the only id code that can fail, so it imports the crate's
//! [`Error`] while the id types themselves (`ids/mod.rs`) stay below it.

use std::str::FromStr;

use uuid::Uuid;

use super::{DeviceId, RecordId, UserId};
use crate::error::Error;

impl RecordId {
    /// Parses raw bytes, as received in a binary document id.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        Uuid::from_slice(bytes)
            .map(RecordId)
            .map_err(|e| Error::InvalidId {
                value: format!("{} bytes", bytes.len()),
                reason: e.to_string(),
            })
    }
}

impl FromStr for RecordId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let invalid = |reason: String| Error::InvalidId {
            value: s.chars().take(64).collect(),
            reason,
        };
        let s = s.strip_prefix("automerge:").unwrap_or(s);
        let bytes = bs58::decode(s)
            .with_check(None)
            .into_vec()
            .map_err(|e| invalid(e.to_string()))?;
        Uuid::from_slice(&bytes)
            .map(RecordId)
            .map_err(|e| invalid(e.to_string()))
    }
}

impl FromStr for DeviceId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Uuid::parse_str(s)
            .map(DeviceId)
            .map_err(|e| Error::InvalidId {
                value: s.chars().take(64).collect(),
                reason: e.to_string(),
            })
    }
}

impl UserId {
    /// Checks the form: 1–64 characters of `a-z 0-9 . _ -`.
    pub fn new(s: impl Into<String>) -> Result<Self, Error> {
        let s = s.into();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            });
        if ok {
            Ok(UserId(s))
        } else {
            Err(Error::InvalidId {
                value: s.chars().take(64).collect(),
                reason: "用户名只能包含小写字母、数字和 . _ - / a user id is 1-64 of a-z 0-9 . _ -"
                    .into(),
            })
        }
    }
}

impl FromStr for UserId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        UserId::new(s)
    }
}
