//! Typed reads from the projection, for the rules and the local queries: records come from the
//! `body` column (the typed record as JSON, written with the document) instead of loading
//! every Automerge document. A row written before schema 3 has no body; it is read from its
//! document instead.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use super::DeviceStore;
use crate::error::{Error, Result};
use crate::ids::{RecordId, UserId};
use crate::model::{LeadReferral, Record};

/// Which rows of one kind to read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub owner: Option<UserId>,
    /// Only these statuses (the projection's `status` column).
    pub statuses: Vec<String>,
    /// Only rows whose key moment is in `[from, to)`.
    pub key_from: Option<DateTime<Utc>>,
    pub key_to: Option<DateTime<Utc>>,
}

impl DeviceStore {
    /// Runs `f` on the reader connection (queries never wait for a write in progress).
    pub(crate) fn with_reader<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        f(&self.reader.lock())
    }

    /// Every record of kind `R` matching `filter`, typed.
    pub fn read_projected<R: Record>(&self, filter: &Filter) -> Result<Vec<R>> {
        let rows = self.with_reader(|conn| projected_rows(conn, R::KIND.to_string(), filter))?;
        rows.into_iter()
            .map(|(id, body)| self.typed(id, body))
            .collect()
    }

    /// Every lead whose prospect key is `key` (ADR 0003).
    pub fn leads_with_key(&self, key: &str) -> Result<Vec<LeadReferral>> {
        let rows = self.with_reader(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT record_id, body FROM records WHERE match_key = ?1")?;
            let rows = stmt.query_map([key], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<(RecordId, Option<String>)>>>()?)
        })?;
        rows.into_iter()
            .map(|(id, body)| self.typed(id, body))
            .collect()
    }

    /// Every lead whose prospect's e-mail is `email`, ignoring case (trade-show capture's
    /// duplicate check; a scan of the projection's bodies, no index: a phone holds thousands).
    pub fn leads_with_email(&self, email: &str) -> Result<Vec<LeadReferral>> {
        let rows = self.with_reader(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT record_id, body FROM records WHERE kind = 'lead_referral'
                 AND lower(json_extract(body, '$.prospect.email')) = lower(?1)",
            )?;
            let rows = stmt.query_map([email.trim()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<(RecordId, Option<String>)>>>()?)
        })?;
        rows.into_iter()
            .map(|(id, body)| self.typed(id, body))
            .collect()
    }

    fn typed<R: Record>(&self, id: RecordId, body: Option<String>) -> Result<R> {
        match body {
            Some(text) => serde_json::from_str(&text).map_err(|e| Error::Model {
                id,
                reason: e.to_string(),
            }),
            None => self.get(id),
        }
    }

    /// The latest server time this device has seen (ADR 0003), if any.
    pub fn server_time_floor(&self) -> Result<Option<DateTime<Utc>>> {
        let value: Option<String> = self.with_reader(|conn| {
            Ok(conn
                .query_row(
                    "SELECT value FROM store_meta WHERE key = 'server_time_floor_ms'",
                    [],
                    |r| r.get(0),
                )
                .optional()?)
        })?;
        Ok(value
            .and_then(|v| v.parse::<i64>().ok())
            .and_then(DateTime::from_timestamp_millis))
    }

    /// Records a time the server reported (the sync client calls this); keeps the maximum.
    pub fn note_server_time(&self, at: DateTime<Utc>) -> Result<()> {
        let w = self.writer.lock();
        w.conn.execute(
            "INSERT INTO store_meta (key, value) VALUES ('server_time_floor_ms', ?1)
             ON CONFLICT (key) DO UPDATE SET value = ?1
             WHERE value = '' OR CAST(value AS INTEGER) < CAST(?1 AS INTEGER)",
            [at.timestamp_millis().to_string()],
        )?;
        Ok(())
    }
}

/// Builds the query from only the conditions the filter sets, so SQLite can use the
/// `(owner, kind)` and `(kind, key_at)` indexes (an `?2 IS NULL OR owner = ?2` would scan).
fn projected_rows(
    conn: &Connection,
    kind: String,
    f: &Filter,
) -> Result<Vec<(RecordId, Option<String>)>> {
    let mut sql = String::from("SELECT record_id, body FROM records WHERE kind = ?1");
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(kind)];
    let mut push = |cond: &str, arg: Box<dyn rusqlite::ToSql>| {
        args.push(arg);
        sql.push_str(&cond.replace('?', &format!("?{}", args.len())));
    };
    if let Some(owner) = &f.owner {
        push(" AND owner = ?", Box::new(owner.clone()));
    }
    if !f.statuses.is_empty() {
        let list = serde_json::to_string(&f.statuses).unwrap_or_else(|_| "[]".into());
        push(
            " AND status IN (SELECT value FROM json_each(?))",
            Box::new(list),
        );
    }
    if let Some(from) = f.key_from {
        push(" AND key_at >= ?", Box::new(from.timestamp_millis()));
    }
    if let Some(to) = f.key_to {
        push(" AND key_at < ?", Box::new(to.timestamp_millis()));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl DeviceStore {
    /// Rebuilds every record's projection (row, body, search rows) from its document, in one
    /// transaction, if a migration asked for it. Returns how many records were projected.
    pub(crate) fn reproject_if_asked(&self) -> Result<usize> {
        let mut w = self.writer.lock();
        let tx = w
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let asked: Option<String> = tx
            .query_row(
                "SELECT value FROM store_meta WHERE key = 'reproject'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if asked.as_deref() != Some("1") {
            return Ok(0);
        }
        let ids: Vec<RecordId> = {
            let mut stmt = tx.prepare("SELECT record_id FROM documents")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let now = self.options.clock.now().timestamp_millis();
        for &id in &ids {
            let Some(bytes) = super::chunks::load_bytes(&tx, id)? else {
                continue;
            };
            let doc = crate::doc::RecordDoc::load(id, &bytes, self.actor.clone())?;
            super::index::project(&tx, &doc, now)?;
        }
        tx.execute("DELETE FROM store_meta WHERE key = 'reproject'", [])?;
        tx.commit()?;
        tracing::info!(records = ids.len(), "projection rebuilt after migration");
        Ok(ids.len())
    }
}
