//! The projection: one row per record in `records`, the table local queries read. It is written
//! in the same transaction as the document's chunk, so after a crash the two always agree.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};

use crate::doc::RecordDoc;
use crate::error::{Error, Result};
use crate::ids::{RecordId, UserId};
use crate::model::{
    Customer, DailyLog, IndexEntry, LeadReferral, ReceptionNote, Record, RecordKind, RecordMeta,
    ReturnVisitReport, VisitPlan,
};
use crate::search;

/// One record as the query table knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordSummary {
    pub id: RecordId,
    pub kind: RecordKind,
    pub owner: UserId,
    pub created_by: UserId,
    pub customer_id: Option<RecordId>,
    pub title: String,
    pub status: Option<String>,
    pub grade: Option<String>,
    pub key_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// Number of fields holding concurrent values.
    pub conflicts: u32,
}

/// A record as the projection writes it: its meta, index entry and typed JSON body.
type Projected = (RecordMeta, IndexEntry, serde_json::Value);

fn entry_of<R: Record>(doc: &RecordDoc) -> Result<Projected> {
    let r: R = doc.read()?;
    let body = serde_json::to_value(&r).map_err(|e| Error::Model {
        id: doc.id(),
        reason: e.to_string(),
    })?;
    Ok((r.meta().clone(), r.index_entry(), body))
}

/// A lead's prospect key (ADR 0003), read from its body.
fn match_key(kind: &RecordKind, body: &serde_json::Value) -> Option<String> {
    let key = body.get("prospect_key").and_then(|k| k.as_str())?;
    (*kind == RecordKind::LeadReferral && !key.is_empty()).then(|| key.to_owned())
}

/// Rewrites the projection row of `doc`. Documents of a kind this build does not know, or not
/// yet complete (a sync that has only part of the history), get no row; nor do documents that
/// do not match their model, which go into quarantine instead (`quarantine.rs`).
pub(crate) fn project(conn: &Connection, doc: &RecordDoc, now_ms: i64) -> Result<()> {
    let entry = match doc.kind() {
        Some(RecordKind::Customer) => entry_of::<Customer>(doc),
        Some(RecordKind::VisitPlan) => entry_of::<VisitPlan>(doc),
        Some(RecordKind::ReceptionNote) => entry_of::<ReceptionNote>(doc),
        Some(RecordKind::ReturnVisitReport) => entry_of::<ReturnVisitReport>(doc),
        Some(RecordKind::LeadReferral) => entry_of::<LeadReferral>(doc),
        Some(RecordKind::DailyLog) => entry_of::<DailyLog>(doc),
        Some(RecordKind::Other(_)) | None => return leave_out(conn, doc.id()),
    };
    let (meta, e, body) = match entry {
        Ok(entry) => {
            super::quarantine::release(conn, doc.id())?;
            entry
        }
        // Stored and synced, but kept out of the tables until it matches (ADR 0011).
        Err(Error::Model { .. }) => {
            super::quarantine::hold(conn, doc, now_ms)?;
            return leave_out(conn, doc.id());
        }
        Err(e) => return Err(e),
    };
    let kind = doc.kind().unwrap_or_default();
    search::index::replace(
        conn,
        doc.id(),
        &kind,
        &search::index::fields_of(&kind, &body),
    )?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO records (record_id, kind, owner, created_by, customer_id, title,
            status, grade, key_at, updated_at, conflicts, body, match_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        doc.id(),
        kind.to_string(),
        meta.owner,
        meta.created_by,
        e.customer_id,
        e.title,
        e.status,
        e.grade,
        e.key_at.map(|t| t.timestamp_millis()),
        now_ms,
        doc.conflicts().len() as i64,
        body.to_string(),
        match_key(&kind, &body),
    ])?;
    Ok(())
}

/// Removes the projection row and search rows of a record the tables do not show.
fn leave_out(conn: &Connection, id: RecordId) -> Result<()> {
    conn.execute("DELETE FROM records WHERE record_id = ?1", [id])?;
    search::index::replace(conn, id, &RecordKind::default(), &[])
}

const SUMMARY_COLUMNS: &str = "record_id, kind, owner, created_by, customer_id, title, status,
    grade, key_at, updated_at, conflicts";

fn summary(row: &Row<'_>) -> rusqlite::Result<RecordSummary> {
    let kind: String = row.get(1)?;
    let ms = |v: Option<i64>| v.and_then(DateTime::from_timestamp_millis);
    Ok(RecordSummary {
        id: row.get(0)?,
        kind: crate::model::StringEnum::parse_str(&kind),
        owner: row.get(2)?,
        created_by: row.get(3)?,
        customer_id: row.get(4)?,
        title: row.get(5)?,
        status: row.get(6)?,
        grade: row.get(7)?,
        key_at: ms(row.get(8)?),
        updated_at: ms(row.get(9)?).unwrap_or_default(),
        conflicts: row.get(10)?,
    })
}

/// Every record of `kind` (or of every kind), by key moment then id.
pub(crate) fn list(conn: &Connection, kind: Option<&RecordKind>) -> Result<Vec<RecordSummary>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM records WHERE (?1 IS NULL OR kind = ?1)
         ORDER BY key_at, record_id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([kind.map(ToString::to_string)], summary)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records that hold at least one same-field conflict.
pub(crate) fn with_conflicts(conn: &Connection) -> Result<Vec<RecordSummary>> {
    let sql =
        format!("SELECT {SUMMARY_COLUMNS} FROM records WHERE conflicts > 0 ORDER BY record_id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], summary)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
