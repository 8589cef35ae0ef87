//! Writing a record's search rows, inside the projection's transaction.

use std::collections::BTreeSet;

use rusqlite::{Connection, params};

use super::fields::{self, SearchField};
use crate::error::Result;
use crate::ids::RecordId;
use crate::model::{Customer, LeadReferral, RecordKind};

/// Row ids per record: one per field.
pub(crate) const STRIDE: i64 = 16;

/// The searchable fields of a record given as its typed JSON (other kinds have none).
pub fn fields_of(kind: &RecordKind, body: &serde_json::Value) -> Vec<(SearchField, String)> {
    let parsed = match kind {
        RecordKind::Customer => serde_json::from_value::<Customer>(body.clone())
            .ok()
            .map(|c| fields::of_customer(&c)),
        RecordKind::LeadReferral => serde_json::from_value::<LeadReferral>(body.clone())
            .ok()
            .map(|l| fields::of_lead(&l)),
        _ => None,
    };
    parsed.map(fields::Fields::into_vec).unwrap_or_default()
}

/// Replaces the search rows of `id` with `rows`.
pub(crate) fn replace(
    conn: &Connection,
    id: RecordId,
    kind: &RecordKind,
    rows: &[(SearchField, String)],
) -> Result<()> {
    let existing: Option<i64> = conn
        .prepare_cached("SELECT id FROM search_docs WHERE record_id = ?1")?
        .query_row([id], |r| r.get(0))
        .ok();
    if let Some(base) = existing {
        conn.prepare_cached("DELETE FROM search_fts WHERE rowid >= ?1 AND rowid < ?2")?
            .execute([base * STRIDE, (base + 1) * STRIDE])?;
        conn.prepare_cached("DELETE FROM search_grams WHERE doc = ?1")?
            .execute([base])?;
    }
    if rows.is_empty() {
        return Ok(());
    }
    let base = match existing {
        Some(b) => b,
        None => {
            conn.prepare_cached("INSERT INTO search_docs (record_id) VALUES (?1)")?
                .execute([id])?;
            conn.last_insert_rowid()
        }
    };
    let mut insert = conn.prepare_cached(
        "INSERT INTO search_fts (rowid, record_id, kind, field, text) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut gram = conn.prepare_cached(
        "INSERT OR IGNORE INTO search_grams (gram, doc, field) VALUES (?1, ?2, ?3)",
    )?;
    for (field, text) in rows {
        let rowid = base * STRIDE + *field as i64;
        insert.execute(params![rowid, id, kind.to_string(), field.as_str(), text])?;
        if SHORT_QUERY_FIELDS.contains(field) {
            for g in short_grams(text) {
                gram.execute(params![g, base, *field as i64])?;
            }
        }
    }
    Ok(())
}

/// The fields a 1–2 character query searches (notes, phones and full pinyin need 3+).
pub(crate) const SHORT_QUERY_FIELDS: [SearchField; 4] = [
    SearchField::Name,
    SearchField::Company,
    SearchField::Contact,
    SearchField::PinyinInitials,
];

/// Every distinct 1- and 2-character piece of each value (lower-cased, spaces skipped).
fn short_grams(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for value in text.split(" | ") {
        let chars: Vec<char> = value
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        for (i, c) in chars.iter().enumerate() {
            out.insert(c.to_string());
            if let Some(next) = chars.get(i + 1) {
                out.insert(format!("{c}{next}"));
            }
        }
    }
    out
}

/// The `search_fts` row id of a `search_grams` row `g` (one row per field of a record).
pub(crate) fn fts_rowid_expr() -> String {
    format!("g.doc * {STRIDE} + g.field")
}
