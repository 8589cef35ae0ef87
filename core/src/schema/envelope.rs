//! The fields every record carries outside its model: the document envelope (`kind`,
//! `schema`), the server's erasure fields (`meta.generation`, `erased_at`), and the two
//! `meta` fields without which nobody could tell who made a record and who answers for it.

use serde_json::Value as Json;

use super::{Flaw, KNOWN_SCHEMAS, Policy, Problem};
use crate::model::{RecordKind, StringEnum};

/// Checks the envelope; returns the record's kind.
pub(super) fn check(json: &Json, policy: Policy) -> Result<RecordKind, Flaw> {
    if !json.is_object() {
        return Err((String::new(), wrong("a map")));
    }
    let kind = kind(json, policy)?;
    schema(json, policy)?;
    if let Some(g) = present(json, "/meta/generation")
        && g.as_u64().is_none_or(|g| g < 1)
    {
        let min_max = Problem::OutOfRange {
            min: 1,
            max: i64::MAX,
        };
        return Err(("/meta/generation".into(), min_max));
    }
    if let Some(at) = present(json, "/erased_at") {
        let parsed = at
            .as_str()
            .map(chrono::DateTime::parse_from_rfc3339)
            .ok_or_else(|| ("/erased_at".to_owned(), wrong("a date and time string")))?;
        parsed.map_err(|_| ("/erased_at".to_owned(), Problem::BadFormat))?;
    }
    required_text(json, "/meta/created_by", true)?;
    required_text(json, "/meta/owner", false)?;
    Ok(kind)
}

fn wrong(expected: &str) -> Problem {
    Problem::WrongType {
        expected: expected.into(),
    }
}

/// The value at `pointer`, unless it is missing or `null`.
fn present<'a>(json: &'a Json, pointer: &str) -> Option<&'a Json> {
    json.pointer(pointer).filter(|v| !v.is_null())
}

fn kind(json: &Json, policy: Policy) -> Result<RecordKind, Flaw> {
    let value = present(json, "/kind").ok_or_else(|| ("/kind".to_owned(), Problem::Missing))?;
    let text = value
        .as_str()
        .ok_or_else(|| ("/kind".to_owned(), wrong("a string")))?;
    let kind = RecordKind::parse_str(text);
    if matches!(kind, RecordKind::Other(_)) && policy == Policy::Server {
        return Err(("/kind".into(), Problem::UnknownValue));
    }
    Ok(kind)
}

/// `schema` is required; the server knows only the versions of this build, a device also
/// takes a newer one (a newer app's record).
fn schema(json: &Json, policy: Policy) -> Result<(), Flaw> {
    let value = present(json, "/schema").ok_or_else(|| ("/schema".to_owned(), Problem::Missing))?;
    let version = value
        .as_u64()
        .ok_or_else(|| ("/schema".to_owned(), wrong("an unsigned integer")))?;
    let known = match policy {
        Policy::Server => KNOWN_SCHEMAS.contains(&version),
        Policy::Device => version >= *KNOWN_SCHEMAS.start(),
    };
    if known {
        Ok(())
    } else {
        Err(("/schema".into(), Problem::UnknownValue))
    }
}

fn required_text(json: &Json, pointer: &str, non_empty: bool) -> Result<(), Flaw> {
    match present(json, pointer) {
        None => Err((pointer.into(), Problem::Missing)),
        Some(Json::String(s)) if non_empty && s.is_empty() => {
            Err((pointer.into(), Problem::Missing))
        }
        Some(Json::String(_)) => Ok(()),
        Some(_) => Err((pointer.into(), wrong("a string"))),
    }
}
