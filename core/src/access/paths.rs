//! Which fields a change touched: the JSON pointers at which two versions of a record differ.
//! Objects are compared key by key; lists and scalars as wholes (a list's items carry no
//! separate permissions). A missing field and `null` are the same.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};

use crate::doc::FieldConflict;

/// The paths at which `before` and `after` differ, sorted.
pub fn changed_paths(before: &Json, after: &Json) -> Vec<String> {
    let mut out = Vec::new();
    walk(before, after, &mut String::new(), &mut out);
    out.sort();
    out
}

fn walk(before: &Json, after: &Json, path: &mut String, out: &mut Vec<String>) {
    let empty = Map::new();
    let either_object = before.is_object() || after.is_object();
    match (object(before, &empty), object(after, &empty)) {
        (Some(b), Some(a)) if either_object => {
            let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for key in keys {
                let len = path.len();
                path.push('/');
                path.push_str(&escape(key));
                let (bv, av) = (b.get(key), a.get(key));
                walk(
                    bv.unwrap_or(&Json::Null),
                    av.unwrap_or(&Json::Null),
                    path,
                    out,
                );
                path.truncate(len);
            }
        }
        _ if before != after => out.push(path.clone()),
        _ => {}
    }
}

/// An object, or `null` read as the empty object.
fn object<'a>(v: &'a Json, empty: &'a Map<String, Json>) -> Option<&'a Map<String, Json>> {
    match v {
        Json::Object(m) => Some(m),
        Json::Null => Some(empty),
        _ => None,
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The fields whose set of concurrent values differs between two versions: a change that adds
/// a losing value to a conflict writes that field even though its visible value stays.
pub fn conflict_paths_changed(before: &[FieldConflict], after: &[FieldConflict]) -> Vec<String> {
    let mut out: Vec<String> = after
        .iter()
        .filter(|a| !before.iter().any(|b| b == *a))
        .map(|a| a.path.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether the field `path` is `prefix` or inside it.
pub(super) fn covers_path(prefix: &str, path: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || prefix.is_empty())
}
