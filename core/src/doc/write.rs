//! Writing a typed edit into a document as the smallest set of Automerge operations.
//!
//! Only what changed between the record before and after the edit is written. That is what
//! keeps concurrent edits to *different* fields apart, keeps a same-field conflict visible until
//! someone edits that field (Automerge resolves a conflict whenever a value is put again, even
//! the same one), and leaves fields unknown to this version untouched. See ADR 0001.
//!
//! Lists of objects that carry an `"id"` (contacts, follow-ups, proposals) are matched by id, so
//! two devices that append entries offline both keep theirs. Other lists are appended to when the
//! old list is a prefix of the new one, and rewritten otherwise.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};
use serde_json::{Map, Value as Json};

use crate::error::Result;

/// Writes into map `obj` every key whose value differs between `before` and `after`.
pub(crate) fn write_map_diff<T: Transactable + ReadDoc>(
    tx: &mut T,
    obj: &ObjId,
    before: &Map<String, Json>,
    after: &Map<String, Json>,
) -> Result<()> {
    for (key, new) in after {
        let old = before.get(key);
        if old == Some(new) {
            continue;
        }
        let existing = tx.get(obj, key.as_str())?;
        match (old, new, existing) {
            (Some(Json::Object(o)), Json::Object(n), Some((Value::Object(ObjType::Map), id))) => {
                write_map_diff(tx, &id, o, n)?;
            }
            (Some(Json::Array(o)), Json::Array(n), Some((Value::Object(ObjType::List), id))) => {
                write_list_diff(tx, &id, o, n)?;
            }
            _ => put_json(tx, obj, key, new)?,
        }
    }
    for key in before.keys().filter(|k| !after.contains_key(*k)) {
        tx.delete(obj, key.as_str())?;
    }
    Ok(())
}

fn entry_id(v: &Json) -> Option<&str> {
    v.as_object()?.get("id")?.as_str()
}

fn write_list_diff<T: Transactable + ReadDoc>(
    tx: &mut T,
    list: &ObjId,
    before: &[Json],
    after: &[Json],
) -> Result<()> {
    let keyed = after.iter().chain(before).all(|v| entry_id(v).is_some());
    if keyed {
        write_keyed_list(tx, list, before, after)
    } else if after.starts_with(before) {
        for (i, v) in after.iter().enumerate().skip(before.len()) {
            insert_json(tx, list, i, v)?;
        }
        Ok(())
    } else {
        for i in (0..tx.length(list)).rev() {
            tx.delete(list, i)?;
        }
        for (i, v) in after.iter().enumerate() {
            insert_json(tx, list, i, v)?;
        }
        Ok(())
    }
}

/// The ids of the map entries of `list`, as stored now (which may include entries that another
/// device appended and that the edit's `before` therefore also had).
fn stored_ids<T: ReadDoc>(tx: &T, list: &ObjId) -> Result<Vec<Option<String>>> {
    let mut ids = Vec::new();
    for i in 0..tx.length(list) {
        let id = match tx.get(list, i)? {
            Some((Value::Object(ObjType::Map), obj)) => match tx.get(&obj, "id")? {
                Some((Value::Scalar(s), _)) => s.as_str().map(str::to_owned),
                _ => None,
            },
            _ => None,
        };
        ids.push(id);
    }
    Ok(ids)
}

fn write_keyed_list<T: Transactable + ReadDoc>(
    tx: &mut T,
    list: &ObjId,
    before: &[Json],
    after: &[Json],
) -> Result<()> {
    let removed: Vec<&str> = before
        .iter()
        .filter_map(entry_id)
        .filter(|id| !after.iter().any(|a| entry_id(a) == Some(id)))
        .collect();
    let stored = stored_ids(tx, list)?;
    for (i, id) in stored.iter().enumerate().rev() {
        if id.as_deref().is_some_and(|id| removed.contains(&id)) {
            tx.delete(list, i)?;
        }
    }
    for (i, new) in after.iter().enumerate() {
        let stored = stored_ids(tx, list)?;
        let id = entry_id(new);
        match stored.iter().position(|s| s.as_deref() == id) {
            Some(pos) => {
                let old = before.iter().find(|b| entry_id(b) == id);
                update_entry(tx, list, pos, old, new)?;
            }
            None => insert_json(tx, list, i.min(stored.len()), new)?,
        }
    }
    Ok(())
}

fn update_entry<T: Transactable + ReadDoc>(
    tx: &mut T,
    list: &ObjId,
    pos: usize,
    old: Option<&Json>,
    new: &Json,
) -> Result<()> {
    let (Some(Json::Object(o)), Json::Object(n)) = (old, new) else {
        return Ok(());
    };
    if let Some((Value::Object(ObjType::Map), obj)) = tx.get(list, pos)? {
        write_map_diff(tx, &obj, o, n)?;
    }
    Ok(())
}

/// Puts a whole JSON value at `key` of map `obj`, creating nested objects.
pub(crate) fn put_json<T: Transactable>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    v: &Json,
) -> Result<()> {
    match v {
        Json::Object(m) => {
            let child = tx.put_object(obj, key, ObjType::Map)?;
            fill_map(tx, &child, m)
        }
        Json::Array(a) => {
            let child = tx.put_object(obj, key, ObjType::List)?;
            fill_list(tx, &child, a)
        }
        scalar => Ok(tx.put(obj, key, json_scalar(scalar))?),
    }
}

fn insert_json<T: Transactable>(tx: &mut T, list: &ObjId, index: usize, v: &Json) -> Result<()> {
    match v {
        Json::Object(m) => {
            let child = tx.insert_object(list, index, ObjType::Map)?;
            fill_map(tx, &child, m)
        }
        Json::Array(a) => {
            let child = tx.insert_object(list, index, ObjType::List)?;
            fill_list(tx, &child, a)
        }
        scalar => Ok(tx.insert(list, index, json_scalar(scalar))?),
    }
}

fn fill_map<T: Transactable>(tx: &mut T, obj: &ObjId, m: &Map<String, Json>) -> Result<()> {
    m.iter().try_for_each(|(k, v)| put_json(tx, obj, k, v))
}

fn fill_list<T: Transactable>(tx: &mut T, obj: &ObjId, a: &[Json]) -> Result<()> {
    a.iter()
        .enumerate()
        .try_for_each(|(i, v)| insert_json(tx, obj, i, v))
}

fn json_scalar(v: &Json) -> ScalarValue {
    match v {
        Json::Bool(b) => ScalarValue::Boolean(*b),
        Json::Number(n) => n
            .as_i64()
            .map(ScalarValue::Int)
            .or_else(|| n.as_u64().map(ScalarValue::Uint))
            .or_else(|| n.as_f64().map(ScalarValue::F64))
            .unwrap_or(ScalarValue::Null),
        Json::String(s) => ScalarValue::Str(s.as_str().into()),
        _ => ScalarValue::Null,
    }
}
