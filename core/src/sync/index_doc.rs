//! The per-user index document: Fieldbook's discovery extension (see `docs/protocol.md`).
//!
//! A device must learn of records that others created for it (a supervisor assigns a visit to a
//! rep) without anyone typing an id, and a device holding 10,000 records must not ask about each
//! of them on every sync. The server therefore keeps, for every user, one ordinary Automerge
//! document whose id is derived from the user id and which maps each record the user should hold
//! to a key of that record's current heads. A device syncs this document first (incrementally:
//! only the entries that changed travel), then syncs only the records whose heads key differs
//! from its own. Stock automerge-repo clients can open the index like any document.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash, ObjType, ROOT, ReadDoc, Value};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::ids::{RecordId, UserId};

/// The `kind` written in every index document (not a record kind: devices keep no row for it).
pub const INDEX_KIND: &str = "fieldbook.index";
const RECORDS_KEY: &str = "records";
const USER_KEY: &str = "user";

/// The document id of `user`'s index: the first 16 bytes of SHA-256 over a fixed prefix and the
/// user id, marked as a UUID version 8 (the server's reserved space, see
/// [`RecordId::is_reserved`]), so the device and the server derive it independently and no
/// device can create a document there first (issue 15, finding 3). Before that fix the same
/// hash was marked version 4 ([`legacy_index_id`]).
pub fn index_id(user: &UserId) -> RecordId {
    RecordId::reserved_from_bytes(index_hash(user))
}

/// Where `user`'s index lived before the reserved space: the same hash marked version 4, an
/// id any device could create a record at. Servers no longer serve or write it.
pub fn legacy_index_id(user: &UserId) -> RecordId {
    RecordId::from_random_bytes(index_hash(user))
}

fn index_hash(user: &UserId) -> [u8; 16] {
    let digest = Sha256::digest(format!("fieldbook-index/v1:{user}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes
}

/// A compact, order-independent text key of a document's heads: the sorted hashes in hex,
/// joined by commas. Equal keys mean equal heads.
pub fn heads_key(heads: &[ChangeHash]) -> String {
    let mut hex: Vec<String> = heads.iter().map(|h| hex::encode(h.0)).collect();
    hex.sort();
    hex.join(",")
}

/// [`heads_key`] of heads stored as concatenated 32-byte hashes (the stores' `heads` column).
pub fn heads_key_of_blob(blob: &[u8]) -> String {
    let mut hex: Vec<String> = blob.chunks(32).map(hex::encode).collect();
    hex.sort();
    hex.join(",")
}

/// The index entry of a record: its heads key, prefixed `g<N>:` when the record's history was
/// rewritten (erasure) for the N-th time, so that a device holding an older history drops it
/// and fetches the new one instead of merging the two.
pub fn entry_key(record: &Json, heads_key: &str) -> String {
    match generation(record) {
        0 | 1 => heads_key.to_owned(),
        g => format!("g{g}:{heads_key}"),
    }
}

/// The history generation of a record (`meta.generation`, 1 when absent).
pub fn generation(record: &Json) -> u64 {
    record
        .pointer("/meta/generation")
        .and_then(Json::as_u64)
        .unwrap_or(1)
}

/// Splits an index entry into its generation and heads key.
pub fn parse_entry(entry: &str) -> (u64, &str) {
    entry
        .strip_prefix('g')
        .and_then(|rest| rest.split_once(':'))
        .and_then(|(g, key)| g.parse().ok().map(|g| (g, key)))
        .unwrap_or((1, entry))
}

/// Every entry of an index document: record id → heads key. Entries that do not parse are
/// skipped (a newer server may add other keys).
pub fn read_entries(doc: &AutoCommit) -> BTreeMap<RecordId, String> {
    let mut out = BTreeMap::new();
    let Ok(Some((Value::Object(ObjType::Map), records))) = doc.get(ROOT, RECORDS_KEY) else {
        return out;
    };
    for item in doc.map_range(&records, ..) {
        let value = Value::from(item.value);
        let (Ok(id), Some(key)) = (item.key.parse::<RecordId>(), scalar_text(&value)) else {
            continue;
        };
        out.insert(id, key);
    }
    out
}

/// Gives an empty document the skeleton of `user`'s index, without entries (a user with
/// nothing in scope still learns that their device should hold nothing). Returns whether it
/// changed.
pub fn init_index(doc: &mut AutoCommit, user: &UserId) -> Result<bool> {
    if let Some((Value::Object(ObjType::Map), _)) = doc.get(ROOT, RECORDS_KEY)? {
        return Ok(false);
    }
    doc.put(ROOT, "kind", INDEX_KIND)?;
    doc.put(ROOT, USER_KEY, user.as_str())?;
    doc.put_object(ROOT, RECORDS_KEY, ObjType::Map)?;
    Ok(true)
}

/// Sets the entry of `record` in an index document (creating the document's skeleton if it is
/// empty). Returns whether anything changed.
pub fn put_entry(doc: &mut AutoCommit, user: &UserId, record: RecordId, key: &str) -> Result<bool> {
    init_index(doc, user)?;
    let Some((Value::Object(ObjType::Map), records)) = doc.get(ROOT, RECORDS_KEY)? else {
        return Ok(false);
    };
    let field = record.to_string();
    let current = match doc.get(&records, field.as_str())? {
        Some((value, _)) => scalar_text(&value),
        None => None,
    };
    if current.as_deref() == Some(key) {
        return Ok(false);
    }
    doc.put(&records, field.as_str(), key)?;
    Ok(true)
}

/// Removes the entry of `record` (the user may no longer hold it). Returns whether it was there.
pub fn remove_entry(doc: &mut AutoCommit, record: RecordId) -> Result<bool> {
    let Some((Value::Object(ObjType::Map), records)) = doc.get(ROOT, RECORDS_KEY)? else {
        return Ok(false);
    };
    let field = record.to_string();
    if doc.get(&records, field.as_str())?.is_none() {
        return Ok(false);
    }
    doc.delete(&records, field.as_str())?;
    Ok(true)
}

/// The user an index document belongs to.
pub fn index_user(doc: &AutoCommit) -> Option<UserId> {
    match doc.get(ROOT, USER_KEY).ok().flatten()? {
        (Value::Scalar(s), _) => s.as_str().and_then(|u| UserId::new(u).ok()),
        _ => None,
    }
}

fn scalar_text(value: &Value<'_>) -> Option<String> {
    match value {
        Value::Scalar(s) => s.as_str().map(str::to_owned),
        Value::Object(_) => None,
    }
}

/// The users who should hold a record, read from its JSON: its owner, its creator and, for a
/// visit plan, its rep. (Roles and teams come with the permissions issue.)
pub fn interested_users(record: &Json) -> Vec<UserId> {
    let texts = [
        record.pointer("/meta/owner"),
        record.pointer("/meta/created_by"),
        record.pointer("/rep"),
    ];
    let mut users: Vec<UserId> = texts
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .filter_map(|s| UserId::new(s).ok())
        .collect();
    users.sort();
    users.dedup();
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_ids_are_stable_and_distinct() {
        let a = UserId::new("rep.li").unwrap();
        let b = UserId::new("rep.wang").unwrap();
        assert_eq!(index_id(&a), index_id(&a));
        assert_ne!(index_id(&a), index_id(&b));
        assert!(index_id(&a).is_reserved() && !legacy_index_id(&a).is_reserved());
        assert_eq!(index_id(&a).as_bytes()[6] >> 4, 8, "UUID version 8");
        assert_eq!(index_id(&a).as_bytes()[8] >> 6, 0b10, "RFC 9562 variant");
    }

    #[test]
    fn entries_round_trip_and_unchanged_puts_are_no_ops() {
        let user = UserId::new("rep.li").unwrap();
        let mut doc = AutoCommit::new();
        let id = RecordId::from_random_bytes([3; 16]);
        assert!(put_entry(&mut doc, &user, id, "abc").unwrap());
        assert!(!put_entry(&mut doc, &user, id, "abc").unwrap());
        assert_eq!(read_entries(&doc).get(&id).map(String::as_str), Some("abc"));
    }

    #[test]
    fn heads_key_ignores_order_and_matches_the_blob_form() {
        let a = ChangeHash([1; 32]);
        let b = ChangeHash([2; 32]);
        let blob: Vec<u8> = [b, a].iter().flat_map(|h| h.0).collect();
        assert_eq!(heads_key(&[a, b]), heads_key(&[b, a]));
        assert_eq!(heads_key(&[a, b]), heads_key_of_blob(&blob));
    }

    #[test]
    fn interested_users_include_the_rep_of_a_visit() {
        let json = serde_json::json!({"meta": {"owner": "sup.zhao", "created_by": "sup.zhao"},
            "rep": "rep.li"});
        let users: Vec<String> = interested_users(&json)
            .iter()
            .map(|u| u.to_string())
            .collect();
        assert_eq!(users, vec!["rep.li", "sup.zhao"]);
    }
}
