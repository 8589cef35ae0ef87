//! Turning a whole record handed back by the app into an edit that changes only what the user
//! changed.
//!
//! The app edits a copy (`lead.copy(grade = LeadGrade.A)`) and passes the whole record back. Two
//! things could make that copy differ from the stored record where the user changed nothing:
//! times lose precision on the way out (Swift's `Date` is a double, Python's `datetime` keeps
//! microseconds, the core keeps nanoseconds), and list entries the app added have no id yet. So
//! the new record is compared, as JSON, with what the app was given (`seen`, the stored record
//! after one trip through the FFI types): every part equal to what the app saw — times within a
//! millisecond of it — keeps the stored value exactly. The core's diff-only `update` then writes
//! only real changes, and a concurrent edit on another device to a field this user never touched
//! stays a clean merge.

use chrono::{DateTime, TimeDelta};
use serde_json::Value as Json;

/// The edited record with every part the app handed back unchanged replaced by the stored value.
/// List entries are matched by their `id` when they have one, else by position.
pub(crate) fn keep_unchanged(stored: &Json, seen: &Json, new: Json) -> Json {
    if &new == seen || same_instant(seen, &new) {
        return stored.clone();
    }
    match (stored, seen, new) {
        (Json::Object(stored), Json::Object(seen), Json::Object(new)) => Json::Object(
            new.into_iter()
                .map(|(k, v)| {
                    let v = match (stored.get(&k), seen.get(&k)) {
                        (Some(st), Some(se)) => keep_unchanged(st, se, v),
                        _ => v,
                    };
                    (k, v)
                })
                .collect(),
        ),
        (Json::Array(stored), Json::Array(seen), Json::Array(new)) => {
            let same_len = new.len() == seen.len();
            Json::Array(
                new.into_iter()
                    .enumerate()
                    .map(|(i, v)| match counterpart(seen, &v, i, same_len) {
                        Some(j) if j < stored.len() => keep_unchanged(&stored[j], &seen[j], v),
                        _ => v,
                    })
                    .collect(),
            )
        }
        (_, _, new) => new,
    }
}

/// Two times less than a millisecond apart are the same time rounded by the host language: no
/// one edits a time by less than that, and Swift's `Date` drifts by up to ~0.3 µs.
fn same_instant(a: &Json, b: &Json) -> bool {
    let parse = |v: &Json| {
        v.as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    };
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => (a - b).abs() < TimeDelta::milliseconds(1),
        _ => false,
    }
}

/// Where a new list entry was in the list the app saw.
fn counterpart(seen: &[Json], entry: &Json, i: usize, same_len: bool) -> Option<usize> {
    match entry_id(entry) {
        Some(id) => seen.iter().position(|s| entry_id(s) == Some(id)),
        None => (same_len && i < seen.len()).then_some(i),
    }
}

fn entry_id(v: &Json) -> Option<&str> {
    v.get("id").and_then(Json::as_str).filter(|s| !s.is_empty())
}

/// Gives every list entry that has an empty `id` a fresh one from `fresh`, so that edits on two
/// devices meet on the same entry.
pub(crate) fn fill_entry_ids(v: &mut Json, fresh: &mut impl FnMut() -> String) {
    match v {
        Json::Object(map) => map.values_mut().for_each(|v| fill_entry_ids(v, fresh)),
        Json::Array(items) => {
            for item in items {
                if let Some(Json::String(id)) = item.get_mut("id")
                    && id.is_empty()
                {
                    *id = fresh();
                }
                fill_entry_ids(item, fresh);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn untouched_times_keep_their_stored_precision() {
        let stored = json!({"at": "2026-11-23T02:00:00.123456789Z", "grade": "C"});
        let seen = json!({"at": "2026-11-23T02:00:00.123456Z", "grade": "C"});
        let new = json!({"at": "2026-11-23T02:00:00.123456Z", "grade": "A"});
        assert_eq!(
            keep_unchanged(&stored, &seen, new),
            json!({"at": "2026-11-23T02:00:00.123456789Z", "grade": "A"})
        );
    }

    #[test]
    fn times_rounded_by_the_host_language_count_as_unchanged() {
        let stored = json!({"at": "2026-11-23T02:00:00.123456789Z"});
        let seen = stored.clone();
        let swift = json!({"at": "2026-11-23T02:00:00.123456550Z"});
        assert_eq!(keep_unchanged(&stored, &seen, swift), stored);
        let moved = json!({"at": "2026-11-23T02:05:00Z"});
        assert_eq!(keep_unchanged(&stored, &seen, moved.clone()), moved);
    }

    #[test]
    fn list_entries_match_by_id_even_when_one_is_added_in_front() {
        let stored = json!([{"id": "a", "at": "x.123456789"}]);
        let seen = json!([{"id": "a", "at": "x.123"}]);
        let new = json!([{"id": "", "at": "y"}, {"id": "a", "at": "x.123"}]);
        assert_eq!(
            keep_unchanged(&stored, &seen, new),
            json!([{"id": "", "at": "y"}, {"id": "a", "at": "x.123456789"}])
        );
    }

    #[test]
    fn a_changed_value_wins() {
        let stored = json!({"name": "张伟"});
        let seen = stored.clone();
        assert_eq!(
            keep_unchanged(&stored, &seen, json!({"name": "张薇"})),
            json!({"name": "张薇"})
        );
    }

    #[test]
    fn empty_entry_ids_are_filled() {
        let mut v = json!({"follow_ups": [{"id": ""}, {"id": "kept"}]});
        let mut n = 0;
        fill_entry_ids(&mut v, &mut || {
            n += 1;
            format!("new{n}")
        });
        assert_eq!(v, json!({"follow_ups": [{"id": "new1"}, {"id": "kept"}]}));
    }
}
