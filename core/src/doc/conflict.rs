//! Same-field conflicts: when two devices set one field concurrently, Automerge keeps every
//! value and picks a deterministic winner. A record exposes the losers so that a person can see
//! them and choose.

use automerge::{ObjId, ObjType, ReadDoc, Value};
use serde::Serialize;
use serde_json::Value as Json;

use super::read::{MAX_DEPTH, value_to_json};
use crate::ids::DeviceId;

/// One field that holds more than one concurrent value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldConflict {
    /// JSON pointer to the field, e.g. `/grade` or `/contacts/0/mobile`.
    pub path: String,
    /// The value every replica shows (Automerge's deterministic winner).
    pub winner: ConflictValue,
    /// The other concurrent values, still readable.
    pub others: Vec<ConflictValue>,
}

/// A value in a conflict, with the device that wrote it where known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictValue {
    pub value: Json,
    pub device: Option<DeviceId>,
}

/// Every conflicted field under `obj` (recursively), in document order.
pub(crate) fn collect(
    doc: &impl ReadDoc,
    obj: &ObjId,
    ty: ObjType,
    path: &str,
) -> Vec<FieldConflict> {
    let mut out = Vec::new();
    walk(doc, obj, ty, path, &mut out);
    out
}

fn walk(doc: &impl ReadDoc, obj: &ObjId, ty: ObjType, path: &str, out: &mut Vec<FieldConflict>) {
    if path.matches('/').count() >= MAX_DEPTH {
        return;
    }
    match ty {
        ObjType::Map | ObjType::Table => {
            for key in doc.keys(obj) {
                let all = doc.get_all(obj, key.as_str()).unwrap_or_default();
                visit(doc, &format!("{path}/{}", escape(&key)), all, out);
            }
        }
        ObjType::List => {
            for i in 0..doc.length(obj) {
                let all = doc.get_all(obj, i).unwrap_or_default();
                visit(doc, &format!("{path}/{i}"), all, out);
            }
        }
        ObjType::Text => {}
    }
}

fn visit(
    doc: &impl ReadDoc,
    path: &str,
    all: Vec<(Value<'_>, ObjId)>,
    out: &mut Vec<FieldConflict>,
) {
    // `get_all` lists values in causal order; the last one is the winner `get` returns.
    if all.len() > 1 {
        let mut values: Vec<ConflictValue> = all
            .iter()
            .map(|(v, id)| ConflictValue {
                value: value_to_json(doc, v, id),
                device: writer(id),
            })
            .collect();
        let winner = values.pop();
        if let Some(winner) = winner {
            out.push(FieldConflict {
                path: path.to_owned(),
                winner,
                others: values,
            });
        }
    }
    if let Some((Value::Object(ty), id)) = all.last() {
        walk(doc, id, *ty, path, out);
    }
}

fn writer(id: &ObjId) -> Option<DeviceId> {
    match id {
        ObjId::Id(_, actor, _) => DeviceId::of_actor(actor),
        ObjId::Root => None,
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
