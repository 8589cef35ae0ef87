//! The embedded default store: one SQLite file, WAL, `synchronous=FULL`, `secure_delete` (an
//! erased value must not linger in free pages). One connection behind a lock; callers run on
//! tokio's blocking pool. Documents are chunk logs as on the device. The schema is versioned
//! with `user_version`; each version's script runs once, in order, in one transaction.
//! The change feed is a table whose `AUTOINCREMENT` key numbers every document write; there is
//! one writer at a time, so numbers are committed in order.

use std::path::Path;

use chrono::{DateTime, Utc};
use fieldbook_core::{DeviceId, RecordId, UserId};
use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::secrets_sqlite as secrets;
use super::sqlite_accounts as acc;
use super::sqlite_changes as changes;
use super::sqlite_grants as grants;
use super::sqlite_prune as prune;
use super::{
    ChangeReceipt, DocSummary, DocWrite, FeedBatch, FeedCursor, FeedEntry, FeedEvent, FeedPruned,
    ServerStore, StoredDoc, WriteOutcome,
};
use crate::accounts::{AccessEntry, Account, DeviceToken, Enrolment, Grant, GrantId, Team};
use crate::error::{Result, ServerError};

/// Each schema version's script; `user_version` says how many have run.
const MIGRATIONS: &[&str] = &[
    SCHEMA_V1,
    acc::SCHEMA_V2,
    changes::SCHEMA_V3,
    SCHEMA_V4,
    secrets::SCHEMA_V5,
    prune::SCHEMA_V6,
    grants::SCHEMA_V7,
];

/// Version 4: the change feed and document versions (ADR 0009).
const SCHEMA_V4: &str = "
CREATE TABLE feed (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    event   TEXT NOT NULL,
    subject TEXT NOT NULL
) STRICT;
ALTER TABLE documents ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
";

const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS documents (
    record_id TEXT PRIMARY KEY NOT NULL,
    kind      TEXT NOT NULL,
    heads_key TEXT NOT NULL,
    bytes     INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS chunks (
    record_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    data      BLOB NOT NULL,
    PRIMARY KEY (record_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices (
    token_hash BLOB PRIMARY KEY NOT NULL,
    device_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL
) STRICT;
";

/// The SQLite server store.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }
}

impl SqliteStore {
    /// One document write, recorded in the feed as `event`.
    fn write_one(&self, w: DocWrite<'_>, event: FeedEvent) -> Result<WriteOutcome> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current = version(&tx, w.id)?.unwrap_or(0);
        if w.expected.is_some_and(|e| e != current) {
            return Ok(WriteOutcome::Stale(current));
        }
        let seq = acc::add_to_feed(&tx, event)?;
        write_chunk(&tx, &w, seq)?;
        tx.commit()?;
        if matches!(event, FeedEvent::Rewritten(_)) {
            // Old pages were zeroed by secure_delete; copy the WAL in and truncate it so that
            // no frame holding the old bytes survives in the -wal file either. (A compaction
            // keeps the same history: nothing to scrub.)
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(WriteOutcome::Written(seq as u64))
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(ServerError::Invalid(format!(
            "数据库来自更新的版本 / the database is from a newer server (schema {version})"
        )));
    }
    for (i, script) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(script)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

fn version(conn: &Connection, id: RecordId) -> Result<Option<u64>> {
    let version: Option<i64> = conn
        .query_row(
            "SELECT version FROM documents WHERE record_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(version.map(|v| v as u64))
}

/// Appends the chunk (or replaces every chunk by it) and records the document's new state.
fn write_chunk(tx: &Transaction<'_>, w: &DocWrite<'_>, seq: i64) -> Result<()> {
    if w.replace {
        tx.execute("DELETE FROM chunks WHERE record_id = ?1", [w.id])?;
    }
    tx.execute(
        "INSERT INTO chunks (record_id, seq, data) VALUES (?1,
            COALESCE((SELECT MAX(seq) + 1 FROM chunks WHERE record_id = ?1), 0), ?2)",
        params![w.id, w.bytes],
    )?;
    tx.execute(
        "INSERT INTO documents (record_id, kind, heads_key, bytes, version)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (record_id) DO UPDATE SET kind = excluded.kind,
            heads_key = excluded.heads_key, version = excluded.version,
            bytes = CASE WHEN ?6 THEN excluded.bytes ELSE bytes + excluded.bytes END",
        params![
            w.id,
            w.kind,
            w.heads_key,
            w.bytes.len() as i64,
            seq,
            w.replace
        ],
    )?;
    Ok(())
}

impl ServerStore for SqliteStore {
    fn load_versioned(&self, id: RecordId) -> Result<Option<StoredDoc>> {
        let conn = self.conn.lock();
        let Some(version) = version(&conn, id)? else {
            return Ok(None);
        };
        let mut stmt =
            conn.prepare_cached("SELECT data FROM chunks WHERE record_id = ?1 ORDER BY seq")?;
        let mut rows = stmt.query([id])?;
        let (mut bytes, mut chunks) = (Vec::new(), 0);
        while let Some(row) = rows.next()? {
            let chunk: Vec<u8> = row.get(0)?;
            bytes.extend_from_slice(&chunk);
            chunks += 1;
        }
        Ok(Some(StoredDoc {
            bytes,
            version,
            chunks,
        }))
    }

    fn write_doc(&self, w: DocWrite<'_>) -> Result<WriteOutcome> {
        self.write_one(w, FeedEvent::of_write(&w))
    }

    fn compact_doc(&self, w: DocWrite<'_>) -> Result<WriteOutcome> {
        let w = w.checked_compaction()?;
        self.write_one(w, FeedEvent::Compacted(w.id))
    }

    fn write_docs(&self, writes: &[DocWrite<'_>]) -> Result<Vec<WriteOutcome>> {
        if writes.iter().any(|w| w.replace) {
            return writes.iter().map(|w| self.write_doc(*w)).collect();
        }
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut out = Vec::with_capacity(writes.len());
        for w in writes {
            let current = version(&tx, w.id)?.unwrap_or(0);
            if w.expected.is_some_and(|e| e != current) {
                out.push(WriteOutcome::Stale(current));
                continue;
            }
            let seq = acc::add_to_feed(&tx, FeedEvent::of_write(w))?;
            write_chunk(&tx, w, seq)?;
            out.push(WriteOutcome::Written(seq as u64));
        }
        tx.commit()?;
        Ok(out)
    }

    fn list_docs(&self) -> Result<Vec<DocSummary>> {
        let conn = self.conn.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT record_id, kind, heads_key, bytes FROM documents ORDER BY record_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DocSummary {
                id: r.get(0)?,
                kind: r.get(1)?,
                heads_key: r.get(2)?,
                bytes: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn changes_since(&self, cursor: FeedCursor, limit: usize) -> Result<FeedBatch> {
        // One writer: `seq`s are committed in order, so the last one read is the cursor.
        let seq = cursor.minor;
        let conn = self.conn.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, event, subject FROM feed WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![seq as i64, limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, event, subject) = row?;
            let event = FeedEvent::from_row(&event, &subject)?;
            out.push(FeedEntry {
                seq: seq as u64,
                event,
            });
        }
        let floor = prune::floor(&conn)?;
        let next = out.last().map_or(cursor, |e| FeedCursor {
            major: 0,
            minor: e.seq,
        });
        Ok(FeedBatch {
            entries: out,
            next: next.max(floor),
            held_back: false,
            missed: cursor < floor,
        })
    }

    fn latest_change(&self) -> Result<FeedCursor> {
        let seq = prune::last_seq(&self.conn.lock())?;
        Ok(FeedCursor {
            major: 0,
            minor: seq as u64,
        })
    }

    fn note_reader(&self, reader: &str, cursor: FeedCursor, at: DateTime<Utc>) -> Result<()> {
        prune::note_reader(&self.conn.lock(), reader, cursor, at)
    }

    fn prune_feed(&self, since: DateTime<Utc>) -> Result<FeedPruned> {
        prune::prune_feed(&mut self.conn.lock(), since)
    }

    fn put_team(&self, team: &Team) -> Result<()> {
        acc::put_team(&self.conn.lock(), team)
    }

    fn teams(&self) -> Result<Vec<Team>> {
        acc::teams(&self.conn.lock())
    }

    fn put_account(&self, account: &Account) -> Result<()> {
        acc::put_account(&self.conn.lock(), account)
    }

    fn account(&self, user: &UserId) -> Result<Option<Account>> {
        acc::account(&self.conn.lock(), user)
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        acc::accounts(&self.conn.lock())
    }

    fn add_grant(&self, grant: &Grant) -> Result<GrantId> {
        grants::add_grant(&self.conn.lock(), grant)
    }

    fn revoke_grant(&self, id: GrantId, by: &UserId, at: DateTime<Utc>) -> Result<Option<Grant>> {
        grants::revoke_grant(&self.conn.lock(), id, by, at)
    }

    fn grants(&self, ended_after: DateTime<Utc>) -> Result<Vec<Grant>> {
        grants::grants(&self.conn.lock(), ended_after)
    }

    fn add_device_token(&self, token: &DeviceToken) -> Result<()> {
        acc::add_device_token(&self.conn.lock(), token)
    }

    fn device_token(&self, token_hash: &[u8; 32]) -> Result<Option<DeviceToken>> {
        acc::device_token(&self.conn.lock(), token_hash)
    }

    fn revoke_device(&self, device: DeviceId, at: DateTime<Utc>) -> Result<usize> {
        acc::revoke_device(&self.conn.lock(), device, at)
    }

    fn device_tokens(&self) -> Result<Vec<DeviceToken>> {
        acc::device_tokens(&self.conn.lock())
    }

    fn add_enrolment(&self, enrolment: &Enrolment) -> Result<()> {
        acc::add_enrolment(&self.conn.lock(), enrolment)
    }

    fn redeem_enrolment(&self, code_hash: &[u8; 32], now: DateTime<Utc>) -> Result<Option<UserId>> {
        acc::redeem_enrolment(&self.conn.lock(), code_hash, now)
    }

    fn claim_actor(&self, actor: &[u8], device: DeviceId) -> Result<bool> {
        acc::claim_actor(&self.conn.lock(), actor, device)
    }

    fn log_access(&self, entries: &[AccessEntry]) -> Result<()> {
        acc::log_access(&mut self.conn.lock(), entries)
    }

    fn access_log(&self, record: Option<RecordId>, limit: usize) -> Result<Vec<AccessEntry>> {
        acc::access_log(&self.conn.lock(), record, limit)
    }

    fn server_secret(&self, name: &str, fresh: &[u8; 32]) -> Result<[u8; 32]> {
        secrets::server_secret(&self.conn.lock(), name, fresh)
    }

    fn actor_device(&self, actor: &[u8]) -> Result<Option<DeviceId>> {
        changes::actor_device(&self.conn.lock(), actor)
    }

    fn note_changes(&self, receipts: &[ChangeReceipt]) -> Result<()> {
        changes::note_changes(&mut self.conn.lock(), receipts)
    }

    fn change_receipts(&self, record: RecordId) -> Result<Vec<ChangeReceipt>> {
        changes::change_receipts(&self.conn.lock(), record)
    }

    fn latest_changes_since(&self, since: DateTime<Utc>) -> Result<Vec<ChangeReceipt>> {
        changes::latest_changes_since(&self.conn.lock(), since)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::ChangeReceipt;

    #[test]
    fn a_version_2_database_upgrades_and_keeps_its_accounts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_V1).unwrap();
            conn.execute_batch(acc::SCHEMA_V2).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
            conn.execute(
                "INSERT INTO teams (team_id, name) VALUES ('east', '华东')",
                [],
            )
            .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.teams().unwrap().len(), 1);
        let record = RecordId::from_random_bytes([1; 16]);
        let receipt = ChangeReceipt {
            change: [3; 32],
            record,
            user: UserId::new("rep.li").unwrap(),
            device: None,
            received_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        store.note_changes(std::slice::from_ref(&receipt)).unwrap();
        assert_eq!(store.change_receipts(record).unwrap(), vec![receipt]);
        let version: i64 = store
            .conn
            .lock()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());
    }
}
