//! Types and structure, from the typed models: a record is deserialised into its model with
//! `serde_path_to_error`, so the first field that does not fit is named as a JSON pointer; the
//! model serialised again shows, by what it lacks, every field the model does not have.

use serde_json::{Map, Value as Json};
use serde_path_to_error::{Path, Segment};

use super::{Flaw, Problem};
use crate::model::{
    Customer, DailyLog, LeadReferral, ReceptionNote, Record, RecordKind, ReturnVisitReport,
    VisitPlan,
};

/// Root fields that belong to the document envelope or the server, not to the model.
const ROOT_ENVELOPE: &[&str] = &["kind", "schema", "erased_at"];
/// Fields of `meta` that the server writes and the model does not hold.
const META_ENVELOPE: &[&str] = &["generation"];

/// The record deserialised into its model and serialised again (every model field, nothing
/// else); or the first field that does not fit.
pub(super) fn round_trip(kind: &RecordKind, json: &Json) -> Result<Json, Flaw> {
    match kind {
        RecordKind::Customer => through::<Customer>(json),
        RecordKind::VisitPlan => through::<VisitPlan>(json),
        RecordKind::ReceptionNote => through::<ReceptionNote>(json),
        RecordKind::ReturnVisitReport => through::<ReturnVisitReport>(json),
        RecordKind::LeadReferral => through::<LeadReferral>(json),
        RecordKind::DailyLog => through::<DailyLog>(json),
        RecordKind::Other(_) => Err(("/kind".into(), Problem::UnknownValue)),
    }
}

fn through<R: Record>(json: &Json) -> Result<Json, Flaw> {
    let typed: R = serde_path_to_error::deserialize(json)
        .map_err(|e| (pointer(e.path()), problem(e.inner())))?;
    serde_json::to_value(&typed).map_err(|_| (String::new(), Problem::BadFormat))
}

/// A serde path as a JSON pointer.
fn pointer(path: &Path) -> String {
    let mut out = String::new();
    for segment in path.iter() {
        out.push('/');
        match segment {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => out.push_str(&escape(key)),
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

pub(super) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// What serde's error says is wrong, without the value it quotes (it may be personal data).
fn problem(e: &serde_json::Error) -> Problem {
    let text = e.to_string();
    let expected = text
        .split_once(", expected ")
        .map(|(_, rest)| rest.split(" at line ").next().unwrap_or(rest).to_owned());
    match expected {
        Some(expected) if text.starts_with("invalid type") => Problem::WrongType { expected },
        _ => Problem::BadFormat,
    }
}

/// The first field of `input` that the model (`model`, the round trip) does not have.
pub(super) fn no_unknown_fields(input: &Json, model: &Json) -> Result<(), Flaw> {
    let mut path = String::new();
    walk(input, model, &mut path, 0)
}

fn walk(input: &Json, model: &Json, path: &mut String, depth: usize) -> Result<(), Flaw> {
    match (input, model) {
        (Json::Object(i), Json::Object(m)) => walk_map(i, m, path, depth),
        (Json::Array(i), Json::Array(m)) => {
            for (n, (iv, mv)) in i.iter().zip(m).enumerate() {
                let len = path.len();
                path.push_str(&format!("/{n}"));
                walk(iv, mv, path, depth + 1)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn walk_map(
    input: &Map<String, Json>,
    model: &Map<String, Json>,
    path: &mut String,
    depth: usize,
) -> Result<(), Flaw> {
    let envelope: &[&str] = match (depth, path.as_str()) {
        (0, _) => ROOT_ENVELOPE,
        (1, "/meta") => META_ENVELOPE,
        _ => &[],
    };
    for (key, value) in input {
        let len = path.len();
        path.push('/');
        path.push_str(&escape(key));
        match model.get(key) {
            Some(m) => walk(value, m, path, depth + 1)?,
            None if envelope.contains(&key.as_str()) => {}
            None => return Err((path.clone(), Problem::UnknownField)),
        }
        path.truncate(len);
    }
    Ok(())
}
