//! One schema per record kind, checked by the same code on the server (every incoming change,
//! every desk edit and import) and on the device (every local create, edit and conflict
//! resolution, before it is made durable). ADR 0011.
//!
//! Why: a record is an Automerge document, so anyone who can write it can put any JSON in it.
//! A stock automerge-repo client once stored a customer with `grade: 42`, `name: {…}` and
//! `budget_cny: "lots"`; every phone that could see it then failed *every* sync. The schema
//! keeps such records out, and the device's reader ([`model_mismatch`]) keeps a record that got
//! in anyway (written by an older server) out of its tables instead of failing.
//!
//! What is checked, derived from the typed models in [`crate::model`] as far as possible:
//! - **Types and structure**: the record is deserialised into its typed model with
//!   `serde_path_to_error`, which names the failing field as a JSON pointer (`/contacts/0/name`).
//! - **The envelope** (fields that are not the model's): `kind` (required, a known kind),
//!   `schema` (required, an integer 1 … [`SCHEMA_VERSION`], stored signed
//!   or unsigned: docs/protocol.md, "Records"), `meta.generation` (the server's
//!   erasure counter, an integer ≥ 1), `erased_at` (the server's erasure stamp, a time); and
//!   `meta.created_by` (required, not empty) and `meta.owner` (required).
//! - **Explicit limits** (`limits.rs`): string lengths (1,000 characters; 20,000 for free text
//!   such as notes), list lengths (1,000 entries), numeric ranges (amounts ≥ 0, head counts,
//!   satisfaction scores 0–5).
//! - **Unknown fields and enum values** (`vocab.rs`), by [`Policy`]:
//!   - [`Policy::Server`] refuses both. The server is upgraded before the apps, so a field or a
//!     value it does not know was made by no Fieldbook build: it is a mistake or an attack.
//!   - [`Policy::Device`] tolerates both, as reading always has (ADR 0001): a record written by
//!     a newer app keeps its newer fields and values when an older app edits it.
//!
//! The whole record is judged, not only the fields a change touched: a record that does not
//! match its schema stays unchangeable until a change makes it match again (the device's copy
//! sits in quarantine meanwhile), which is what lets a fix through.
//!
//! A refusal names the record and the field, in Chinese and English, and never echoes the
//! refused value (it may be personal data, and refusals are logged and shown).

mod envelope;
mod limits;
mod typed;
mod vocab;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

use std::fmt;

use serde_json::Value as Json;

use crate::ids::RecordId;
use crate::model::{RecordKind, SCHEMA_VERSION, StringEnum};

pub use limits::{MAX_LIST_ITEMS, MAX_LONG_TEXT_CHARS, MAX_TEXT_CHARS};

/// How strictly unknown fields and enum values are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// The sync server: nothing this build does not know.
    Server,
    /// A device: fields and values of a newer build are kept, not refused.
    Device,
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A required field is missing or empty.
    Missing,
    /// The value has another type than the model's; `expected` as serde describes it.
    WrongType { expected: String },
    /// The value has the right type but not a valid form (a time, an id).
    BadFormat,
    /// A field the model does not have.
    UnknownField,
    /// A value outside the field's vocabulary (grades, statuses, kinds, schema versions).
    UnknownValue,
    /// A string longer than `max` characters.
    TooLong { max: usize },
    /// A list longer than `max` entries.
    TooMany { max: usize },
    /// A number outside `min ..= max`.
    OutOfRange { min: i64, max: i64 },
}

impl Problem {
    fn zh(&self) -> String {
        match self {
            Problem::Missing => "缺少必填字段".into(),
            Problem::WrongType { expected } => format!("类型不符，应为{}", type_zh(expected)),
            Problem::BadFormat => "格式无效".into(),
            Problem::UnknownField => "未知字段".into(),
            Problem::UnknownValue => "未知取值".into(),
            Problem::TooLong { max } => format!("文本过长（最多 {max} 个字符）"),
            Problem::TooMany { max } => format!("条目过多（最多 {max} 条）"),
            Problem::OutOfRange { min, max } => format!("数值超出范围（{min} 至 {max}）"),
        }
    }

    fn en(&self) -> String {
        match self {
            Problem::Missing => "required field is missing".into(),
            Problem::WrongType { expected } => format!("wrong type, expected {expected}"),
            Problem::BadFormat => "invalid format".into(),
            Problem::UnknownField => "unknown field".into(),
            Problem::UnknownValue => "unknown value".into(),
            Problem::TooLong { max } => format!("text too long (at most {max} characters)"),
            Problem::TooMany { max } => format!("too many entries (at most {max})"),
            Problem::OutOfRange { min, max } => format!("number out of range ({min} to {max})"),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.zh(), self.en())
    }
}

/// The Chinese name of a type serde expected.
fn type_zh(expected: &str) -> &'static str {
    if expected.contains("date") {
        "时间"
    } else if expected.contains("string") {
        "文本"
    } else if expected.contains("bool") {
        "布尔值"
    } else if expected.starts_with('i') || expected.starts_with('u') || expected.contains("int") {
        "整数"
    } else if expected.contains("sequence") {
        "列表"
    } else {
        "对象"
    }
}

/// A record refused by its schema: which record, which field (a JSON pointer), what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaRefusal {
    pub record: RecordId,
    /// The JSON pointer of the field (`/grade`, `/contacts/0/name`).
    pub field: String,
    pub problem: Problem,
}

impl fmt::Display for SchemaRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (id, field) = (self.record, &self.field);
        write!(
            f,
            "记录 {id} 字段 {field}：{} / record {id} field {field}: {}",
            self.problem.zh(),
            self.problem.en()
        )
    }
}

impl std::error::Error for SchemaRefusal {}

/// A field and what is wrong with it, before the record is named.
pub(crate) type Flaw = (String, Problem);

/// Checks a whole record (its document as JSON: fields, `kind`, `schema`) against its
/// schema. Index documents are not records and must not be shown here.
pub fn check_record(record: RecordId, json: &Json, policy: Policy) -> Result<(), SchemaRefusal> {
    check(json, policy).map_err(|(field, problem)| SchemaRefusal {
        record,
        field,
        problem,
    })
}

fn check(json: &Json, policy: Policy) -> Result<(), Flaw> {
    let kind = envelope::check(json, policy)?;
    let RecordKind::Other(_) = kind else {
        let round_trip = typed::round_trip(&kind, json)?;
        if policy == Policy::Server {
            typed::no_unknown_fields(json, &round_trip)?;
            vocab::check(&kind, json)?;
        }
        return limits::check(json);
    };
    // Only a device gets here (the server refuses unknown kinds): a newer app's record.
    limits::check(json)
}

/// Whether a stored record does *not* deserialise into its typed model — the one question a
/// device's reader asks before it takes a record into its tables. `None`: it matches (or is of
/// a kind this build does not know, which the tables leave out anyway).
pub fn model_mismatch(record: RecordId, json: &Json) -> Option<SchemaRefusal> {
    let kind = RecordKind::parse_str(json.get("kind").and_then(Json::as_str)?);
    if let RecordKind::Other(_) = kind {
        return None;
    }
    typed::round_trip(&kind, json)
        .err()
        .map(|(field, problem)| SchemaRefusal {
            record,
            field,
            problem,
        })
}

/// The schema versions this build knows.
pub(crate) const KNOWN_SCHEMAS: std::ops::RangeInclusive<u64> = 1..=SCHEMA_VERSION;
