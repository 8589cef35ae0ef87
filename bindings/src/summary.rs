//! What lists and conflict screens show: a record's summary row and its same-field conflicts.

use std::time::SystemTime;

use fieldbook_core::store::RecordSummary as CoreSummary;
use fieldbook_core::{ConflictValue as CoreValue, FieldConflict as CoreConflict};

use crate::convert::{id_text, ts, ts_opt};
use crate::enums::RecordKind;
use crate::error::{FieldbookError, Result};

/// One row of a list screen.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RecordSummary {
    pub id: String,
    pub kind: RecordKind,
    pub owner: String,
    pub created_by: String,
    pub customer_id: Option<String>,
    pub title: String,
    pub status: Option<String>,
    pub grade: Option<String>,
    /// The record's key moment: a visit's time, a report's visit date, a lead's registration.
    pub key_at: Option<SystemTime>,
    pub updated_at: SystemTime,
    /// How many fields hold values set concurrently on two devices.
    pub conflicts: u32,
}

impl TryFrom<CoreSummary> for RecordSummary {
    type Error = FieldbookError;
    fn try_from(s: CoreSummary) -> Result<Self> {
        Ok(RecordSummary {
            id: s.id.to_string(),
            kind: s.kind.try_into()?,
            owner: s.owner.to_string(),
            created_by: s.created_by.to_string(),
            customer_id: id_text(s.customer_id),
            title: s.title,
            status: s.status,
            grade: s.grade,
            key_at: ts_opt(s.key_at),
            updated_at: ts(s.updated_at),
            conflicts: s.conflicts,
        })
    }
}

/// A field that two devices set concurrently. Every device shows `winner`; `others` are the
/// values it hides. Settle it with `resolveConflict(id, path, chosen.valueJson)`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FieldConflict {
    /// JSON pointer to the field, e.g. `/grade` or `/contacts/0/mobile`.
    pub path: String,
    pub winner: ConflictValue,
    pub others: Vec<ConflictValue>,
}

/// One of the concurrent values.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ConflictValue {
    /// The value as JSON text, to hand back to `resolveConflict`.
    pub value_json: String,
    /// The value for display: a text without quotes, anything else as JSON.
    pub display: String,
    /// The device that wrote it, when known.
    pub device_id: Option<String>,
}

impl From<CoreConflict> for FieldConflict {
    fn from(c: CoreConflict) -> Self {
        FieldConflict {
            path: c.path,
            winner: c.winner.into(),
            others: c.others.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<CoreValue> for ConflictValue {
    fn from(v: CoreValue) -> Self {
        let display = match &v.value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        ConflictValue {
            value_json: v.value.to_string(),
            display,
            device_id: v.device.map(|d| d.to_string()),
        }
    }
}
