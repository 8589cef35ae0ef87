//! What the device does when the server says no: a record that left the user's scope is
//! removed with everything derived from it (projection, search rows, sync state), and its bytes
//! scrubbed from the file; a refused change is remembered so that it is shown to the user and
//! not resent until the user edits again or discards it (ADR 0006).

use automerge::ChangeHash;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::DeviceStore;
use crate::doc::RecordDoc;
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::sync::index_doc::heads_key_of_blob;

/// A change of a record the server refused, as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub record: RecordId,
    /// The server's bilingual reason, naming the field.
    pub reason: String,
    pub refused_at: DateTime<Utc>,
}

fn heads_blob(heads: &[ChangeHash]) -> Vec<u8> {
    let mut sorted = heads.to_vec();
    sorted.sort();
    sorted.iter().flat_map(|h| h.0).collect()
}

/// Deletes every row of a record, inside the caller's transaction.
fn delete_rows(conn: &Connection, id: RecordId) -> Result<()> {
    let search: Option<i64> = conn
        .query_row(
            "SELECT id FROM search_docs WHERE record_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(base) = search {
        let stride = crate::search::STRIDE;
        conn.execute(
            "DELETE FROM search_fts WHERE rowid >= ?1 AND rowid < ?2",
            [base * stride, (base + 1) * stride],
        )?;
        conn.execute("DELETE FROM search_grams WHERE doc = ?1", [base])?;
        conn.execute("DELETE FROM search_docs WHERE id = ?1", [base])?;
    }
    for table in [
        "chunks",
        "documents",
        "records",
        "sync_state",
        "refusals",
        "quarantine",
    ] {
        conn.execute(&format!("DELETE FROM {table} WHERE record_id = ?1"), [id])?;
    }
    Ok(())
}

impl DeviceStore {
    /// Removes a record and everything derived from it, and scrubs the freed bytes. Returns
    /// whether it had local changes the server never acknowledged (they are gone too).
    pub fn remove_record(&self, id: RecordId, peer: &str) -> Result<bool> {
        let had_unsynced = self.unsynced_records(peer)?.contains(&id);
        let mut w = self.writer.lock();
        w.cache.pop(&id);
        let tx = w
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        delete_rows(&tx, id)?;
        tx.commit()?;
        scrub(&w.conn)?;
        Ok(had_unsynced)
    }

    /// Records this device holds that `peer` once acknowledged holding (so the server knows
    /// them) — the candidates for removal when they leave the user's index. Empty acknowledged
    /// heads (the server answering that it has nothing yet) do not count.
    pub fn acknowledged_records(&self, peer: &str) -> Result<Vec<RecordId>> {
        let conn = self.reader.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT d.record_id FROM documents d JOIN sync_state s
             ON s.record_id = d.record_id AND s.peer = ?1 WHERE length(s.acked_heads) > 0",
        )?;
        let rows = stmt.query_map([peer], |r| r.get::<_, RecordId>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Remembers that the server refused the record's changes up to its current heads.
    pub fn note_refusal(&self, id: RecordId, reason: &str) -> Result<()> {
        let heads = self.heads(id)?;
        let now = self.options.clock.now().timestamp_millis();
        self.writer.lock().conn.execute(
            "INSERT INTO refusals (record_id, reason, heads, refused_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (record_id) DO UPDATE SET reason = excluded.reason,
                heads = excluded.heads, refused_at = excluded.refused_at",
            params![id, reason, heads_blob(&heads), now],
        )?;
        Ok(())
    }

    /// Whether the record's changes were refused and the user has not edited it since (then
    /// sending them again would only be refused again).
    pub fn refusal_stands(&self, id: RecordId) -> Result<bool> {
        let conn = self.reader.lock();
        let refused: Option<Vec<u8>> = conn
            .query_row(
                "SELECT heads FROM refusals WHERE record_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        let current: Option<Vec<u8>> = conn
            .query_row(
                "SELECT heads FROM documents WHERE record_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match (refused, current) {
            (Some(r), Some(c)) => heads_key_of_blob(&r) == heads_key_of_blob(&c),
            _ => false,
        })
    }

    /// Every refused change, newest first: what the app shows the user.
    pub fn refusals(&self) -> Result<Vec<Refused>> {
        let conn = self.reader.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT record_id, reason, refused_at FROM refusals ORDER BY refused_at DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Refused {
                record: r.get(0)?,
                reason: r.get(1)?,
                refused_at: DateTime::from_timestamp_millis(r.get(2)?).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Throws away the record's changes that `peer` never acknowledged: the document goes back
    /// to the heads the server last confirmed (a record the server never had is removed). The
    /// refusal is cleared; the next sync brings anything newer from the server.
    pub fn discard_unsynced(&self, id: RecordId, peer: &str) -> Result<()> {
        let acked: Option<Vec<u8>> = self
            .reader
            .lock()
            .query_row(
                "SELECT acked_heads FROM sync_state WHERE record_id = ?1 AND peer = ?2",
                params![id, peer],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let Some(acked) = acked.filter(|a| !a.is_empty()) else {
            self.remove_record(id, peer)?;
            return Ok(());
        };
        let heads: Vec<ChangeHash> = acked
            .chunks(32)
            .filter_map(|c| ChangeHash::try_from(c).ok())
            .collect();
        let mut w = self.writer.lock();
        let mut doc = self.cached_or_loaded(&mut w, id)?;
        let forked = doc
            .automerge()
            .fork_at(&heads)
            .map_err(|e| Error::CorruptRecord {
                id,
                reason: format!("cannot return to the acknowledged heads: {e}"),
            })?;
        let mut fresh = RecordDoc::from_automerge(id, forked, self.actor.clone());
        let now = self.options.clock.now().timestamp_millis();
        let tx = w
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        delete_rows(&tx, id)?;
        super::write_changes(&tx, &mut fresh, &[], now)?;
        tx.commit()?;
        scrub(&w.conn)?;
        w.cache.put(id, fresh);
        Ok(())
    }
}

/// After a deletion: rebuild the full-text index without the deleted terms and fold the WAL
/// into the file, so that the removed text survives neither in index segments nor in WAL
/// frames (freed pages are zeroed by `secure_delete`).
fn scrub(conn: &Connection) -> Result<()> {
    conn.execute(
        "INSERT INTO search_fts (search_fts) VALUES ('optimize')",
        [],
    )?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}
