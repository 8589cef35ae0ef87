//! The device's two sides of the schema (ADR 0011).
//!
//! - **Writing**: every local create, edit and conflict resolution is checked against the
//!   record's schema ([`crate::schema`], device policy) before it is made durable; a refused
//!   write changes nothing.
//! - **Reading**: a record that arrives (by sync or import) but does not match its typed model —
//!   stored by an older server that did not check — must not stop the sync of everything else.
//!   Its document is stored and synced as usual (so the server's later fix merges in), but it
//!   is kept out of the query table and search, and listed in `quarantine` with the field that
//!   does not fit. When a later version matches, it leaves quarantine and is projected again.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::DeviceStore;
use crate::doc::RecordDoc;
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::schema::{Policy, SchemaRefusal, check_record, model_mismatch};

/// A stored record kept out of the tables because it does not match its model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub record: RecordId,
    pub kind: String,
    /// The JSON pointer of the first field that does not fit.
    pub field: String,
    /// Bilingual, naming the field; never the value.
    pub reason: String,
    pub quarantined_at: DateTime<Utc>,
}

/// Refuses a local write that breaks the record's schema (device policy: fields and values
/// of a newer app are kept). Nothing has been stored yet when this runs.
pub(crate) fn check_local_write(doc: &RecordDoc) -> Result<()> {
    check_record(doc.id(), &doc.to_json(), Policy::Device).map_err(|r| Error::InvalidInput {
        field: r.field.clone(),
        message: r.to_string(),
    })
}

/// Inside the projection's transaction: `doc` does not match its model; it goes into
/// `quarantine` (the caller removes its row and search rows).
pub(crate) fn hold(conn: &Connection, doc: &RecordDoc, now_ms: i64) -> Result<()> {
    let json = doc.to_json();
    let refusal = model_mismatch(doc.id(), &json).unwrap_or_else(|| SchemaRefusal {
        record: doc.id(),
        field: String::new(),
        problem: crate::schema::Problem::BadFormat,
    });
    tracing::warn!(record = %doc.id(), field = %refusal.field, "record does not match its model; kept out of the tables");
    note(conn, &refusal, &json, now_ms)
}

/// Inside the projection's transaction: `id` matches its model (again).
pub(crate) fn release(conn: &Connection, id: RecordId) -> Result<()> {
    conn.prepare_cached("DELETE FROM quarantine WHERE record_id = ?1")?
        .execute([id])?;
    Ok(())
}

fn note(
    conn: &Connection,
    refusal: &SchemaRefusal,
    json: &serde_json::Value,
    now: i64,
) -> Result<()> {
    let kind = json.get("kind").and_then(|k| k.as_str()).unwrap_or("");
    conn.prepare_cached(
        "INSERT INTO quarantine (record_id, kind, field, reason, quarantined_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (record_id) DO UPDATE SET kind = excluded.kind, field = excluded.field,
            reason = excluded.reason",
    )?
    .execute(params![
        refusal.record,
        kind,
        refusal.field,
        refusal.to_string(),
        now
    ])?;
    Ok(())
}

impl DeviceStore {
    /// Every record kept out of the tables because it does not match its model, oldest first:
    /// what the app shows (and what support asks the back office to fix).
    pub fn quarantined(&self) -> Result<Vec<Quarantined>> {
        self.with_reader(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT record_id, kind, field, reason, quarantined_at FROM quarantine
                 ORDER BY quarantined_at, record_id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(Quarantined {
                    record: r.get(0)?,
                    kind: r.get(1)?,
                    field: r.get(2)?,
                    reason: r.get(3)?,
                    quarantined_at: DateTime::from_timestamp_millis(r.get(4)?).unwrap_or_default(),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Whether the record is in quarantine.
    pub fn is_quarantined(&self, id: RecordId) -> Result<bool> {
        self.with_reader(|conn| {
            let n: i64 = conn.query_row(
                "SELECT COUNT(*) FROM quarantine WHERE record_id = ?1",
                [id],
                |r| r.get(0),
            )?;
            Ok(n > 0)
        })
    }
}
