//! The PostgreSQL store, for several server nodes on one database (ADR 0009). The sync
//! `postgres` client behind an `r2d2` pool: the trait is blocking and runs on tokio's blocking
//! pool, so an async client would only be blocked on again. Transactions are READ COMMITTED;
//! a document write locks the document's row (`FOR UPDATE`) and checks the version the writer
//! expects, then takes the next feed position from a sequence (so one document's positions
//! grow with its writes). Positions of different transactions may commit out of order: readers
//! take the feed in transaction-id order, and only below the oldest transaction still running,
//! so none is skipped. The write `NOTIFY`s the feed's channel; other nodes `LISTEN` on a connection of their own ([`PgStore::wait_for_change`]).
//! The schema is versioned in `schema_migrations`; numbered scripts in `migrations/postgres`
//! run once each, in order, under an advisory lock (two nodes may start at once).

use std::time::Duration;

use chrono::{DateTime, Utc};
use fieldbook_core::{DeviceId, RecordId, UserId};
use parking_lot::Mutex;
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls, Transaction};
use r2d2_postgres::PostgresConnectionManager;

use super::postgres_accounts as acc;
use super::postgres_changes as changes;
use super::postgres_feed::{CHANNEL, add_to_feed};
use super::postgres_grants as grants;
use super::postgres_prune as prune;
use super::secrets_postgres as secrets;
use super::{
    ChangeReceipt, DocSummary, DocWrite, FeedBatch, FeedCursor, FeedEntry, FeedEvent, FeedPruned,
    ServerStore, StoredDoc, WriteOutcome,
};
use crate::accounts::{AccessEntry, Account, DeviceToken, Enrolment, Grant, GrantId, Team};
use crate::error::{Result, ServerError};

/// Each schema version's script, in order.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/0001_documents.sql"),
    include_str!("../../migrations/postgres/0002_accounts.sql"),
    include_str!("../../migrations/postgres/0003_change_receipts.sql"),
    include_str!("../../migrations/postgres/0004_feed_by_transaction.sql"),
    include_str!("../../migrations/postgres/0005_server_secrets.sql"),
    include_str!("../../migrations/postgres/0006_feed_pruning.sql"),
    include_str!("../../migrations/postgres/0007_grants.sql"),
];

/// Any number, the same on every node: the advisory lock migrations run under.
const MIGRATION_LOCK: i64 = 0x0F1E_1DB0;

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

/// The Postgres server store.
pub struct PgStore {
    /// `None` only while dropping.
    pool: Option<Pool>,
    url: String,
    /// The connection that listens for other nodes' writes (opened on first wait).
    listener: Mutex<Option<Client>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("pool", &self.pool.as_ref().map(r2d2::Pool::state))
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`) with at most `connections` pooled
    /// connections, and brings the schema up to date.
    pub fn open(url: &str, connections: u32) -> Result<Self> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e| ServerError::Invalid(format!("数据库地址无效 / bad database URL: {e}")))?;
        let pool = r2d2::Pool::builder()
            .max_size(connections.max(1))
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(30))
            .build(PostgresConnectionManager::new(config, NoTls))?;
        migrate(&mut *pool.get()?)?;
        Ok(PgStore {
            pool: Some(pool),
            url: url.to_owned(),
            listener: Mutex::new(None),
        })
    }

    fn conn(&self) -> Result<r2d2::PooledConnection<PostgresConnectionManager<NoTls>>> {
        match &self.pool {
            Some(pool) => Ok(pool.get()?),
            None => Err(ServerError::Task("the store is closed".into())),
        }
    }

    fn listen(&self) -> Result<Client> {
        let mut client = Client::connect(&self.url, NoTls)?;
        client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
        Ok(client)
    }

    /// One document write, recorded in the feed as `event`.
    fn write_one(&self, w: DocWrite<'_>, event: FeedEvent) -> Result<WriteOutcome> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let id = w.id.to_string();
        let current = lock_document(&mut tx, &id)?;
        if w.expected.is_some_and(|e| e as i64 != current) {
            tx.rollback()?;
            return Ok(WriteOutcome::Stale(current as u64));
        }
        let seq = add_to_feed(&mut tx, event)?;
        write_chunk(&mut tx, &w, &id, seq)?;
        tx.commit()?;
        Ok(WriteOutcome::Written(seq as u64))
    }
}

impl Drop for PgStore {
    /// The sync client closes a connection by blocking on a runtime of its own, which may not
    /// happen on a tokio worker (where the last `Arc` of a store is often dropped): close them
    /// on a thread of their own.
    fn drop(&mut self) {
        let pool = self.pool.take();
        let listener = self.listener.lock().take();
        let closing = std::thread::spawn(move || drop((pool, listener)));
        let _ = closing.join();
    }
}

fn migrate(client: &mut Client) -> Result<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )",
    )?;
    let row = tx.query_one(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        &[],
    )?;
    let version = usize::try_from(row.get::<_, i32>(0)).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(ServerError::Invalid(format!(
            "数据库来自更新的版本 / the database is from a newer server (schema {version})"
        )));
    }
    for (i, script) in MIGRATIONS.iter().enumerate().skip(version) {
        tx.batch_execute(script)?;
        let v = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[&v])?;
    }
    tx.commit()?;
    Ok(())
}

/// Locks the document's row (creating a placeholder at version 0) and returns its version.
fn lock_document(tx: &mut Transaction<'_>, id: &str) -> Result<i64> {
    tx.execute(
        "INSERT INTO documents (record_id, kind, heads_key, bytes, version)
         VALUES ($1, '', '', 0, 0) ON CONFLICT (record_id) DO NOTHING",
        &[&id],
    )?;
    let row = tx.query_one(
        "SELECT version FROM documents WHERE record_id = $1 FOR UPDATE",
        &[&id],
    )?;
    Ok(row.get(0))
}

fn write_chunk(tx: &mut Transaction<'_>, w: &DocWrite<'_>, id: &str, seq: i64) -> Result<()> {
    if w.replace {
        tx.execute("DELETE FROM chunks WHERE record_id = $1", &[&id])?;
    }
    tx.execute(
        "INSERT INTO chunks (record_id, seq, data) VALUES ($1, $2, $3)",
        &[&id, &seq, &w.bytes],
    )?;
    let len = w.bytes.len() as i64;
    tx.execute(
        "UPDATE documents SET kind = $2, heads_key = $3, version = $4,
            bytes = CASE WHEN $5 THEN $6 ELSE bytes + $6 END
         WHERE record_id = $1",
        &[&id, &w.kind, &w.heads_key, &seq, &w.replace, &len],
    )?;
    Ok(())
}

/// Rows of (version, chunk data, …) as one stored document; `None` if there are none.
fn concat_chunks(rows: &[postgres::Row]) -> Option<StoredDoc> {
    let version = rows.first()?.get::<_, i64>(0) as u64;
    let mut bytes = Vec::new();
    for row in rows {
        bytes.extend_from_slice(row.get::<_, &[u8]>(1));
    }
    Some(StoredDoc {
        bytes,
        version,
        chunks: rows.len() as u64,
    })
}

/// The id of the oldest transaction still running (or the next to start): the feed is settled
/// below it.
fn feed_horizon(client: &mut Client) -> Result<u64> {
    let row = client.query_one(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
        &[],
    )?;
    Ok(row.get::<_, i64>(0) as u64)
}

/// Waits for a notification on `client`; several announced writes make one wake-up.
fn wait_notified(client: &mut Client, timeout: Duration) -> Result<bool, postgres::Error> {
    let mut notifications = client.notifications();
    if notifications.timeout_iter(timeout).next()?.is_none() {
        return Ok(false);
    }
    while notifications.iter().next()?.is_some() {}
    Ok(true)
}

impl ServerStore for PgStore {
    fn load_versioned(&self, id: RecordId) -> Result<Option<StoredDoc>> {
        // One statement, one snapshot: the chunks and the version agree.
        let rows = self.conn()?.query(
            "SELECT d.version, c.data FROM documents d
             JOIN chunks c ON c.record_id = d.record_id
             WHERE d.record_id = $1 ORDER BY c.seq",
            &[&id.to_string()],
        )?;
        Ok(concat_chunks(&rows))
    }

    fn load_after(&self, id: RecordId, after: u64) -> Result<Option<StoredDoc>> {
        // One snapshot again; the first chunk's position tells whether the history was
        // replaced (erasure leaves one chunk, written after `after`).
        let rows = self.conn()?.query(
            "SELECT d.version, c.data,
                    (SELECT MIN(seq) FROM chunks WHERE record_id = d.record_id)
             FROM documents d JOIN chunks c ON c.record_id = d.record_id
             WHERE d.record_id = $1 AND c.seq > $2 ORDER BY c.seq",
            &[&id.to_string(), &(after as i64)],
        )?;
        if rows
            .first()
            .is_some_and(|r| r.get::<_, i64>(2) as u64 > after)
        {
            return Ok(None);
        }
        Ok(concat_chunks(&rows))
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
        // Rows are locked in id order, so two batches sharing documents cannot deadlock.
        let mut order: Vec<usize> = (0..writes.len()).collect();
        order.sort_by_key(|&i| writes[i].id);
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let mut out = vec![WriteOutcome::Stale(0); writes.len()];
        for i in order {
            let w = &writes[i];
            let id = w.id.to_string();
            let current = lock_document(&mut tx, &id)?;
            if w.expected.is_some_and(|e| e as i64 != current) {
                out[i] = WriteOutcome::Stale(current as u64);
                continue;
            }
            let seq = add_to_feed(&mut tx, FeedEvent::of_write(w))?;
            write_chunk(&mut tx, w, &id, seq)?;
            out[i] = WriteOutcome::Written(seq as u64);
        }
        tx.commit()?;
        Ok(out)
    }

    fn list_docs(&self) -> Result<Vec<DocSummary>> {
        let rows = self.conn()?.query(
            "SELECT record_id, kind, heads_key, bytes FROM documents
             WHERE version > 0 ORDER BY record_id",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(DocSummary {
                    id: r.get::<_, &str>(0).parse()?,
                    kind: r.get(1),
                    heads_key: r.get(2),
                    bytes: r.get::<_, i64>(3) as u64,
                })
            })
            .collect()
    }

    fn changes_since(&self, cursor: FeedCursor, limit: usize) -> Result<FeedBatch> {
        let mut conn = self.conn()?;
        // Below `horizon` every transaction has ended: its entries are all visible, and no
        // entry can appear there later (new transactions get higher ids).
        let horizon = feed_horizon(&mut conn)?;
        let rows = conn.query(
            "SELECT seq, event, subject, xid::text::bigint FROM feed
             WHERE (xid, seq) > ($1::bigint::text::xid8, $2)
               AND xid < $3::bigint::text::xid8
             ORDER BY xid, seq LIMIT $4",
            &[
                &(cursor.major as i64),
                &(cursor.minor as i64),
                &(horizon as i64),
                &(limit as i64),
            ],
        )?;
        let mut entries = Vec::with_capacity(rows.len());
        let mut last = cursor;
        for r in &rows {
            entries.push(FeedEntry {
                seq: r.get::<_, i64>(0) as u64,
                event: FeedEvent::from_row(r.get(1), r.get(2))?,
            });
            last = FeedCursor {
                major: r.get::<_, i64>(3) as u64,
                minor: r.get::<_, i64>(0) as u64,
            };
        }
        // A full batch may stop inside the settled part; a short one read all of it.
        let settled = FeedCursor {
            major: horizon,
            minor: 0,
        };
        let (next, held_back) = if rows.len() < limit {
            let held: bool = conn
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM feed WHERE xid >= $1::bigint::text::xid8)",
                    &[&(horizon as i64)],
                )?
                .get(0);
            (settled.max(cursor), held)
        } else {
            (last, false)
        };
        // Read after the entries: a prune committed before them shows here.
        let floor = prune::floor(&mut conn)?;
        Ok(FeedBatch {
            entries,
            next: next.max(floor),
            held_back,
            missed: cursor < floor,
        })
    }

    fn latest_change(&self) -> Result<FeedCursor> {
        let horizon = feed_horizon(&mut *self.conn()?)?;
        Ok(FeedCursor {
            major: horizon,
            minor: 0,
        })
    }

    fn note_reader(&self, reader: &str, cursor: FeedCursor, at: DateTime<Utc>) -> Result<()> {
        prune::note_reader(&mut *self.conn()?, reader, cursor, at)
    }

    fn prune_feed(&self, since: DateTime<Utc>) -> Result<FeedPruned> {
        prune::prune_feed(&mut *self.conn()?, since)
    }

    fn wait_for_change(&self, timeout: Duration) -> Result<bool> {
        let mut listener = self.listener.lock();
        if listener.is_none() {
            match self.listen() {
                Ok(client) => *listener = Some(client),
                Err(e) => {
                    drop(listener);
                    tracing::warn!(error = %e, "cannot LISTEN; polling the feed instead");
                    std::thread::sleep(timeout);
                    return Ok(false);
                }
            }
        }
        let Some(client) = listener.as_mut() else {
            return Ok(false);
        };
        match wait_notified(client, timeout) {
            Ok(woken) => Ok(woken),
            Err(e) => {
                tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                *listener = None;
                Ok(false)
            }
        }
    }

    fn put_team(&self, team: &Team) -> Result<()> {
        acc::put_team(&mut *self.conn()?, team)
    }

    fn teams(&self) -> Result<Vec<Team>> {
        acc::teams(&mut *self.conn()?)
    }

    fn put_account(&self, account: &Account) -> Result<()> {
        acc::put_account(&mut *self.conn()?, account)
    }

    fn account(&self, user: &UserId) -> Result<Option<Account>> {
        acc::account(&mut *self.conn()?, user)
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        acc::accounts(&mut *self.conn()?)
    }

    fn add_grant(&self, grant: &Grant) -> Result<GrantId> {
        grants::add_grant(&mut *self.conn()?, grant)
    }

    fn revoke_grant(&self, id: GrantId, by: &UserId, at: DateTime<Utc>) -> Result<Option<Grant>> {
        grants::revoke_grant(&mut *self.conn()?, id, by, at)
    }

    fn grants(&self, ended_after: DateTime<Utc>) -> Result<Vec<Grant>> {
        grants::grants(&mut *self.conn()?, ended_after)
    }

    fn add_device_token(&self, token: &DeviceToken) -> Result<()> {
        acc::add_device_token(&mut *self.conn()?, token)
    }

    fn device_token(&self, token_hash: &[u8; 32]) -> Result<Option<DeviceToken>> {
        acc::device_token(&mut *self.conn()?, token_hash)
    }

    fn revoke_device(&self, device: DeviceId, at: DateTime<Utc>) -> Result<usize> {
        acc::revoke_device(&mut *self.conn()?, device, at)
    }

    fn device_tokens(&self) -> Result<Vec<DeviceToken>> {
        acc::device_tokens(&mut *self.conn()?)
    }

    fn add_enrolment(&self, enrolment: &Enrolment) -> Result<()> {
        acc::add_enrolment(&mut *self.conn()?, enrolment)
    }

    fn redeem_enrolment(&self, code_hash: &[u8; 32], now: DateTime<Utc>) -> Result<Option<UserId>> {
        acc::redeem_enrolment(&mut *self.conn()?, code_hash, now)
    }

    fn claim_actor(&self, actor: &[u8], device: DeviceId) -> Result<bool> {
        acc::claim_actor(&mut *self.conn()?, actor, device)
    }

    fn log_access(&self, entries: &[AccessEntry]) -> Result<()> {
        acc::log_access(&mut *self.conn()?, entries)
    }

    fn access_log(&self, record: Option<RecordId>, limit: usize) -> Result<Vec<AccessEntry>> {
        acc::access_log(&mut *self.conn()?, record, limit)
    }

    fn server_secret(&self, name: &str, fresh: &[u8; 32]) -> Result<[u8; 32]> {
        secrets::server_secret(&mut *self.conn()?, name, fresh)
    }

    fn actor_device(&self, actor: &[u8]) -> Result<Option<DeviceId>> {
        changes::actor_device(&mut *self.conn()?, actor)
    }

    fn note_changes(&self, receipts: &[ChangeReceipt]) -> Result<()> {
        changes::note_changes(&mut *self.conn()?, receipts)
    }

    fn change_receipts(&self, record: RecordId) -> Result<Vec<ChangeReceipt>> {
        changes::change_receipts(&mut *self.conn()?, record)
    }

    fn latest_changes_since(&self, since: DateTime<Utc>) -> Result<Vec<ChangeReceipt>> {
        changes::latest_changes_since(&mut *self.conn()?, since)
    }
}
